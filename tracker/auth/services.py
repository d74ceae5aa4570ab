"""Accounts: password hashing, authentication, password changes, user administration."""

import datetime as dt
import functools

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from tracker.auth.models import User, new_session_token
from tracker.core import audit
from tracker.core.models import utcnow
from tracker.core.permissions import Role
from tracker.core.services import ServiceError, check_version
from tracker.extensions import db
from tracker.projects.models import Project

USER_AUDIT_FIELDS = ["email", "display_name", "role", "locale", "active", "project_ids"]


def _hasher() -> PasswordHasher:
    if current_app.config.get("ARGON2_FAST"):
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def get_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def check_password_rules(password: str) -> None:
    """Raises ServiceError (field `password`) when the password is shorter than PASSWORD_MIN_LENGTH."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password or "") < minimum:
        raise ServiceError(
            _l("Le mot de passe doit contenir au moins %(n)s caractères.", n=minimum), field="password"
        )


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None.

    Unknown e-mail, wrong password and deactivated account are indistinguishable to the caller's user;
    a failure on a known account is counted on it and every failure is audited.
    """
    user = get_by_email(email)
    if user is None:
        _hasher().hash(password or "x")  # spend the same time as a real check
        audit.record(None, "login_failed", "user", None, {"email": [None, normalise_email(email)[:254]]})
        return None
    if not verify_password(user, password) or not user.active:
        user.failed_login_count += 1
        user.last_failed_login_at = utcnow()
        audit.record(None, "login_failed", "user", user.id)
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_login_count = 0
    user.last_login_at = utcnow()
    audit.record(user, "login", "user", user.id)
    return user


def _epoch_iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).replace(microsecond=0).isoformat()


def record_throttling(email: str, events: list[dict]) -> None:
    """Audits each login budget a failure just exhausted (core/limiter.py): `login.lockout` (an account
    from one address or device, or an address for every account) and `login.slowdown` (an account's
    delays begin). Once per budget: the attempts it then refuses are not recorded, so an attacker cannot
    fill the trail."""
    if not events:
        return
    user = get_by_email(email)
    for event in events:
        audit.record(None, event["action"], "user", user.id if user else None, {
            "scope": [None, event["scope"]], "until": [None, _epoch_iso(event["until"])],
            **({} if user else {"email": [None, normalise_email(email)[:254]]}),
        })


def record_unlock(user: User, scopes: list[str], actor=None) -> None:
    """Audits an unlock: the owner signed in (clearing the budgets listed in `scopes`), or an admin did
    it from the command line (`actor`, scopes ["manual"])."""
    if scopes:
        audit.record(actor, "login.unlock", "user", user.id, {"scope": [None, sorted(scopes)]})


def change_password(user: User, current: str, new: str) -> None:
    """Rotates the session token so every other session of the user ends.

    Raises ServiceError when `current` is not the user's password (field `current_password`) or when `new`
    breaks the password rules (`check_password_rules`)."""
    if not verify_password(user, current):
        raise ServiceError(_l("Le mot de passe actuel est incorrect."), field="current_password")
    check_password_rules(new)
    user.password_hash = hash_password(new)
    user.session_token = new_session_token()
    audit.record(user, "password_changed", "user", user.id)


def end_all_sessions(user: User) -> None:
    """Logout: a new session token, so every cookie (this one, copies of it, remember-me) stops working."""
    user.session_token = new_session_token()


def _user_snapshot(user: User) -> dict:
    return audit.snapshot(user, USER_AUDIT_FIELDS[:-1]) | {"project_ids": sorted(p.id for p in user.projects)}


def _check_unique_email(email: str, user_id: int | None = None) -> None:
    other = get_by_email(email)
    if other is not None and other.id != user_id:
        raise ServiceError(_l("Un compte existe déjà avec cette adresse e-mail."), field="email")


def _projects(project_ids) -> list[Project]:
    ids = [int(i) for i in project_ids or []]
    return list(db.session.scalars(sa.select(Project).where(Project.id.in_(ids)))) if ids else []


def create_user(actor, *, email: str, display_name: str, role: Role | str, password: str,
                locale: str = "fr", project_ids=()) -> User:
    """A new account, audited. Raises ServiceError when another account has this e-mail (field `email`) or
    when the password breaks the rules (`check_password_rules`)."""
    email = normalise_email(email)
    _check_unique_email(email)
    check_password_rules(password)
    role = Role(role)
    user = User(
        email=email,
        display_name=display_name.strip() or email,
        role=role,
        locale=locale,
        password_hash=hash_password(password),
    )
    user.projects = _projects(project_ids) if role == Role.HOLDER else []
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "create", "user", user.id, audit.diff({}, _user_snapshot(user)))
    return user


def update_user(actor, user: User, *, version, email: str, display_name: str, role: Role | str,
                locale: str, active: bool, project_ids=()) -> User:
    """Admins edit accounts. Deactivating rotates the session token: open sessions stop at once.

    An admin cannot deactivate or demote their own account (the programme would lose its last admin).

    Raises ConflictError when `version` is stale; ServiceError when the admin deactivates or demotes their
    own account, or when another account has this e-mail (field `email`).
    """
    check_version(user, version)
    role = Role(role)
    if user.id == getattr(actor, "id", None) and (not active or role != Role.ADMIN):
        raise ServiceError(_l("Vous ne pouvez ni désactiver votre propre compte ni changer son rôle."))
    email = normalise_email(email)
    _check_unique_email(email, user.id)
    before = _user_snapshot(user)
    user.email, user.display_name, user.role, user.locale = email, display_name.strip(), role, locale
    if user.active and not active:
        from tracker.auth import tokens

        user.session_token = new_session_token()
        tokens.revoke(user)  # an invitation or reset link must not reopen a deactivated account
        from tracker.api import access_tokens

        access_tokens.revoke_all(actor, user)  # nor may an API token keep reading its data
    user.active = active
    user.projects = _projects(project_ids) if role == Role.HOLDER else []
    db.session.flush()
    changes = audit.diff(before, _user_snapshot(user))
    if changes:
        audit.record(actor, "update", "user", user.id, changes)
    return user


def set_password(actor, user: User, password: str) -> None:
    """An admin resets a password: the user's sessions end.

    Raises ServiceError when the password breaks the rules (`check_password_rules`)."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    audit.record(actor, "password_reset", "user", user.id)


# ---------------------------------------------------------------- the accounts list

@functools.cache
def _user_list_statements(by_role: bool) -> tuple[sa.Select, sa.Select]:
    """(a page of the accounts, active ones first, by name, with the projects they hold; how many there are),
    built once (issue 20), the role, LIMIT and OFFSET bound at execution."""
    conditions = [User.role == sa.bindparam("role")] if by_role else []
    page = (sa.select(User).where(*conditions).options(selectinload(User.projects))
            .order_by(User.active.desc(), User.display_name)
            .limit(sa.bindparam("limit", type_=sa.Integer)).offset(sa.bindparam("offset", type_=sa.Integer)))
    return page, sa.select(sa.func.count()).select_from(User).where(*conditions)


def user_list_page(role: str | None, per_page: int = 50):
    """A page (the request's ?page=) of the accounts, of one role when given."""
    page, count = _user_list_statements(bool(role))
    return db.paginate_bound(page, count, {"role": role}, per_page=per_page, error_out=False)
