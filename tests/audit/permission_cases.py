"""Audit viewer routes × roles, joined to tests/core/test_permission_matrix.py (same row shape): admin only."""

from flask import url_for

from tests.roles import ROLES
from tracker.core import audit
from tracker.extensions import db


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


ADMIN_ONLY = S(302, 200, 403, 403, 404)


def _event(a):
    """An event about the holder's own project: even there the holder learns nothing (404)."""
    if not hasattr(a, "_audit_event"):
        a._audit_event = audit.record(a.manager, "update", "project", a.project.id, {"name": ["A", "B"]})
        db.session.flush()
    return a._audit_event


CASES = [
    ("audit.list_events", "", "GET", lambda a: url_for("audit.list_events"), ADMIN_ONLY),
    ("audit.list_events", "filtered", "GET",
     lambda a: url_for("audit.list_events", entity="project", entity_id=a.project.id), ADMIN_ONLY),
    ("audit.view_event", "", "GET", lambda a: url_for("audit.view_event", event_id=_event(a).id), ADMIN_ONLY),
]
