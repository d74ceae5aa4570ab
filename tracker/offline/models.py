"""Queued offline submissions already received (their idempotency keys)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.models import UTCDateTime, utcnow
from tracker.extensions import db


class ReplayedSubmission(db.Model):
    __tablename__ = "replayed_submissions"

    key: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(sa.String(500))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<ReplayedSubmission {self.key} user={self.user_id}>"
