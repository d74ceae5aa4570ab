"""Notifications: who is told what, written where the event happens (services) or by the daily scan.

`notify()` adds one notification per recipient, never to the person who acted, and only to active
accounts. Holders hear only about the projects they are linked to (`holders_of`), so a holder never gets
notice of another project. Services call these helpers and flush; the caller's commit keeps or drops them
with the event itself.
"""

import datetime as dt

import sqlalchemy as sa

from tracker.auth.models import User
from tracker.core.models import utcnow
from tracker.core.permissions import Role
from tracker.extensions import db
from tracker.notifications.models import Kind, Notification, NotificationPreference
from tracker.projects.models import project_holders, project_staff

HOLDER_KINDS = (Kind.REPORT_DUE, Kind.REPORT_RETURNED, Kind.REPORT_APPROVED, Kind.ACTION_ITEM_ASSIGNED,
                Kind.ACTION_ITEM_DUE, Kind.SESSION_LOGGED, Kind.MILESTONE_LATE)
STAFF_KINDS = (Kind.REPORT_SUBMITTED, Kind.REPORT_CORRECTED, Kind.ACTION_ITEM_OVERDUE, Kind.PROJECT_QUIET)
MANAGER_KINDS = (Kind.REPORT_STALLED,)
DEFAULT_EMAIL = True  # every kind goes into the daily digest until the person says otherwise


def kinds_for(role: Role) -> tuple[Kind, ...]:
    """The kinds a role can receive (the preferences page lists these)."""
    if role == Role.HOLDER:
        return HOLDER_KINDS
    if role == Role.STAFF:
        return STAFF_KINDS
    return STAFF_KINDS + MANAGER_KINDS  # managers and admins review and mentor too


def holders_of(project_id: int) -> list[int]:
    """Active holder accounts linked to this project."""
    return list(db.session.scalars(
        sa.select(User.id).join(project_holders, project_holders.c.user_id == User.id)
        .where(project_holders.c.project_id == project_id, User.active.is_(True), User.role == Role.HOLDER)))


def mentors_of(project_id: int) -> list[int]:
    """Active staff-side accounts assigned to this project."""
    return list(db.session.scalars(
        sa.select(User.id).join(project_staff, project_staff.c.user_id == User.id)
        .where(project_staff.c.project_id == project_id, User.active.is_(True), User.role != Role.HOLDER)))


def managers() -> list[int]:
    return list(db.session.scalars(sa.select(User.id).where(User.role == Role.MANAGER, User.active.is_(True))))


def notify(user_ids, kind: Kind, *, actor=None, project_id: int | None, entity_type: str, entity_id: int | None,
           params: dict | None = None) -> list[Notification]:
    """One notification per recipient (the actor excluded, duplicates ignored); flushes."""
    skip = getattr(actor, "id", None)
    created = []
    for user_id in dict.fromkeys(u for u in user_ids if u and u != skip):
        note = Notification(user_id=user_id, kind=kind, project_id=project_id, entity_type=entity_type,
                            entity_id=entity_id, params=dict(params or {}))
        db.session.add(note)
        created.append(note)
    db.session.flush()
    return created


def notify_once(rows: list[tuple[int, str]], kind: Kind, *, project_id: int | None, entity_type: str,
                entity_id: int | None, params: dict | None = None) -> int:
    """For the daily scan: [(user id, dedupe key)] → notifications not already given (one query to check)."""
    if not rows:
        return 0
    keys = {key for _uid, key in rows}
    existing = set(db.session.execute(
        sa.select(Notification.user_id, Notification.dedupe_key).where(Notification.dedupe_key.in_(keys))).tuples())
    added = 0
    for user_id, key in dict.fromkeys(rows):
        if (user_id, key) in existing:
            continue
        db.session.add(Notification(user_id=user_id, kind=kind, project_id=project_id, entity_type=entity_type,
                                    entity_id=entity_id, params=dict(params or {}), dedupe_key=key))
        added += 1
    return added


def unread_count(user) -> int:
    return db.session.scalar(sa.select(sa.func.count(Notification.id))
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def inbox_query(user) -> sa.Select:
    return (sa.select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def mark_read(user, notification: Notification) -> None:
    if notification.user_id == user.id and notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(user) -> int:
    result = db.session.execute(sa.update(Notification)
                                .where(Notification.user_id == user.id, Notification.read_at.is_(None))
                                .values(read_at=utcnow()))
    return result.rowcount or 0


def preferences(user) -> dict[Kind, bool]:
    """{kind: e-mailed in the digest} for every kind the user's role receives."""
    stored = dict(db.session.execute(
        sa.select(NotificationPreference.kind, NotificationPreference.email_digest)
        .where(NotificationPreference.user_id == user.id)).all())
    return {kind: stored.get(kind, DEFAULT_EMAIL) for kind in kinds_for(Role(user.role))}


def set_preferences(user, choices: dict[Kind, bool]) -> None:
    """Stores the person's choices for the kinds of their role (others are ignored)."""
    allowed = set(kinds_for(Role(user.role)))
    current = {p.kind: p for p in db.session.scalars(
        sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for kind, email in choices.items():
        if kind not in allowed:
            continue
        if kind in current:
            current[kind].email_digest = bool(email)
        else:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, email_digest=bool(email)))
    db.session.flush()


def day_key(day: dt.date) -> str:
    return day.isoformat()
