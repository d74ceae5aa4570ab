"""Single-use links (invitation: INVITATION_DAYS days, password reset: RESET_LINK_MINUTES minutes).

The secret goes into the e-mailed link only; the database keeps its SHA-256. A link stops working when it
has been used, when a newer link of the same kind was issued, when it expires, and when the account is
deactivated (every open link is revoked, and an inactive account's links are refused anyway).
"""

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app

from tracker.auth.models import AuthToken, TokenPurpose, User
from tracker.core.models import utcnow
from tracker.extensions import db


def _digest(secret: str) -> str:
    return hashlib.sha256((secret or "").encode()).hexdigest()


def lifetime(purpose: TokenPurpose) -> dt.timedelta:
    if purpose == TokenPurpose.INVITATION:
        return dt.timedelta(days=current_app.config["INVITATION_DAYS"])
    return dt.timedelta(minutes=current_app.config["RESET_LINK_MINUTES"])


def _open(user_id: int, purpose: TokenPurpose | None = None):
    condition = sa.and_(AuthToken.user_id == user_id, AuthToken.used_at.is_(None), AuthToken.revoked_at.is_(None))
    if purpose is not None:
        condition = sa.and_(condition, AuthToken.purpose == purpose)
    return condition


def revoke(user: User, purpose: TokenPurpose | None = None) -> int:
    """Revokes the user's unused links (of one kind, or all); returns how many."""
    result = db.session.execute(sa.update(AuthToken).where(_open(user.id, purpose)).values(revoked_at=utcnow()))
    return result.rowcount or 0


def issue(user: User, purpose: TokenPurpose) -> tuple[str, AuthToken]:
    """A new link for `user`; the older unused links of the same kind stop working. Returns (secret, token)."""
    revoke(user, purpose)
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    token = AuthToken(user_id=user.id, purpose=purpose, token_hash=_digest(secret), created_at=now,
                      expires_at=now + lifetime(purpose))
    db.session.add(token)
    db.session.flush()
    return secret, token


def get_valid(secret: str) -> AuthToken | None:
    """The token behind `secret` if it may still be used: unused, not revoked, not expired, active account."""
    if not secret or len(secret) > 100:
        return None
    token = db.session.scalar(sa.select(AuthToken).where(AuthToken.token_hash == _digest(secret)))
    if token is None or token.used_at is not None or token.revoked_at is not None:
        return None
    if token.expires_at <= utcnow() or not token.user.active:
        return None
    return token


def pending_invitation(user: User) -> AuthToken | None:
    """The open invitation of an account (the newest), or None."""
    return db.session.scalar(
        sa.select(AuthToken).where(_open(user.id, TokenPurpose.INVITATION)).order_by(AuthToken.id.desc()).limit(1))
