import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.core.models import UTCDateTime, utcnow
from tracker.extensions import db


class ApiToken(db.Model):
    """A personal access token for the read API. The secret is shown once; the database keeps its SHA-256
    and a short prefix (`mwk_` + 8 characters) that identifies it on the account page and in the audit trail.
    The token acts as its owner: the owner's role, projects and POLICY apply, narrowed by the scopes."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(16), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scopes: Mapped[str] = mapped_column(sa.String(200))  # space-separated, sorted
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_used_on: Mapped[Optional[dt.date]]  # the use is audited once per token per day
    revoked_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix} u{self.user_id}>"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def is_usable(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now and self.user.active
