import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin, VersionedMixin, enum_column
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.projects.models import Project


class Unit(enum.StrEnum):
    COUNT = "count"
    MAD = "MAD"
    HOURS = "hours"
    PERCENT = "percent"


class IndicatorKind(enum.StrEnum):
    FLOW = "flow"  # summed over periods (revenue, new jobs)
    STOCK = "stock"  # latest value counts (current employees)


class Indicator(TimestampMixin, db.Model):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name_fr: Mapped[str] = mapped_column(sa.String(200))
    name_ar: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[Unit] = mapped_column(enum_column(Unit, "unit"))
    kind: Mapped[IndicatorKind] = mapped_column(enum_column(IndicatorKind, "kind"))
    disaggregated: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Most figures cannot go below zero; a margin or a net result can.
    allow_negative: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    iris_ref: Mapped[Optional[str]] = mapped_column(sa.String(20))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    sort_order: Mapped[int] = mapped_column(default=0, server_default="0")

    def name(self, locale: str) -> str:
        return getattr(self, f"name_{locale}", None) or self.name_fr

    def __repr__(self) -> str:
        return f"<Indicator {self.code}>"


class Target(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "targets"
    __table_args__ = (sa.UniqueConstraint("project_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicators.id", ondelete="RESTRICT"), index=True)
    baseline_value: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(18, 2))
    baseline_date: Mapped[Optional[dt.date]]
    target_value: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(18, 2))
    target_date: Mapped[Optional[dt.date]]

    project: Mapped["Project"] = relationship()
    indicator: Mapped[Indicator] = relationship()

    def __repr__(self) -> str:
        return f"<Target p{self.project_id} {self.indicator_id}>"
