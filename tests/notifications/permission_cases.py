"""Inbox routes × roles (issue 17): everyone has an inbox; a notification opens only for its recipient."""

from flask import url_for

from tests.roles import ROLES
from tracker.extensions import db
from tracker.notifications.models import Kind, Notification


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


EVERYONE = S(302, 200, 200, 200, 200)


def _holders_notification(a) -> int:
    if "_notification" not in a.__dict__:
        note = Notification(user_id=a.holder.id, kind=Kind.SESSION_LOGGED, project_id=a.project.id,
                            entity_type="project", entity_id=a.project.id, params={"project": a.project.name})
        db.session.add(note)
        db.session.commit()
        a._notification = note.id
    return a._notification


CASES = [
    ("notifications.inbox", "", "GET", lambda a: url_for("notifications.inbox"), EVERYONE),
    ("notifications.settings", "", "GET", lambda a: url_for("notifications.settings"), EVERYONE),
    ("notifications.mark_all_read", "", "POST", lambda a: url_for("notifications.mark_all_read"),
     S(302, 302, 302, 302, 302)),
    ("notifications.open_notification", "holders", "GET",
     lambda a: url_for("notifications.open_notification", notification_id=_holders_notification(a)),
     S(302, 404, 404, 404, 302)),
]
