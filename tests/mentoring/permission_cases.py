"""Mentoring routes × roles, joined to tests/core/test_permission_matrix.py (same row shape).

Sessions and items are created on first use and cached on the `actors` object:
- "own": on the holder's project, logged by actors.staff (staff are its mentor);
- "other": on another project, logged by actors.staff;
- "others-session": on the holder's project, logged by actors.manager (staff are not its mentor).
"""

from flask import url_for

from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
from tests.milestones.factories import MilestoneFactory
from tests.roles import ROLES


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


STAFF_SIDE = S(302, 200, 200, 200, 404)
EVERYONE_ON_OWN_PROJECT = S(302, 200, 200, 200, 200)
MENTOR_OR_MANAGERS = S(302, 200, 200, 403, 404)
DONE_OWN = S(302, 302, 302, 302, 302)  # POST then redirect back
DONE_OTHER = S(302, 302, 302, 302, 404)
REOPEN = S(302, 302, 302, 302, 404)  # only the programme's team reopens a done item (issue 15)

VARIANTS = {
    "own": ("project", "staff"),
    "other": ("other_project", "staff"),
    "others-session": ("project", "manager"),
}


def _session(a, variant):
    cache = a.__dict__.setdefault("_mentoring_sessions", {})
    if variant not in cache:
        project, mentor = VARIANTS[variant]
        session = MentoringSessionFactory(project=getattr(a, project), mentor=getattr(a, mentor))
        cache[variant] = (session, ActionItemFactory(session=session))
    return cache[variant][0]


def _item(a, variant, done=False):
    _session(a, variant)
    item = a._mentoring_sessions[variant][1]
    item.done_date = item.session.date if done else None
    return item


def _project_with_milestone(a, attr):
    MilestoneFactory(project=getattr(a, attr))
    return getattr(a, attr)


CASES = [
    ("mentoring.list_sessions", "", "GET", lambda a: url_for("mentoring.list_sessions"), STAFF_SIDE),
    ("mentoring.create_session", "", "GET", lambda a: url_for("mentoring.create_session"), STAFF_SIDE),
    ("mentoring.create_session", "project", "GET",
     lambda a: url_for("mentoring.create_session", project=a.project.id), STAFF_SIDE),
    ("mentoring.project_milestones", "own", "GET",
     lambda a: url_for("mentoring.project_milestones", project=_project_with_milestone(a, "project").id),
     STAFF_SIDE),
    ("mentoring.project_milestones", "other", "GET",
     lambda a: url_for("mentoring.project_milestones", project=_project_with_milestone(a, "other_project").id),
     STAFF_SIDE),
    ("mentoring.view_session", "own", "GET",
     lambda a: url_for("mentoring.view_session", session_id=_session(a, "own").id), EVERYONE_ON_OWN_PROJECT),
    ("mentoring.view_session", "other", "GET",
     lambda a: url_for("mentoring.view_session", session_id=_session(a, "other").id), STAFF_SIDE),
    ("mentoring.edit_session", "own", "GET",
     lambda a: url_for("mentoring.edit_session", session_id=_session(a, "own").id), STAFF_SIDE),
    ("mentoring.edit_session", "other", "GET",
     lambda a: url_for("mentoring.edit_session", session_id=_session(a, "other").id), STAFF_SIDE),
    ("mentoring.edit_session", "others-session", "GET",
     lambda a: url_for("mentoring.edit_session", session_id=_session(a, "others-session").id),
     MENTOR_OR_MANAGERS),
    ("mentoring.edit_session", "others-session-post", "POST",
     lambda a: url_for("mentoring.edit_session", session_id=_session(a, "others-session").id),
     S(302, 200, 200, 403, 404)),  # an empty POST is redrawn with its errors
    ("mentoring.delete_session", "own", "GET",
     lambda a: url_for("mentoring.delete_session", session_id=_session(a, "own").id), STAFF_SIDE),
    ("mentoring.delete_session", "others-session", "GET",
     lambda a: url_for("mentoring.delete_session", session_id=_session(a, "others-session").id),
     MENTOR_OR_MANAGERS),
    ("mentoring.delete_session", "others-session-post", "POST",
     lambda a: url_for("mentoring.delete_session", session_id=_session(a, "others-session").id),
     S(302, 302, 302, 403, 404)),
    ("mentoring.complete_action_item", "own", "POST",
     lambda a: url_for("mentoring.complete_action_item", item_id=_item(a, "own").id), DONE_OWN),
    ("mentoring.complete_action_item", "other", "POST",
     lambda a: url_for("mentoring.complete_action_item", item_id=_item(a, "other").id), DONE_OTHER),
    ("mentoring.reopen_action_item", "own", "POST",
     lambda a: url_for("mentoring.reopen_action_item", item_id=_item(a, "own", done=True).id), REOPEN),
    ("mentoring.reopen_action_item", "other", "POST",
     lambda a: url_for("mentoring.reopen_action_item", item_id=_item(a, "other", done=True).id), DONE_OTHER),
]
