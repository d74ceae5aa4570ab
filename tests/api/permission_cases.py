"""API and token routes × a session cookie of each role (issue 22), joined to tests/core/test_permission_matrix.py.

A session cookie never authenticates the API: every data route answers 401 to every role. What a bearer
token of each role and scope gets is tests/api/test_endpoints.py's matrix."""

from flask import url_for

from tests.roles import ROLES
from tracker.api import access_tokens
from tracker.extensions import db


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


NO_COOKIE = S(401, 401, 401, 401, 401)
PUBLIC = S(200, 200, 200, 200, 200)


def _staff_token(a):
    if "_api_token" not in a.__dict__:
        _secret, a._api_token = access_tokens.create(None, a.staff, name="Outil", scopes=["projects:read"])
        db.session.commit()
    return a._api_token.id


CASES = [
    ("api.list_cohorts", "", "GET", lambda a: url_for("api.list_cohorts"), NO_COOKIE),
    ("api.list_projects", "", "GET", lambda a: url_for("api.list_projects"), NO_COOKIE),
    ("api.get_project", "", "GET", lambda a: url_for("api.get_project", project_id=a.project.id), NO_COOKIE),
    ("api.list_indicators", "", "GET", lambda a: url_for("api.list_indicators"), NO_COOKIE),
    ("api.list_targets", "", "GET", lambda a: url_for("api.list_targets", project_id=a.project.id), NO_COOKIE),
    ("api.list_reports", "", "GET", lambda a: url_for("api.list_reports", project_id=a.project.id), NO_COOKIE),
    ("api.cohort_report_json", "", "GET", lambda a: url_for("api.cohort_report_json", cohort=a.cohort.slug),
     NO_COOKIE),
    ("api.openapi_document", "", "GET", lambda a: url_for("api.openapi_document"), PUBLIC),
    ("api.docs", "", "GET", lambda a: url_for("api.docs"), PUBLIC),
    ("tokens.list_tokens", "", "GET", lambda a: url_for("tokens.list_tokens"), S(302, 200, 200, 200, 200)),
    # the staff member's own token: they and admins revoke it (then back to the list); others get 404
    ("tokens.revoke_token", "", "POST", lambda a: url_for("tokens.revoke_token", token_id=_staff_token(a)),
     S(302, 302, 404, 302, 404)),
]
