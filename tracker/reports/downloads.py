"""Report files: cohort report as XLSX, CSV, PDF and JSON, the IATI file, and the holder's one-pager.

`cohort_file` reads the filters exactly as the report page does (`filters.parse_filters`: repeated
`cohort` ids, `from`, `to`, `submitted=1`, `annex=1` for the PDF's per-project annex), builds the one report
dict (`services.cohort_report`) and streams it in the asked format, in the reader's language (the CSV in
the dialect of that language, or `dialect=excel-fr|excel-en`). Only the XLSX carries personal data (its raw
sheets: members' names, phones, e-mails...); every download is recorded as a `report.export` AuditEvent
saying so. The IATI file needs `IATI_ORG_REF`: without it the download says what to set.
"""

import datetime as dt
import io

from flask import Blueprint, abort, current_app, make_response, redirect, render_template, url_for
from flask import request as flask_request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from tracker.core.audit import record
from tracker.core.downloads import send_download
from tracker.core.errors import render_error
from tracker.core.formatting import DIALECTS
from tracker.core.lifecycle import saving
from tracker.core.permissions import Action, require
from tracker.extensions import db
from tracker.reports import export_jobs, exporters
from tracker.reports.annex import AnnexTooLargeError
from tracker.reports.filters import ReportFilters, parse_filters
from tracker.reports.queries import fetch_annex
from tracker.reports.services import cohort_report, report_names, to_json

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
REFRESH_SECONDS = 3  # the page of a file being built asks again this often


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
    response = send_download(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


def _record_export(fmt: str, entity_type: str, entity_id: int | None, details: dict) -> None:
    with saving(catch=()):
        record(current_user, "report.export", entity_type, entity_id,
               {"format": fmt, "personal_data": fmt in PERSONAL_DATA_FORMATS, **details})


@bp.route("/reports/cohort.<fmt>")
@require(Action.EXPORT_COHORT)
def cohort_file(fmt: str):
    if fmt not in FORMATS:
        abort(404)
    filters = parse_filters(flask_request.args)
    if not filters.valid:
        return render_error(400, " ".join(str(e) for e in filters.errors))
    dialect = flask_request.args.get("dialect") or None
    if dialect is not None and dialect not in DIALECTS:
        return render_error(400, _("Format CSV inconnu : choisissez excel-fr ou excel-en."))
    cohort_ids = filters.selected_cohort_ids()
    locale = str(get_locale() or "fr")
    if export_jobs.needs_job(fmt, filters.cohort_ids, cohort_ids):
        if filters.annex and fmt == "pdf":  # the whole programme is always beyond the annex's limit
            return render_error(400, _("L'annexe compte une page par projet : choisissez moins de cohortes."))
        token = export_jobs.start(current_user.id, fmt, flask_request.args, locale, dialect)
        return redirect(url_for("report_files.export_status", export=token))
    try:
        data, name, audit = build_file(fmt, filters, locale, dialect)
    except AnnexTooLargeError:  # a ValueError too: caught first
        return render_error(400, _("L'annexe compte une page par projet : choisissez moins de cohortes."))
    except ValueError:
        return render_error(400)
    _record_export(fmt, "cohort", audit["entity_id"], audit["details"])
    return _attachment(data, FORMATS[fmt][0], name)


def build_file(fmt: str, filters: ReportFilters, locale: str, dialect: str | None) -> tuple[bytes, str, dict]:
    """(the file's bytes, its download name, what the audit event records) for the cohort report with these
    filters, in `locale`; the direct download and the export job (`export_jobs.build`) both use it.
    Raises ValueError (window) and AnnexTooLargeError."""
    cohort_ids = filters.selected_cohort_ids()
    report = cohort_report(cohort_ids, filters.date_from, filters.date_to, filters.include_submitted)
    if fmt == "json":
        data = (to_json(report) + "\n").encode("utf-8")
    else:
        rows = fetch_annex(cohort_ids) if filters.annex and fmt == "pdf" else None
        data = _file(fmt, report, rows, cohort_ids, filters, locale, dialect)
    entity_id = cohort_ids[0] if len(cohort_ids) == 1 and filters.cohort_ids else None
    audit = {"entity_id": entity_id, "details": {"filters": _audit_filters(filters, report)}}
    return data, f"{file_stem(report, filters)}.{FORMATS[fmt][1]}", audit


def _file(fmt: str, report: dict, rows: dict | None, cohort_ids, filters: ReportFilters, locale: str,
          dialect: str | None) -> bytes:
    """The XLSX, CSV or PDF in `locale`; raises AnnexTooLargeError when the asked annex would be too large."""
    generated_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    names = report_names(report, locale)
    if fmt == "xlsx":
        from tracker.reports.raw import raw_frames

        raw = raw_frames(cohort_ids, filters.date_from, report["filters"]["reference_date"],
                         filters.include_submitted)
        return exporters.to_xlsx(report, generated_at, raw=raw, locale=locale, names=names)
    if fmt == "csv":
        return exporters.to_csv_zip(report, locale, dialect, names)
    from tracker.reports.pdf import cohort_pdf

    return cohort_pdf(report, locale, generated_at, rows=rows)


@bp.route("/reports/exports/<export>")
@require(Action.EXPORT_COHORT)
def export_status(export: str):
    """The page of a file being built by a job: refreshes itself until the file is ready, then links to it."""
    record = export_jobs.get_export(export, current_user.id)
    if record is None:
        abort(404)
    retry = url_for("report_files.cohort_file", fmt=record["fmt"], **_args(record))
    response = make_response(render_template("reports/export_status.html", record=record, retry=retry))
    if record["status"] in (export_jobs.QUEUED, export_jobs.RUNNING):
        response.headers["Refresh"] = str(REFRESH_SECONDS)  # the browser asks again; no script needed
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/reports/exports/<export>/file")
@require(Action.EXPORT_COHORT)
def export_file(export: str):
    """The file a job built, for the user who asked for it, while it is kept (24 h); audited."""
    record = export_jobs.get_export(export, current_user.id)
    if record is None or record["status"] != export_jobs.READY:
        abort(404)
    _record_export(record["fmt"], "cohort", record["audit"]["entity_id"], record["audit"]["details"])
    response = send_download(str(export_jobs.file_path(record)), mimetype=FORMATS[record["fmt"]][0],
                             as_attachment=True, download_name=record["download_name"], max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


def _args(record: dict) -> dict:
    out: dict = {}
    for key, value in record["args"]:
        out.setdefault(key, []).append(value)
    return out


@bp.route("/reports/iati/<int:cohort>.xml")
@require(Action.EXPORT_COHORT)
def iati_file(cohort: int):
    from tracker.cohorts.models import Cohort
    from tracker.reports.iati import EmptyCohortError, UndatedCohortError, cohort_activities_xml

    found = db.session.get(Cohort, cohort)
    if found is None:
        abort(404)
    if not current_app.config.get("IATI_ORG_REF"):
        return render_error(400, _("Fichier IATI indisponible : l'identifiant IATI de votre organisation n'est pas "
                                   "configuré. Demandez à l'administrateur du serveur de définir la variable "
                                   "IATI_ORG_REF (par exemple MA-RC-12345), ainsi que IATI_ORG_NAME et "
                                   "IATI_ORG_TYPE."))
    try:
        data = cohort_activities_xml(found)
    except EmptyCohortError:
        return render_error(400, _("Cette cohorte n'a aucun projet : le fichier IATI serait vide."))
    except UndatedCohortError:
        return render_error(400, _("Cette cohorte n'a ni date de début, ni date de forum, ni date de fin : "
                                   "renseignez-les pour produire le fichier IATI."))
    _record_export("iati", "cohort", found.id, {"filters": {"cohorts": [found.slug]}})
    return _attachment(data, "application/xml", f"mowakaba-{found.slug}-iati.xml")
