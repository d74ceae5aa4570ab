import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin, UTCDateTime, VersionedMixin, enum_column, utcnow
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.indicators.models import Indicator
    from tracker.projects.models import Project


class ReportStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class Cell(enum.StrEnum):
    """Where a value sits: `total` for plain indicators, the five DESIGN §4 cells otherwise."""

    TOTAL = "total"
    WOMEN_YOUTH = "women_youth"
    WOMEN_OTHER = "women_other"
    MEN_YOUTH = "men_youth"
    MEN_OTHER = "men_other"
    NOT_STATED = "not_stated"


# The five cells of a disaggregated indicator (DESIGN §4), in the order forms and reports show them.
DISAGGREGATED_CELLS = (Cell.WOMEN_YOUTH, Cell.WOMEN_OTHER, Cell.MEN_YOUTH, Cell.MEN_OTHER, Cell.NOT_STATED)


class PeriodReport(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "period_reports"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "period_label"),
        sa.CheckConstraint("period_end >= period_start", name="period_order"),
        sa.Index("ix_period_reports_status_period_end", "status", "period_end"),
        sa.Index("ix_period_reports_status_submitted_at", "status", "submitted_at", "id"),  # the review queue
        sa.Index("ix_period_reports_status_reviewer_id", "status", "reviewer_id"),  # its totals (issue 20)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    period_label: Mapped[str] = mapped_column(sa.String(10))  # 2025-T1, 2025-S1, 2025-03
    period_start: Mapped[dt.date]
    period_end: Mapped[dt.date]
    status: Mapped[ReportStatus] = mapped_column(
        enum_column(ReportStatus, "status"), default=ReportStatus.DRAFT
    )
    highlights: Mapped[Optional[str]] = mapped_column(sa.Text)
    difficulties: Mapped[Optional[str]] = mapped_column(sa.Text)
    support_needed: Mapped[Optional[str]] = mapped_column(sa.Text)
    submitted_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime())
    review_comment: Mapped[Optional[str]] = mapped_column(sa.Text)
    # Who is asked to review it once submitted (DESIGN §5, tracker/periods/routing.py); managers reassign.
    reviewer_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)

    project: Mapped["Project"] = relationship()
    submitted_by: Mapped[Optional["User"]] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[Optional["User"]] = relationship(foreign_keys=[reviewed_by_id])
    reviewer: Mapped[Optional["User"]] = relationship(foreign_keys=[reviewer_id])
    values: Mapped[list["IndicatorValue"]] = relationship(
        back_populates="report", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<PeriodReport p{self.project_id} {self.period_label} {self.status}>"


class IndicatorValue(db.Model):
    __tablename__ = "indicator_values"
    __table_args__ = (sa.UniqueConstraint("report_id", "indicator_id", "cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("period_reports.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicators.id", ondelete="RESTRICT"), index=True)
    cell: Mapped[Cell] = mapped_column(enum_column(Cell, "cell"), default=Cell.TOTAL)
    value: Mapped[Decimal] = mapped_column(sa.Numeric(18, 2))
    comment: Mapped[Optional[str]] = mapped_column(sa.Text)

    report: Mapped[PeriodReport] = relationship(back_populates="values")
    indicator: Mapped["Indicator"] = relationship()

    def __repr__(self) -> str:
        return f"<IndicatorValue r{self.report_id} {self.indicator_id} {self.cell}={self.value}>"


class CellCents:
    """The five disaggregation cells of a derived row, in whole cents (NULL: no value gives the cell)."""

    women_youth_cents: Mapped[Optional[int]] = mapped_column(sa.BigInteger)
    women_other_cents: Mapped[Optional[int]] = mapped_column(sa.BigInteger)
    men_youth_cents: Mapped[Optional[int]] = mapped_column(sa.BigInteger)
    men_other_cents: Mapped[Optional[int]] = mapped_column(sa.BigInteger)
    not_stated_cents: Mapped[Optional[int]] = mapped_column(sa.BigInteger)


class ReportValueSums(CellCents, db.Model):
    """A report's values of one indicator side by side, in whole cents: what the cohort report adds up
    (issue 20). Derived data, kept equal to `indicator_values` in the same transaction as every write of
    them (`tracker/periods/value_sums.py`), so the programme-wide report reads 650,000 rows instead of
    joining and grouping 2 million."""

    __tablename__ = "report_value_sums"

    report_id: Mapped[int] = mapped_column(sa.ForeignKey("period_reports.id", ondelete="CASCADE"), primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True)
    first_value_id: Mapped[int]  # the order in which the periods' labels appear
    broken_down: Mapped[int]  # how many of the five cells are given
    total_cents: Mapped[Optional[int]] = mapped_column(sa.BigInteger)

    def __repr__(self) -> str:
        return f"<ReportValueSums r{self.report_id} {self.indicator_id}>"


class IndicatorEndSums(CellCents, db.Model):
    """A project's values of one indicator at one period end, in whole cents: the sum over its reports ending
    that day (two labels may), once over the approved reports and once over the approved and submitted ones
    (`include_submitted`), the two sets the cohort report counts. Derived from `report_value_sums` and the
    reports' statuses in the same transaction as every write of them (`tracker/periods/end_sums.py`), so the
    programme-wide report walks each project's ends in the order of this key instead of joining, sorting and
    grouping 650,000 rows per click (issue 20)."""

    __tablename__ = "indicator_end_sums"

    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True)
    period_end: Mapped[dt.date] = mapped_column(primary_key=True)
    include_submitted: Mapped[bool] = mapped_column(primary_key=True)
    end_total_cents: Mapped[int] = mapped_column(sa.BigInteger)  # the five cells' sum when any is given

    def __repr__(self) -> str:
        return f"<IndicatorEndSums p{self.project_id} {self.indicator_id} {self.period_end}>"


class ReminderKind(enum.StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    RETURNED = "returned"


class Reminder(db.Model):
    """One reminder e-mailed to one holder about one project's period, so nobody gets it twice a day."""

    __tablename__ = "reminders"
    __table_args__ = (sa.UniqueConstraint("user_id", "project_id", "period_label", "kind", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    period_label: Mapped[str] = mapped_column(sa.String(10))
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind, "kind"))
    sent_on: Mapped[dt.date]
    email: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Reminder u{self.user_id} p{self.project_id} {self.period_label} {self.kind}>"
