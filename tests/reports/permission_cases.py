"""Cohort report page routes × roles, joined to tests/core/test_permission_matrix.py (same row shape).

Staff see the report on screen (the download links are a separate matter, tests/reports/test_views.py);
holders get 404, never 403. Bad filters redraw the page with the messages (400), never a 500.
"""

from flask import url_for

from tests.roles import ROLES


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


STAFF_SIDE = S(302, 200, 200, 200, 404)
BAD_FILTERS = S(302, 400, 400, 400, 404)

CASES = [
    ("reports.cohort_report", "", "GET", lambda a: url_for("reports.cohort_report"), STAFF_SIDE),
    ("reports.cohort_report", "filtered", "GET",
     lambda a: url_for("reports.cohort_report", cohort=a.cohort.id, **{"from": "2025-01-01", "to": "2025-06-30"},
                       submitted="1"), STAFF_SIDE),
    ("reports.cohort_report", "bad-filters", "GET",
     lambda a: url_for("reports.cohort_report", cohort="x", **{"from": "01/02/2025"}), BAD_FILTERS),
]
