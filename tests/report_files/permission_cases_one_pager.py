"""The holder one-pager route × roles, joined to tests/core/test_permission_matrix.py (same row shape).

DESIGN §2: every staff-side role may print any project's one-pager; a holder only their own project's, and
gets 404 (never 403) for another project. The helper and profiles are restated here (that module imports
this one while it is being imported).
"""

from flask import url_for

from tests.roles import ROLES


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


OWN = S(302, 200, 200, 200, 200)
OTHER = S(302, 200, 200, 200, 404)

CASES = [
    ("report_files.one_pager", variant, "GET",
     lambda a, p=project: url_for("report_files.one_pager", project_id=getattr(a, p).id), expected)
    for variant, project, expected in (("own", "project", OWN), ("other", "other_project", OTHER))
]
