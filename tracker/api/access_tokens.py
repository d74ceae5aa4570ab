"""Personal access tokens for the read API (issue 22).

Rules (ServiceError, nothing written): a token has a name, at least one known scope and an expiry of at
most API_TOKEN_MAX_DAYS days; only admins create tokens for someone else. The secret is returned once
(`mwk_<prefix>_<secret>`); the database keeps its SHA-256 and the 12-character prefix. Creation,
revocation and use are audited, use at most once per token per day. Deactivating an account revokes its
tokens (auth.services.update_user calls `revoke_all`), and a deactivated owner's token is refused anyway.
"""

import datetime as dt
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from tracker.api.models import ApiToken
from tracker.auth.models import User
from tracker.core import audit
from tracker.core.models import utcnow
from tracker.core.permissions import Role
from tracker.core.services import ServiceError
from tracker.extensions import db

SCOPES = ("report:read", "projects:read", "indicators:read", "people:read")
SCOPE_LABELS = {
    "report:read": _l("Rapport de cohorte"),
    "projects:read": _l("Cohortes et projets (sans données personnelles)"),
    "indicators:read": _l("Indicateurs, cibles et rapports périodiques"),
    "people:read": _l("Données personnelles des équipes"),
}
PREFIX = "mwk_"
DEFAULT_DAYS = 90


def digest(secret: str) -> str:
    return hashlib.sha256((secret or "").encode()).hexdigest()


def _check(actor, owner: User, name: str, scopes, days: int) -> tuple[str, list[str]]:
    if actor is not None and owner.id != actor.id and actor.role != Role.ADMIN:  # None: the command line
        raise ServiceError(_l("Seuls les administrateurs créent des jetons pour un autre compte."))
    if not owner.active:
        raise ServiceError(_l("Ce compte est désactivé."))
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise ServiceError(_l("Donnez au jeton un nom de 80 caractères au plus."), field="name")
    chosen = sorted(set(scopes or ()))
    if not chosen or any(s not in SCOPES for s in chosen):
        raise ServiceError(_l("Choisissez au moins une portée connue."), field="scopes")
    maximum = current_app.config["API_TOKEN_MAX_DAYS"]
    if not isinstance(days, int) or not 1 <= days <= maximum:
        raise ServiceError(_l("La durée va de 1 à %(n)s jours.", n=maximum), field="days")
    return name, chosen


def create(actor, owner: User, *, name: str, scopes, days: int = DEFAULT_DAYS) -> tuple[str, ApiToken]:
    """A new token for `owner`, created by `actor` (the owner, an admin, or None for the command line).
    Returns (secret, token): the secret is never stored and cannot be shown again.

    Raises ServiceError when a non-admin creates a token for another account, the owner is deactivated, or
    the name, scopes or duration are out of bounds (field set)."""
    name, chosen = _check(actor, owner, name, scopes, days)
    ident = secrets.token_hex(4)
    secret = f"{PREFIX}{ident}_{secrets.token_urlsafe(32)}"
    now = utcnow()
    token = ApiToken(user_id=owner.id, created_by_id=getattr(actor, "id", None), name=name,
                     prefix=f"{PREFIX}{ident}", token_hash=digest(secret), scopes=" ".join(chosen),
                     created_at=now, expires_at=now + dt.timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token.create", "api_token", token.id, {
        "user_id": [None, owner.id], "name": [None, name], "prefix": [None, token.prefix],
        "scopes": [None, chosen], "expires_at": [None, token.expires_at.isoformat()]})
    return secret, token


def revoke(actor, token: ApiToken) -> bool:
    """Revokes one token; False when it was already revoked. Only its owner or an admin may: raises
    ServiceError for anyone else."""
    if actor is not None and token.user_id != actor.id and actor.role != Role.ADMIN:
        raise ServiceError(_l("Seuls les administrateurs révoquent les jetons d'un autre compte."))
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    audit.record(actor, "api_token.revoke", "api_token", token.id, {"prefix": [None, token.prefix]})
    return True


def revoke_all(actor, user: User) -> int:
    """Revokes every open token of `user` (account deactivated); each revocation is audited."""
    count = 0
    for token in db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id,
                                                              ApiToken.revoked_at.is_(None))):
        token.revoked_at = utcnow()
        audit.record(actor, "api_token.revoke", "api_token", token.id,
                     {"prefix": [None, token.prefix], "reason": [None, "account_deactivated"]})
        count += 1
    return count


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id)))


def get_by_secret(secret: str) -> ApiToken | None:
    """The token with this secret, usable or not (the caller tells expired and revoked apart)."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or not hmac.compare_digest(token.token_hash, digest(secret)):
        return None
    return token


def record_use(token: ApiToken, today: dt.date | None = None) -> bool:
    """Audits the token's use once per day (the first request of the day); True when it did."""
    today = today or utcnow().date()
    if token.last_used_on == today:
        return False
    token.last_used_on = today
    audit.record(token.user, "api_token.use", "api_token", token.id, {"prefix": [None, token.prefix]})
    return True
