"""The holder's one-pager: a PDF of one project in the reader's language (route on the report_files blueprint).

Staff-side roles may download it for any project; a holder only for their own projects (404 for any other,
as on the project page). Not audited: it holds the project's own profile and counts, no member's personal
data (no names, phones, e-mails or birth dates).
"""

import io

from flask_babel import get_locale

from tracker.core.downloads import send_download
from tracker.core.permissions import Action, require
from tracker.core.view_helpers import load_or_404
from tracker.projects import services as project_services
from tracker.reports.downloads import bp


@bp.route("/projects/<int:project_id>/one-pager.pdf")
@require(Action.EXPORT_ONE_PAGER)
def one_pager(project_id: int):
    # A holder outside their projects gets 404.
    project = load_or_404(project_services.get_project, project_id, Action.EXPORT_ONE_PAGER)

    from tracker.reports.pdf import one_pager_pdf  # WeasyPrint is loaded on first use only

    data = one_pager_pdf(project, str(get_locale() or "fr"))
    name = f"mowakaba-{project.code or project.id}-fiche.pdf".replace("/", "-")
    response = send_download(io.BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=name,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
