"""Period reports moved from /reports/… to /period-reports/… (issue 16: the cohort report owns /reports).
Old links — bookmarks, e-mails already sent, pages kept offline — get a permanent redirect to the same page.

308 rather than 301: it keeps the method and the body, so a form posted from a page loaded before the move
still lands (the new page then checks login, permission and CSRF as usual). The query string is kept.
The redirects are public: they reveal nothing the new URL would not, and the new URL does the checks.
"""

from flask import Blueprint, redirect, request, url_for

from tracker.core.permissions import public

bp = Blueprint("periods_legacy", __name__, url_prefix="/reports")

# (old rule under /reports, methods, endpoint of the new page)
MOVED = (
    ("/due", ("GET",), "periods.list_due"),
    ("/projects/<int:project_id>/<period_label>", ("GET", "POST"), "periods.edit_report"),
    ("/review", ("GET",), "periods.review_queue"),
    ("/review/reassign", ("POST",), "periods.reassign_reviews"),
    ("/<int:report_id>/review", ("GET", "POST"), "periods.review_report"),
    ("/<int:report_id>/reopen", ("POST",), "periods.reopen_report"),
)


def _redirect_to(endpoint: str):
    @public
    def moved(**kwargs):
        target = url_for(endpoint, **kwargs)
        if request.query_string:
            target += "?" + request.query_string.decode("latin-1")
        return redirect(target, code=308)

    moved.__name__ = endpoint.split(".")[1]
    return moved


for _rule, _methods, _endpoint in MOVED:
    bp.add_url_rule(_rule, view_func=_redirect_to(_endpoint), methods=list(_methods))
