import datetime as dt
import enum
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin, UTCDateTime, VersionedMixin, enum_column, utcnow
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.projects.models import Project


class MilestoneCategory(enum.StrEnum):
    LEGAL_REGISTRATION = "legal_registration"
    PROTOTYPE = "prototype"
    FIRST_SALE = "first_sale"
    FUNDING = "funding"
    HIRING = "hiring"
    CERTIFICATION = "certification"
    MARKET_ACCESS = "market_access"
    OTHER = "other"


class MilestoneStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    DELAYED = "delayed"
    DROPPED = "dropped"


class Milestone(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "milestones"
    __table_args__ = (
        sa.CheckConstraint(
            "status <> 'achieved' OR achieved_date IS NOT NULL", name="achieved_has_date"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[MilestoneCategory] = mapped_column(enum_column(MilestoneCategory, "category"))
    planned_date: Mapped[dt.date]
    status: Mapped[MilestoneStatus] = mapped_column(
        enum_column(MilestoneStatus, "status"), default=MilestoneStatus.PLANNED
    )
    achieved_date: Mapped[Optional[dt.date]]
    evidence_note: Mapped[Optional[str]] = mapped_column(sa.Text)

    project: Mapped["Project"] = relationship()
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="milestone", cascade="all, delete-orphan", passive_deletes=True
    )

    def is_late(self, today: dt.date) -> bool:
        """DESIGN §3: not achieved nor dropped, and the planned date has passed."""
        return (
            self.status not in (MilestoneStatus.ACHIEVED, MilestoneStatus.DROPPED)
            and self.planned_date < today
        )

    def __repr__(self) -> str:
        return f"<Milestone {self.id} {self.title!r} {self.status}>"


class Attachment(db.Model):
    """An evidence file. The bytes live under UPLOAD_DIR, never under the static folder."""

    __tablename__ = "attachments"
    __table_args__ = (sa.CheckConstraint("size_bytes >= 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    milestone_id: Mapped[int] = mapped_column(sa.ForeignKey("milestones.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    stored_path: Mapped[str] = mapped_column(sa.String(300), unique=True)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    milestone: Mapped[Milestone] = relationship(back_populates="attachments")
    uploaded_by: Mapped[Optional["User"]] = relationship()

    def __repr__(self) -> str:
        return f"<Attachment {self.id} {self.original_name!r}>"
