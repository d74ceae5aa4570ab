import datetime as dt
import enum
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.models import UTCDateTime, enum_column, utcnow
from tracker.extensions import db


class Kind(enum.StrEnum):
    # holders
    REPORT_RETURNED = "report_returned"
    REPORT_APPROVED = "report_approved"
    REPORT_DUE = "report_due"
    ACTION_ITEM_ASSIGNED = "action_item_assigned"
    ACTION_ITEM_DUE = "action_item_due"
    SESSION_LOGGED = "session_logged"
    MILESTONE_LATE = "milestone_late"
    # staff
    REPORT_SUBMITTED = "report_submitted"
    REPORT_CORRECTED = "report_corrected"
    ACTION_ITEM_OVERDUE = "action_item_overdue"
    PROJECT_QUIET = "project_quiet"
    # managers
    REPORT_STALLED = "report_stalled"


class Notification(db.Model):
    """Something that happened for one person. The text is rendered when shown, in the reader's language,
    from `kind` and `params`; time-based notices carry a `dedupe_key` so the daily scan adds each once."""

    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "dedupe_key"),
        sa.Index("ix_notifications_user_id_read_at", "user_id", "read_at"),  # the bell's count
        sa.Index("ix_notifications_user_id_created_at", "user_id", "created_at"),  # the inbox
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[Kind] = mapped_column(enum_column(Kind, "notification_kind"))
    project_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[Optional[int]]
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    dedupe_key: Mapped[Optional[str]] = mapped_column(sa.String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime())
    emailed_on: Mapped[Optional[dt.date]]

    def __repr__(self) -> str:
        return f"<Notification {self.id} u{self.user_id} {self.kind}>"


class NotificationPreference(db.Model):
    """Per person and kind: in the app only (`email_digest` false) or also in the daily e-mail digest.
    No row means the default (the digest, see services.DEFAULT_EMAIL)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[Kind] = mapped_column(enum_column(Kind, "notification_kind"), primary_key=True)
    email_digest: Mapped[bool]

    def __repr__(self) -> str:
        return f"<NotificationPreference u{self.user_id} {self.kind} {self.email_digest}>"


class Digest(db.Model):
    """One digest e-mailed to one person on one day: at most one a day, whatever runs the command."""

    __tablename__ = "notification_digests"
    __table_args__ = (sa.UniqueConstraint("user_id", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    sent_on: Mapped[dt.date]
    items: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<Digest u{self.user_id} {self.sent_on}>"
