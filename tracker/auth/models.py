import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin, UTCDateTime, VersionedMixin, enum_column
from tracker.core.permissions import Role
from tracker.extensions import db

if TYPE_CHECKING:
    from tracker.projects.models import Project

LOCALES = ("fr", "ar", "en")
# An account created by invitation has no password until the person chooses one: this marker is no argon2
# hash, so no password ever verifies against it.
NO_PASSWORD = "!invited"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("locale IN ('fr', 'ar', 'en')", name="locale"),
        sa.CheckConstraint("failed_login_count >= 0", name="failed_login_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    locale: Mapped[str] = mapped_column(sa.String(2), default="fr", server_default="fr")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    last_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    failed_login_count: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failed_login_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # Rotated on password change and deactivation: every cookie carrying the old token stops working.
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_session_token)

    projects: Mapped[list["Project"]] = relationship(
        secondary="project_holders", back_populates="holders", order_by="Project.name"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"

    # Flask-Login: the cookie stores the session token, not the id, so rotating it logs out.
    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def project_ids(self) -> set[int]:
        if "_project_ids" not in self.__dict__:
            self.__dict__["_project_ids"] = {p.id for p in self.projects}
        return self.__dict__["_project_ids"]

    @property
    def is_staff_like(self) -> bool:
        return self.role in (Role.ADMIN, Role.MANAGER, Role.STAFF)

    @property
    def has_password(self) -> bool:
        """False while an invited person has not chosen their password yet."""
        return not self.password_hash.startswith("!")


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    RESET = "reset"


class AuthToken(db.Model):
    """A single-use link sent by e-mail (invitation, password reset). Only the SHA-256 of the secret is
    stored: a copy of the database gives nobody a working link."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AuthToken {self.id} u{self.user_id} {self.purpose}>"
