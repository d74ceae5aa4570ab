import datetime as dt
import enum
from decimal import Decimal
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin, VersionedMixin, enum_column
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.cohorts.models import Cohort
    from tracker.projects.models import Member


class Topic(enum.StrEnum):
    BUSINESS_PLAN = "business_plan"
    FINANCE = "finance"
    MARKETING = "marketing"
    LEGAL = "legal"
    DIGITAL = "digital"
    PRODUCTION_QUALITY = "production_quality"
    SOFT_SKILLS = "soft_skills"
    OTHER = "other"


class TrainingMode(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class Training(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "trainings"
    __table_args__ = (sa.CheckConstraint("duration_hours > 0", name="duration_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL = programme-wide training open to every cohort.
    cohort_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("cohorts.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    topic: Mapped[Topic] = mapped_column(enum_column(Topic, "topic"))
    date: Mapped[dt.date] = mapped_column(index=True)
    duration_hours: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    trainer: Mapped[Optional[str]] = mapped_column(sa.String(160))
    place: Mapped[Optional[str]] = mapped_column(sa.String(160))
    mode: Mapped[TrainingMode] = mapped_column(
        enum_column(TrainingMode, "training_mode"), default=TrainingMode.IN_PERSON
    )
    description: Mapped[Optional[str]] = mapped_column(sa.Text)

    cohort: Mapped[Optional["Cohort"]] = relationship()
    attendances: Mapped[list["Attendance"]] = relationship(
        back_populates="training", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Training {self.id} {self.title!r}>"


class Attendance(db.Model):
    __tablename__ = "attendances"
    __table_args__ = (sa.UniqueConstraint("training_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(sa.ForeignKey("trainings.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool]

    training: Mapped[Training] = relationship(back_populates="attendances")
    member: Mapped["Member"] = relationship()

    def __repr__(self) -> str:
        return f"<Attendance t{self.training_id} m{self.member_id} {self.present}>"
