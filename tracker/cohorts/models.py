import enum
from datetime import date
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin, VersionedMixin, enum_column
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.projects.models import Project


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"


class Cohort(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "cohorts"
    __table_args__ = (
        sa.CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates_order"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    programme: Mapped[Optional[str]] = mapped_column(sa.String(160))
    city: Mapped[Optional[str]] = mapped_column(sa.String(80))
    province: Mapped[Optional[str]] = mapped_column(sa.String(80))
    forum_date: Mapped[Optional[date]]
    start_date: Mapped[Optional[date]]
    end_date: Mapped[Optional[date]]
    reporting_frequency: Mapped[Frequency] = mapped_column(
        enum_column(Frequency, "reporting_frequency"), default=Frequency.QUARTERLY
    )
    description: Mapped[Optional[str]] = mapped_column(sa.Text)

    projects: Mapped[list["Project"]] = relationship(back_populates="cohort")

    def __repr__(self) -> str:
        return f"<Cohort {self.slug}>"
