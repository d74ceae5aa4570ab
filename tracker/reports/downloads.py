"""Report files: cohort report as XLSX, CSV, PDF and JSON, the IATI file, and the holder's one-pager.

`cohort_file` reads the filters exactly as the report page does (`filters.parse_filters`: repeated
`cohort` ids, `from`, `to`, `submitted=1`), builds the one report dict (`services.cohort_report`) and
streams it in the asked format. Only the XLSX carries personal data (its raw sheets: members' names,
phones, e-mails...); every download is recorded as a `report.export` AuditEvent saying so.
"""

import datetime as dt
import io

from flask import Blueprint, abort, send_file
from flask import request as flask_request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from tracker.core.audit import record
from tracker.core.errors import render_error
from tracker.core.permissions import Action, require
from tracker.extensions import db
from tracker.reports import exporters
from tracker.reports.filters import ReportFilters, parse_filters
from tracker.reports.services import cohort_report, to_json

bp = Blueprint("report_files", __name__)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# format in the URL -> (mimetype, extension of the downloaded file)
FORMATS = {
    "xlsx": (XLSX_MIMETYPE, "xlsx"),
    "csv": ("application/zip", "csv.zip"),  # one CSV per section in a ZIP (see exporters)
    "pdf": ("application/pdf", "pdf"),
    "json": ("application/json", "json"),
}
PERSONAL_DATA_FORMATS = ("xlsx",)  # raw sheets: names, phones, e-mails, birth dates


def file_stem(report: dict, filters: ReportFilters) -> str:
    """mowakaba-<cohort slug | programme | N-cohorts>[-<from>]-<to or reference date>."""
    slugs = report["filters"]["cohorts"]
    if filters.cohort_ids and len(slugs) == 1:
        scope = slugs[0]
    elif filters.cohort_ids:
        scope = f"{len(slugs)}-cohorts"
    else:
        scope = "programme"
    parts = ["mowakaba", scope]
    if filters.date_from:
        parts.append(filters.date_from.isoformat())
    parts.append((filters.date_to or report["filters"]["reference_date"]).isoformat())
    return "-".join(parts)


def _audit_filters(filters: ReportFilters, report: dict) -> dict:
    return {
        "cohorts": report["filters"]["cohorts"],
        "from": filters.date_from.isoformat() if filters.date_from else None,
        "to": filters.date_to.isoformat() if filters.date_to else None,
        "include_submitted": filters.include_submitted,
    }


def _attachment(data: bytes, mimetype: str, name: str):
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


def _record_export(fmt: str, entity_type: str, entity_id: int | None, details: dict) -> None:
    record(current_user, "report.export", entity_type, entity_id,
           {"format": fmt, "personal_data": fmt in PERSONAL_DATA_FORMATS, **details})
    db.session.commit()


@bp.route("/reports/cohort.<fmt>")
@require(Action.EXPORT_COHORT)
def cohort_file(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    filters = parse_filters(flask_request.args)
    if not filters.valid:
        return render_error(400, " ".join(str(e) for e in filters.errors))
    cohort_ids = filters.selected_cohort_ids()
    try:
        report = cohort_report(cohort_ids, filters.date_from, filters.date_to, filters.include_submitted)
    except ValueError:
        return render_error(400)
    generated_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if fmt == "xlsx":
        from tracker.reports.raw import raw_frames

        raw = raw_frames(cohort_ids, filters.date_from, report["filters"]["reference_date"],
                         filters.include_submitted)
        data = exporters.to_xlsx(report, generated_at, raw=raw)
    elif fmt == "csv":
        data = exporters.to_csv_zip(report)
    elif fmt == "pdf":
        from tracker.reports.pdf import cohort_pdf

        data = cohort_pdf(report, str(get_locale() or "fr"), generated_at)
    else:
        data = (to_json(report) + "\n").encode("utf-8")
    mimetype, extension = FORMATS[fmt]
    entity_id = cohort_ids[0] if len(cohort_ids) == 1 and filters.cohort_ids else None
    _record_export(fmt, "cohort", entity_id, {"filters": _audit_filters(filters, report)})
    return _attachment(data, mimetype, f"{file_stem(report, filters)}.{extension}")


@bp.route("/reports/iati/<int:cohort>.xml")
@require(Action.EXPORT_COHORT)
def iati_file(cohort: int):
    from tracker.cohorts.models import Cohort
    from tracker.reports.iati import EmptyCohortError, cohort_activities_xml

    found = db.session.get(Cohort, cohort)
    if found is None:
        abort(404)
    try:
        data = cohort_activities_xml(found)
    except EmptyCohortError:
        return render_error(400, _("Cette cohorte n'a aucun projet : le fichier IATI serait vide."))
    _record_export("iati", "cohort", found.id, {"filters": {"cohorts": [found.slug]}})
    return _attachment(data, "application/xml", f"mowakaba-{found.slug}-iati.xml")
