"""Every route × anonymous and the four roles → the status DESIGN §2 expects.

The table is written out here on purpose rather than derived from POLICY, so a wrong policy fails.
302 for anonymous means "sent to the login page"; a holder gets 404 (never 403) outside their projects.
"""

import pytest
from flask import url_for

from tests.roles import ROLES


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


EVERYONE = S(302, 200, 200, 200, 200)
STAFF_SIDE = S(302, 200, 200, 200, 404)
MANAGERS = S(302, 200, 200, 403, 404)
ADMIN_ONLY = S(302, 200, 403, 403, 404)
OWN_PROJECT = S(302, 200, 200, 200, 200)
OTHER_PROJECT = S(302, 200, 200, 200, 404)

# (endpoint, variant, method, url builder, expected)
CASES = [
    ("core.home", "", "GET", lambda a: url_for("core.home"), EVERYONE),
    ("core.health", "", "GET", lambda a: url_for("core.health"), S(200, 200, 200, 200, 200)),
    ("core.set_language", "", "POST", lambda a: url_for("core.set_language"), S(302, 302, 302, 302, 302)),
    # Issue 21: the manifest and the service worker are public, like a static file; neither holds personal data.
    ("offline.manifest", "", "GET", lambda a: url_for("offline.manifest", lang="ar"), S(200, 200, 200, 200, 200)),
    ("offline.service_worker", "", "GET", lambda a: url_for("offline.service_worker"), S(200, 200, 200, 200, 200)),
    ("auth.login", "", "GET", lambda a: url_for("auth.login"), S(200, 302, 302, 302, 302)),
    ("auth.logout", "", "POST", lambda a: url_for("auth.logout"), S(302, 302, 302, 302, 302)),
    ("auth.change_password", "", "GET", lambda a: url_for("auth.change_password"), EVERYONE),
    ("admin.list_users", "", "GET", lambda a: url_for("admin.list_users"), ADMIN_ONLY),
    ("admin.create_user", "", "GET", lambda a: url_for("admin.create_user"), ADMIN_ONLY),
    ("admin.edit_user", "", "GET", lambda a: url_for("admin.edit_user", user_id=a.staff.id), ADMIN_ONLY),
    ("admin.deactivate_user", "", "GET", lambda a: url_for("admin.deactivate_user", user_id=a.staff.id),
     ADMIN_ONLY),
    ("cohorts.list_cohorts", "", "GET", lambda a: url_for("cohorts.list_cohorts"), STAFF_SIDE),
    ("cohorts.create_cohort", "", "GET", lambda a: url_for("cohorts.create_cohort"), MANAGERS),
    ("cohorts.view_cohort", "", "GET", lambda a: url_for("cohorts.view_cohort", slug=a.cohort.slug), STAFF_SIDE),
    ("cohorts.edit_cohort", "", "GET", lambda a: url_for("cohorts.edit_cohort", slug=a.cohort.slug), MANAGERS),
    ("projects.list_projects", "", "GET", lambda a: url_for("projects.list_projects"), EVERYONE),
    ("projects.create_project", "", "GET", lambda a: url_for("projects.create_project"), STAFF_SIDE),
]

for _variant, _project, _expected in (("own", "project", OWN_PROJECT), ("other", "other_project", OTHER_PROJECT)):
    CASES += [
        ("projects.view_project", _variant, "GET",
         lambda a, p=_project: url_for("projects.view_project", project_id=getattr(a, p).id), _expected),
        ("projects.edit_project", _variant, "GET",
         lambda a, p=_project: url_for("projects.edit_project", project_id=getattr(a, p).id), _expected),
        ("projects.create_member", _variant, "GET",
         lambda a, p=_project: url_for("projects.create_member", project_id=getattr(a, p).id), _expected),
        ("projects.edit_member", _variant, "GET",
         lambda a, p=_project: url_for("projects.edit_member", project_id=getattr(a, p).id,
                                       member_id=getattr(a, p).members[0].id), _expected),
        ("projects.delete_member", _variant, "GET",
         lambda a, p=_project: url_for("projects.delete_member", project_id=getattr(a, p).id,
                                       member_id=getattr(a, p).members[0].id), _expected),
    ]

EXEMPT = {"static"}


def _feature_cases():
    """Each feature keeps its own rows in tests/<feature>/permission_cases.py (a CASES list of the same
    shape, using the S(...) helper and profiles above); they all join this one matrix."""
    import importlib
    import pathlib

    rows = []
    for path in sorted(pathlib.Path(__file__).resolve().parents[1].glob("*/permission_cases*.py")):
        rows += importlib.import_module(f"tests.{path.parent.name}.{path.stem}").CASES
    return rows


CASES += _feature_cases()


def _client(app, login_as, role):
    return app.test_client() if role == "anon" else login_as(role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "endpoint, variant, method, build, expected",
    CASES,
    ids=[f"{c[0]}{'-' + c[1] if c[1] else ''}" for c in CASES],
)
def test_route_status(app, actors, login_as, endpoint, variant, method, build, expected, role):
    client = _client(app, login_as, role)
    with app.test_request_context():
        url = build(actors)
    data = {"locale": "fr"} if endpoint == "core.set_language" else None
    response = client.open(url, method=method, data=data)
    assert response.status_code == expected[role], f"{role} {method} {url}"
    if expected[role] == 302 and role == "anon" and endpoint not in ("core.set_language", "auth.logout"):
        assert response.location.startswith("/login")


def test_matrix_covers_every_route(app):
    covered = {case[0] for case in CASES}
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - EXEMPT
    assert endpoints - covered == set(), "routes missing from the permission matrix"
    assert covered - endpoints == set(), "matrix names routes that do not exist"


def test_holder_gets_404_not_403_on_another_project(app, actors, login_as):
    client = login_as("holder")
    with app.test_request_context():
        url = url_for("projects.view_project", project_id=actors.other_project.id)
    response = client.get(url)
    assert response.status_code == 404
    assert actors.other_project.name not in response.get_data(as_text=True)
