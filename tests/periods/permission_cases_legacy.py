"""The old period-report addresses under /reports (before issue 16), joined to the permission matrix: each one
answers a permanent redirect to its new address to everyone, signed in or not; the new page then checks."""

from flask import url_for

from tests.roles import ROLES

MOVED = dict.fromkeys(ROLES, 308)

CASES = [
    ("periods_legacy.list_due", "", "GET", lambda a: url_for("periods_legacy.list_due"), MOVED),
    ("periods_legacy.edit_report", "", "GET",
     lambda a: url_for("periods_legacy.edit_report", project_id=a.project.id, period_label="2025-T1"), MOVED),
    ("periods_legacy.edit_report", "post", "POST",
     lambda a: url_for("periods_legacy.edit_report", project_id=a.other_project.id, period_label="2025-T1"), MOVED),
    ("periods_legacy.review_queue", "", "GET", lambda a: url_for("periods_legacy.review_queue"), MOVED),
    ("periods_legacy.reassign_reviews", "", "POST", lambda a: url_for("periods_legacy.reassign_reviews"), MOVED),
    ("periods_legacy.review_report", "", "GET", lambda a: url_for("periods_legacy.review_report", report_id=1), MOVED),
    ("periods_legacy.review_report", "post", "POST",
     lambda a: url_for("periods_legacy.review_report", report_id=1), MOVED),
    ("periods_legacy.reopen_report", "", "POST", lambda a: url_for("periods_legacy.reopen_report", report_id=1),
     MOVED),
]
