import datetime as dt
import enum
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin, VersionedMixin, enum_column
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.auth.models import User
    from tracker.milestones.models import Milestone
    from tracker.projects.models import Project


class SessionMode(enum.StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    FIELD_VISIT = "field_visit"


class ActionOwner(enum.StrEnum):
    PROJECT = "project"
    STAFF = "staff"


class MentoringSession(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "mentoring_sessions"
    __table_args__ = (
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.Index("ix_mentoring_sessions_project_id_date", "project_id", "date"),
        sa.Index("ix_mentoring_sessions_date_id", "date", "id"),  # the list, newest first (scale, issue 9)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    # Users are deactivated, never deleted, so the mentor of a logged session always exists.
    mentor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    date: Mapped[dt.date]
    duration_minutes: Mapped[int]
    mode: Mapped[SessionMode] = mapped_column(enum_column(SessionMode, "session_mode"))
    topics: Mapped[Optional[str]] = mapped_column(sa.String(300))
    shared_summary: Mapped[Optional[str]] = mapped_column(sa.Text)  # visible to the holder
    staff_notes: Mapped[Optional[str]] = mapped_column(sa.Text)  # never shown to holders
    next_session_date: Mapped[Optional[dt.date]]

    project: Mapped["Project"] = relationship()
    mentor: Mapped["User"] = relationship()
    action_items: Mapped[list["ActionItem"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ActionItem.id",
    )

    @property
    def author_id(self) -> int:
        return self.mentor_id

    def __repr__(self) -> str:
        return f"<MentoringSession {self.id} p{self.project_id} {self.date}>"


class ActionItem(TimestampMixin, db.Model):
    __tablename__ = "action_items"
    __table_args__ = (
        sa.CheckConstraint(
            "owner_kind = 'project' OR owner_user_id IS NOT NULL", name="staff_owner_named"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("mentoring_sessions.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(sa.String(500))
    owner_kind: Mapped[ActionOwner] = mapped_column(enum_column(ActionOwner, "owner_kind"))
    owner_user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    due_date: Mapped[Optional[dt.date]]
    done_date: Mapped[Optional[dt.date]]
    milestone_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("milestones.id", ondelete="SET NULL"), index=True
    )

    session: Mapped[MentoringSession] = relationship(back_populates="action_items")
    owner_user: Mapped[Optional["User"]] = relationship()
    milestone: Mapped[Optional["Milestone"]] = relationship()

    def __repr__(self) -> str:
        return f"<ActionItem {self.id} {self.description[:20]!r}>"
