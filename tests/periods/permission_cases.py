"""Period report routes × roles, joined to tests/core/test_permission_matrix.py (same row shape).

Reports are created on first use and cached on the `actors` object: "own" on the holder's project,
"other" on a project the holder is not linked to. The Actors cohort is quarterly from 2025-01-01, so
2025-T1 has ended whatever day the suite runs.
"""

import datetime as dt

from flask import url_for

from tests.periods.factories import PeriodReportFactory
from tests.roles import ROLES
from tracker.extensions import db
from tracker.periods.models import ReportStatus


def S(anon, admin, manager, staff, holder):
    return dict(zip(ROLES, (anon, admin, manager, staff, holder), strict=True))


EVERYONE = S(302, 200, 200, 200, 200)
STAFF_SIDE = S(302, 200, 200, 200, 404)
REOPEN = S(302, 200, 200, 403, 404)  # an empty reason redraws the review page with its error


def _report(a, variant, status):
    cache = a.__dict__.setdefault("_period_reports", {})
    key = (variant, status)
    if key not in cache:
        project = a.project if variant == "own" else a.other_project
        submitter = (a.holder if variant == "own" else a.manager) if status != ReportStatus.DRAFT else None
        cache[key] = PeriodReportFactory(
            project=project, period_label="2025-T2" if status == ReportStatus.APPROVED else "2025-T1",
            period_start=dt.date(2025, 4, 1) if status == ReportStatus.APPROVED else dt.date(2025, 1, 1),
            period_end=dt.date(2025, 6, 30) if status == ReportStatus.APPROVED else dt.date(2025, 3, 31),
            status=status, submitted_by=submitter,
        )
        # Committed like real data (the test's outer transaction still rolls it back): a refused POST rolls
        # its request back, and must not take the report with it.
        db.session.commit()
    return cache[key]


def _form_url(a, attr, label="2025-T1"):
    return url_for("periods.edit_report", project_id=getattr(a, attr).id, period_label=label)


CASES = [
    ("periods.list_due", "", "GET", lambda a: url_for("periods.list_due"), EVERYONE),
    ("periods.list_due", "filtered", "GET",
     lambda a: url_for("periods.list_due", state="all", cohort=a.cohort.id, mentor="all"), EVERYONE),
    ("periods.edit_report", "own", "GET", lambda a: _form_url(a, "project"), EVERYONE),
    ("periods.edit_report", "other", "GET", lambda a: _form_url(a, "other_project"), STAFF_SIDE),
    ("periods.edit_report", "own-approved", "GET",
     lambda a: _form_url(a, "project", _report(a, "own", ReportStatus.APPROVED).period_label), EVERYONE),
    ("periods.edit_report", "other-submitted", "GET",
     lambda a: _form_url(a, "other_project", _report(a, "other", ReportStatus.SUBMITTED).period_label),
     STAFF_SIDE),
    ("periods.edit_report", "own-post", "POST", lambda a: _form_url(a, "project"), S(302, 302, 302, 302, 302)),
    ("periods.edit_report", "other-post", "POST", lambda a: _form_url(a, "other_project"),
     S(302, 302, 302, 302, 404)),
    ("periods.edit_report", "unknown-period", "GET", lambda a: _form_url(a, "project", "2031-T9"),
     S(302, 404, 404, 404, 404)),
    ("periods.edit_report", "missing-project", "GET",
     lambda a: url_for("periods.edit_report", project_id=987654, period_label="2025-T1"),
     S(302, 404, 404, 404, 404)),
    ("periods.review_queue", "", "GET", lambda a: url_for("periods.review_queue"), STAFF_SIDE),
    ("periods.review_report", "own", "GET",
     lambda a: url_for("periods.review_report", report_id=_report(a, "own", ReportStatus.SUBMITTED).id),
     STAFF_SIDE),
    ("periods.review_report", "other", "GET",
     lambda a: url_for("periods.review_report", report_id=_report(a, "other", ReportStatus.SUBMITTED).id),
     STAFF_SIDE),
    ("periods.review_report", "own-post", "POST",
     lambda a: url_for("periods.review_report", report_id=_report(a, "own", ReportStatus.SUBMITTED).id),
     STAFF_SIDE),  # no decision: the page is redrawn with a message
    ("periods.reopen_report", "own", "POST",
     lambda a: url_for("periods.reopen_report", report_id=_report(a, "own", ReportStatus.APPROVED).id), REOPEN),
    ("periods.reopen_report", "other", "POST",
     lambda a: url_for("periods.reopen_report", report_id=_report(a, "other", ReportStatus.APPROVED).id), REOPEN),
    # Without reports ticked the queue comes back with a message; staff may not reassign.
    ("periods.reassign_reviews", "", "POST", lambda a: url_for("periods.reassign_reviews"),
     S(302, 302, 302, 403, 404)),
]
