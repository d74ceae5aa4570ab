"""Invitations: an account created without a password, and the e-mailed link to choose one (issue 17).

Rules (ServiceError, nothing written):
- the role is chosen explicitly; admins may invite any role, managers and staff only project holders;
- a holder is invited to at least one project, and staff only to projects assigned to them
  (INVITE_HOLDER: managers and admins to any project);
- the e-mail is not already used by an account;
- an invitation can be sent again while the person has not chosen a password and the account is active:
  the new link replaces the old one.
Every invitation sent, and the password chosen through it, is audited.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.auth import tokens
from tracker.auth.models import LOCALES, NO_PASSWORD, TokenPurpose, User, new_session_token
from tracker.auth.services import (
    _check_unique_email,
    _user_snapshot,
    check_password_rules,
    hash_password,
    normalise_email,
)
from tracker.core import audit, email
from tracker.core.dates import LONG, datetime_text
from tracker.core.models import utcnow
from tracker.core.permissions import Action, Role, can
from tracker.core.services import ServiceError
from tracker.extensions import db
from tracker.projects.models import Project


def _check_projects(actor, role: Role, project_ids) -> list[Project]:
    ids = sorted({int(i) for i in project_ids or []})
    projects = list(db.session.scalars(sa.select(Project).where(Project.id.in_(ids)))) if ids else []
    if len(projects) != len(ids):
        raise ServiceError(_l("Un des projets choisis n'existe pas."), field="project_ids")
    if role != Role.HOLDER:
        return []
    if actor is not None and actor.role != Role.ADMIN and not projects:
        raise ServiceError(_l("Choisissez au moins un projet pour ce porteur."), field="project_ids")
    for project in projects:
        if actor is not None and not can(actor, Action.INVITE_HOLDER, project):
            raise ServiceError(_l("Vous ne pouvez inviter des porteurs que sur les projets qui vous sont "
                                  "confiés."), field="project_ids")
    return projects


def invite_user(actor, *, email_address: str, display_name: str, role, locale: str = "fr",
                project_ids=()) -> tuple[User, dict]:
    """Creates the account without a password and prepares its invitation. Returns (user, e-mail payload)
    for the caller to send once the transaction commits (`core.email.send`, or `jobs.enqueue` from the CLI).
    `actor` None is the command line (an administrator).

    Raises ServiceError (field set) when the role is missing or not the actor's to give (non-admins invite
    holders only), the language or the address is invalid, another account has the address, or the projects
    are unknown, missing for a holder, or not the actor's."""
    if not role:
        raise ServiceError(_l("Choisissez le rôle du compte."), field="role")
    role = Role(role)
    if actor is not None and actor.role != Role.ADMIN and role != Role.HOLDER:
        raise ServiceError(_l("Vous ne pouvez inviter que des porteurs de projet."), field="role")
    if locale not in LOCALES:
        raise ServiceError(_l("Langue inconnue."), field="locale")
    address = normalise_email(email_address)
    if not address or "@" not in address:
        raise ServiceError(_l("Adresse e-mail invalide."), field="email")
    _check_unique_email(address)
    projects = _check_projects(actor, role, project_ids)
    user = User(email=address, display_name=(display_name or "").strip() or address, role=role, locale=locale,
                password_hash=NO_PASSWORD, projects=projects)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "create", "user", user.id, audit.diff({}, _user_snapshot(user)))
    return user, send_invitation(actor, user)


def can_resend(actor, user: User) -> bool:
    if not user.active or user.has_password:
        return False
    if actor is None or actor.role == Role.ADMIN:
        return True
    return user.role == Role.HOLDER and any(can(actor, Action.INVITE_HOLDER, p) for p in user.projects)


def send_invitation(actor, user: User) -> dict:
    """A new invitation link (the previous one stops working), audited; returns the e-mail payload.

    Raises ServiceError when the account already has a password or is deactivated."""
    if not can_resend(actor, user):
        raise ServiceError(_l("Ce compte a déjà un mot de passe ou est désactivé : aucune invitation à envoyer."))
    secret, token = tokens.issue(user, TokenPurpose.INVITATION)
    audit.record(actor, "invitation_sent", "user", user.id,
                 {"expires_at": [None, token.expires_at.isoformat(timespec="minutes")]})
    inviter = actor.display_name if actor is not None else email.app_name()
    with_locale = user.locale or "fr"
    payload = email.compose(
        user.email, with_locale, "invitation",
        _l("%(app)s : votre invitation", app=email.app_name()),
        name=user.display_name, inviter=inviter, email=user.email,
        projects=[p.name for p in user.projects],
        link=email.external_url("auth.set_password", token=secret),
        expires=_format_expiry(token.expires_at, with_locale),
    )
    return payload


def _format_expiry(moment, locale: str) -> str:
    from flask_babel import force_locale

    with force_locale(locale):
        return datetime_text(moment, LONG)


def use_token(secret: str, password: str) -> User:
    """Sets the password chosen through an invitation or reset link, which is used up. Every session of
    the account ends (a new session token), and every other open link stops working.
    Raises ServiceError when the link is no longer valid or the password breaks the rules."""
    token = tokens.get_valid(secret)
    if token is None:
        raise ServiceError(_l("Ce lien n'est plus valable : il a déjà servi, a expiré ou a été remplacé."))
    check_password_rules(password)
    user = token.user
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    user.failed_login_count = 0
    token.used_at = utcnow()
    tokens.revoke(user)
    audit.record(user, "password_changed", "user", user.id, {"via": [None, token.purpose.value]})
    db.session.flush()
    return user
