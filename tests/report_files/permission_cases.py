"""Report file routes × roles, joined to tests/core/test_permission_matrix.py (same row shape).

Exporting cohort data (every file format, the IATI file) is for admins and managers; staff see the
report on screen only (403); a holder is told nothing exists (404). A file built by a job (issue 20) is
only for the user who asked for it: here the manager's, so the admin gets 404 too.
"""

from flask import url_for

from tests.report_files.exports import ready_export
from tests.roles import ROLES


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


EXPORTERS = S(302, 200, 200, 403, 404)

CASES = [
    ("report_files.cohort_file", fmt, "GET",
     lambda a, fmt=fmt: url_for("report_files.cohort_file", fmt=fmt, cohort=a.cohort.id), EXPORTERS)
    for fmt in ("xlsx", "csv", "json", "pdf")
]
CASES += [
    ("report_files.cohort_file", "json-programme", "GET",
     lambda a: url_for("report_files.cohort_file", fmt="json"), EXPORTERS),
    ("report_files.iati_file", "", "GET", lambda a: url_for("report_files.iati_file", cohort=a.cohort.id),
     EXPORTERS),
]

OWNER_ONLY = S(302, 404, 200, 403, 404)  # the manager's own export
CASES += [
    ("report_files.export_status", "", "GET",
     lambda a: url_for("report_files.export_status", export=ready_export(a.manager)), OWNER_ONLY),
    ("report_files.export_file", "", "GET",
     lambda a: url_for("report_files.export_file", export=ready_export(a.manager)), OWNER_ONLY),
]
