"""Milestone routes × roles, joined to tests/core/test_permission_matrix.py (same row shape).

That module imports this one while it is being imported, so nothing is imported back from it: the S(...)
helper and the profiles are restated here. Each route has an "own" variant (the holder's project) and an
"other" one (a project the holder is not linked to). A milestone and one evidence file (really on disk)
are created per variant on first use and cached on the `actors` object.
"""

from flask import url_for

from tests.milestones.factories import AttachmentFactory, MilestoneFactory
from tests.roles import ROLES


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


OWN = S(302, 200, 200, 200, 200)  # DESIGN §2: edit milestones = all staff side + holder on own projects
OTHER = S(302, 200, 200, 200, 404)  # a holder never learns that another project's milestone exists
OWN_POST = S(302, 302, 302, 302, 302)  # a handled POST redirects
OTHER_POST = S(302, 302, 302, 302, 404)
PROJECTS = {"own": "project", "other": "other_project"}


def _milestone(a, variant):
    cache = a.__dict__.setdefault("_milestones", {})
    if variant not in cache:
        milestone = MilestoneFactory(project=getattr(a, PROJECTS[variant]))
        cache[variant] = (milestone, AttachmentFactory(milestone=milestone))
    return cache[variant][0]


def _attachment(a, variant):
    _milestone(a, variant)
    return a._milestones[variant][1]


def _project(a, variant):
    return getattr(a, PROJECTS[variant])


CASES = []
for _v, _get, _post in (("own", OWN, OWN_POST), ("other", OTHER, OTHER_POST)):
    CASES += [
        ("milestones.list_milestones", _v, "GET",
         lambda a, v=_v: url_for("milestones.list_milestones", project_id=_project(a, v).id), _get),
        ("milestones.list_milestones", f"{_v}-late", "GET",
         lambda a, v=_v: url_for("milestones.list_milestones", project_id=_project(a, v).id, status="late"), _get),
        ("milestones.create_milestone", _v, "GET",
         lambda a, v=_v: url_for("milestones.create_milestone", project_id=_project(a, v).id), _get),
        ("milestones.create_milestone", f"{_v}-post", "POST",  # an empty POST is redrawn with its errors
         lambda a, v=_v: url_for("milestones.create_milestone", project_id=_project(a, v).id), _get),
        ("milestones.view_milestone", _v, "GET",
         lambda a, v=_v: url_for("milestones.view_milestone", milestone_id=_milestone(a, v).id), _get),
        ("milestones.edit_milestone", _v, "GET",
         lambda a, v=_v: url_for("milestones.edit_milestone", milestone_id=_milestone(a, v).id), _get),
        ("milestones.edit_milestone", f"{_v}-post", "POST",  # no version: a conflict, redrawn
         lambda a, v=_v: url_for("milestones.edit_milestone", milestone_id=_milestone(a, v).id), _get),
        ("milestones.delete_milestone", _v, "GET",
         lambda a, v=_v: url_for("milestones.delete_milestone", milestone_id=_milestone(a, v).id), _get),
        ("milestones.delete_milestone", f"{_v}-post", "POST",
         lambda a, v=_v: url_for("milestones.delete_milestone", milestone_id=_milestone(a, v).id), _post),
        ("milestones.mark_achieved", _v, "POST",
         lambda a, v=_v: url_for("milestones.mark_achieved", milestone_id=_milestone(a, v).id), _post),
        ("milestones.upload_evidence", _v, "POST",  # no file chosen: a message, back to the page
         lambda a, v=_v: url_for("milestones.upload_evidence", milestone_id=_milestone(a, v).id), _post),
        ("milestones.download_evidence", _v, "GET",
         lambda a, v=_v: url_for("milestones.download_evidence", attachment_id=_attachment(a, v).id), _get),
        ("milestones.delete_evidence", _v, "GET",
         lambda a, v=_v: url_for("milestones.delete_evidence", attachment_id=_attachment(a, v).id), _get),
        ("milestones.delete_evidence", f"{_v}-post", "POST",
         lambda a, v=_v: url_for("milestones.delete_evidence", attachment_id=_attachment(a, v).id), _post),
    ]
