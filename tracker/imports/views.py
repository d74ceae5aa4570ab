"""Web import of the forum spreadsheet: upload → preview (→ choices for the conflicts) → confirm → result.

Nothing is written before the confirmation (DESIGN §7). The uploaded bytes wait in `storage` under a random
token, with the rows read from them (`parsed`: the file is read once, at upload); only the uploader, or an
admin, may open a token's pages; anyone else gets 404, as for an unknown or malformed token. The choices for
the conflicts are kept in the token's sidecar; the confirmation carries the digest of the choices the
preview showed and is refused if they changed. A confirmation claims the token first, so submitting it
twice never imports twice.
"""

import datetime as dt
import enum
import io
import math
from collections import Counter
from dataclasses import asdict, is_dataclass
from decimal import Decimal

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tracker.cohorts.models import Cohort
from tracker.cohorts.services import all_cohorts
from tracker.core.dates import date_text, datetime_text
from tracker.core.downloads import send_download
from tracker.core.i18n import label
from tracker.core.lifecycle import saving
from tracker.core.permissions import Action, Role, require
from tracker.core.query_args import int_arg
from tracker.extensions import db
from tracker.imports import parsed, services, storage
from tracker.imports.columns import COLUMNS, map_headers
from tracker.imports.forms import (
    CONFLICT_LABELS,
    MODE_VALID,
    CancelImportForm,
    ChoicesForm,
    ConfirmImportForm,
    UploadForm,
)
from tracker.imports.normalise import name_key
from tracker.imports.plan import Choices
from tracker.imports.reader import read_sheet
from tracker.milestones.uploads import clean_name, extension_of

bp = Blueprint("imports", __name__, url_prefix="/imports")

PROJECTS_PER_PAGE = 100  # rows of the preview's project table: a 10,000-row file stays a light page
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Labels of the fields a change can name (project and member fields).
FIELD_LABELS = {
    "name": _l("Nom du projet"),
    "sector": _l("Secteur"),
    "sub_sector": _l("Sous-secteur"),
    "summary": _l("Résumé"),
    "stage": _l("Stade"),
    "legal_form": _l("Forme juridique"),
    "province": _l("Province"),
    "commune": _l("Commune"),
    "full_name": _l("Nom complet"),
    "sex": _l("Sexe"),
    "birth_date": _l("Date de naissance"),
    "role": _l("Rôle dans le projet"),
    "role_title": _l("Intitulé du rôle"),
    "is_lead": _l("Porteur principal"),
    "ownership_pct": _l("Part du capital (%)"),
    "phone": _l("Téléphone"),
    "email": _l("E-mail"),
    "consent_date": _l("Date de consentement"),
}

# The project table's filters, worded as the summary's columns.
FILTER_LABELS = {
    "create": _l("À créer"),
    "update": _l("À mettre à jour"),
    "unchanged": _l("Inchangés"),
    "rejected": _l("Rejetés"),
    "conflict": _l("Conflits à résoudre"),
    "skipped": _l("Ignorés"),
}

ACTION_LABELS = {
    "create": _l("Création"),
    "update": _l("Mise à jour"),
    "unchanged": _l("Inchangé"),
    "rejected": _l("Rejeté"),
    "conflict": _l("Conflit"),
    "skipped": _l("Ignoré"),
    "kept": _l("Gardé (absent du fichier)"),
    "removed": _l("Retiré (absent du fichier)"),
}


# ---------------------------------------------------------------- loading

def _load(token: str) -> storage.StoredImport:
    """The stored upload of `token`, for its uploader or an admin; 404 for anyone else, as for a token that
    is malformed, unknown or expired (nobody learns that someone else's upload exists)."""
    entry = storage.load(token)
    if entry is None or (entry.uploader_id != current_user.id and current_user.role != Role.ADMIN):
        abort(404)
    return entry


def _cohort_of(entry: storage.StoredImport) -> Cohort:
    cohort = db.session.get(Cohort, entry.cohort_id)
    if cohort is None:
        abort(404)
    return cohort


def _show(value) -> str:
    """A value of a change as a reader expects it: translated labels, local dates and numbers."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, enum.Enum):
        return label(value)
    if isinstance(value, dt.datetime):
        return datetime_text(value)
    if isinstance(value, dt.date):
        return date_text(value)
    if isinstance(value, (int, float, Decimal)):
        return format_decimal(value)
    return str(value)


def _plain(value):
    return asdict(value) if is_dataclass(value) else dict(value)


# ---------------------------------------------------------------- upload

@bp.route("/", methods=["GET", "POST"])
@require(Action.IMPORT_PROJECTS)
def upload():
    cohorts = all_cohorts()
    form = UploadForm(cohorts=cohorts)
    if request.method == "GET":
        wanted = int_arg("cohort")
        form.cohort_id.data = wanted if any(c.id == wanted for c in cohorts) else None
    if form.validate_on_submit():
        entry = _store(form, cohorts)
        if entry is not None:
            return redirect(url_for("imports.preview", token=entry.token))
    return render_template("imports/upload.html", form=form, columns=COLUMNS,
                           max_mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024))


def _store(form: UploadForm, cohorts: list[Cohort]) -> storage.StoredImport | None:
    """Reads the file once (a bad file is refused here, with nothing stored), then keeps the bytes and the
    rows read for the preview. Returns None with the message on the form when refused."""
    upload_file = form.file.data
    name = clean_name(upload_file.filename)
    ext = extension_of(name)
    if ext not in storage.EXTENSIONS:
        form.file.errors.append(_("« %(name)s » n'est pas un fichier XLSX ou CSV : enregistrez le tableau "
                                  "au format Excel (.xlsx) ou CSV (.csv) puis envoyez-le à nouveau.", name=name))
        return None
    data = upload_file.read()
    if not data:
        form.file.errors.append(_("« %(name)s » est vide.", name=name))
        return None
    cohort = next(c for c in cohorts if c.id == form.cohort_id.data)
    try:
        sheet = read_sheet(data, name)
        map_headers(sheet.headers)
    except services.ImportFileError as error:
        form.file.errors.append(str(error.message))
        return None
    entry = storage.save(data, name, ext, current_user.id, cohort.id)
    parsed.save(sheet, entry.sha256, cohort.id)
    return entry


# ---------------------------------------------------------------- preview

def _preview_of(entry: storage.StoredImport, cohort: Cohort) -> services.ImportPreview:
    """The preview of a stored upload with its choices, from the rows read at upload (never the file again).
    Raises ImportFileError when the stored file cannot be read; 404 when it is gone."""
    sheet = parsed.sheet_of(entry)
    if sheet is None:
        abort(404)
    return services.preview_import(cohort, None, entry.original_name, sheet=sheet, sha256=entry.sha256,
                                   choices=Choices.from_dict(entry.choices))


def _unreadable(entry: storage.StoredImport, error: services.ImportFileError):
    storage.delete(entry.token)
    parsed.delete(entry)
    flash(str(error.message), "danger")
    return redirect(url_for("imports.upload", cohort=entry.cohort_id))


@bp.route("/<token>")
@require(Action.IMPORT_PROJECTS)
def preview(token: str):
    entry = _load(token)
    if entry.done:
        flash(_("Ce fichier a déjà été importé."), "info")
        return redirect(url_for("imports.result", token=token))
    cohort = _cohort_of(entry)
    try:
        result = _preview_of(entry, cohort)
    except services.ImportFileError as error:
        return _unreadable(entry, error)
    row_issues, project_issues = _split_issues(result.issues)
    action = request.args.get("action") or None
    if action not in (None, *FILTER_LABELS):
        abort(400)
    listed = [p for p in result.projects if action is None or p.action == action]
    pages = max(1, math.ceil(len(listed) / PROJECTS_PER_PAGE))
    page = min(int_arg("page") or 1, pages)
    choices_form = ChoicesForm(apply_all=None, remove_missing=result.choices.remove_missing)
    return render_template(
        "imports/preview.html",
        entry=entry,
        cohort=cohort,
        preview=result,
        summary=_plain(result.summary),
        row_issues=row_issues,
        project_issues=project_issues,
        in_progress=storage.claimed(entry),
        field_labels=FIELD_LABELS,
        action_labels=ACTION_LABELS,
        filter_labels=FILTER_LABELS,
        conflict_labels=CONFLICT_LABELS,
        choices_form=choices_form,
        choices_digest=result.choices.digest(),
        name_key=name_key,
        value_of=_show,
        action=action,
        action_counts=Counter(p.action for p in result.projects),
        projects=listed[(page - 1) * PROJECTS_PER_PAGE: page * PROJECTS_PER_PAGE],
        page=page,
        pages=pages,
    )


@bp.route("/<token>/choices", methods=["POST"])
@require(Action.IMPORT_PROJECTS)
def choose(token: str):
    """Keeps the choices for the conflicts (and for members missing from the file), then shows the preview
    computed with them: the team rules and the changes as the import would apply them."""
    entry = _load(token)
    form = ChoicesForm()
    if entry.done or not form.validate_on_submit():
        flash(_("Choisissez ce qu'il faut faire de chaque conflit."), "warning")
        return redirect(url_for("imports.preview", token=token))
    cohort = _cohort_of(entry)
    try:
        current = _preview_of(entry, cohort)
    except services.ImportFileError as error:
        return _unreadable(entry, error)
    per_project = {}
    for change in current.conflicts:
        key = name_key(change.key)
        wanted = request.form.get(f"conflict-{key}") or form.apply_all.data or None
        if wanted in CONFLICT_LABELS:
            per_project[key] = wanted
    storage.save_choices(entry, Choices(per_project, None, form.remove_missing.data).to_dict())
    left = len(current.conflicts) - len(per_project)
    if left:
        flash(ngettext("%(num)s conflit attend encore un choix.", "%(num)s conflits attendent encore un choix.",
                       left), "warning")
    else:
        flash(_("Choix enregistrés : vérifiez l'aperçu, puis importez."), "info")
    return redirect(url_for("imports.preview", token=token) + "#conflicts")


def _first_line(issue) -> int:
    return min(issue.lines) if issue.lines else 0


def _split_issues(issues):
    """Row errors sorted by spreadsheet row; project errors grouped by project, projects in file order."""
    rows = sorted((i for i in issues if i.level != "project"), key=lambda i: (_first_line(i), i.column or ""))
    groups: dict[str, list] = {}
    for issue in sorted((i for i in issues if i.level == "project"), key=_first_line):
        groups.setdefault(issue.project_key or "", []).append(issue)
    return rows, list(groups.items())


# ---------------------------------------------------------------- confirm, result

@bp.route("/<token>/confirm", methods=["POST"])
@require(Action.IMPORT_PROJECTS)
def confirm(token: str):
    entry = _load(token)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        flash(_("Choisissez ce qu'il faut importer."), "warning")
        return redirect(url_for("imports.preview", token=token))
    if entry.done:
        flash(_("Ce fichier a déjà été importé : rien n'a été importé une seconde fois."), "info")
        return redirect(url_for("imports.result", token=token))
    choices = Choices.from_dict(entry.choices)
    if (form.choices.data or Choices().digest()) != choices.digest():  # no digest: the preview had no choices
        flash(_("Les choix pour les conflits ont changé depuis l'affichage de cet aperçu (autre onglet ?) : "
                "vérifiez-les, puis importez."), "warning")
        return redirect(url_for("imports.preview", token=token) + "#conflicts")
    cohort = _cohort_of(entry)
    try:
        sheet = parsed.sheet_of(entry)
    except services.ImportFileError as error:
        return _unreadable(entry, error)
    if sheet is None or not storage.claim(entry):
        flash(_("L'import de ce fichier est déjà en cours ou a été interrompu : rien n'a été importé une "
                "seconde fois. Si les projets n'apparaissent pas dans la cohorte, envoyez le fichier à nouveau."),
              "warning")
        return redirect(url_for("imports.upload", cohort=entry.cohort_id))
    skip_invalid = form.mode.data == MODE_VALID
    with saving() as outcome:
        outcome.on_rollback(lambda: storage.release(entry))  # the file may be imported again
        result = services.run_import(current_user, cohort, None, entry.original_name, skip_invalid=skip_invalid,
                                     sheet=sheet, sha256=entry.sha256, choices=choices)
    if not outcome.ok:
        flash(_("Rien n'a été enregistré."), "warning")
        anchor = "#conflicts" if isinstance(outcome.error, services.ImportConflicts) else ""
        return redirect(url_for("imports.preview", token=token) + anchor)
    summary = _plain(result.summary)
    rejected_rows = len(result.rejected_lines)
    flash(_summary_message(summary), "success")
    if summary["projects_skipped"] or summary["members_removed"]:
        flash(_("Projets ignorés à votre demande : %(skipped)s. Membres retirés car absents du fichier : "
                "%(removed)s.", skipped=summary["projects_skipped"], removed=summary["members_removed"]), "info")
    keep = rejected_rows > 0 or bool(result.warnings)  # the download lists the warnings too
    try:
        storage.mark_done(entry, {**summary, "rejected_rows": rejected_rows, "mode": form.mode.data,
                                  "user_id": current_user.id}, keep_data=keep)
        if not keep:
            parsed.delete(entry)
    except OSError as error:  # the import is committed: say so; the claim still blocks a second one
        current_app.logger.warning("Could not record the import of %s as done: %s", token, error)
        return redirect(url_for("projects.list_projects", cohort=cohort.id))
    return redirect(url_for("imports.result", token=token))


def _summary_message(summary: dict) -> str:
    return _("Import terminé. Projets : %(pc)s créés, %(pu)s mis à jour, %(pn)s inchangés, %(pr)s rejetés. "
             "Membres : %(mc)s créés, %(mu)s mis à jour, %(mn)s inchangés, %(mr)s rejetés.",
             pc=summary["projects_created"], pu=summary["projects_updated"],
             pn=summary["projects_unchanged"], pr=summary["projects_rejected"],
             mc=summary["members_created"], mu=summary["members_updated"],
             mn=summary["members_unchanged"], mr=summary["members_rejected"])


@bp.route("/<token>/result")
@require(Action.IMPORT_PROJECTS)
def result(token: str):
    entry = _load(token)
    if not entry.done:
        return redirect(url_for("imports.preview", token=token))
    summary = entry.result
    listed = summary.get("rejected_rows", 0) > 0 or summary.get("warnings", 0) > 0
    return render_template("imports/result.html", entry=entry, cohort=_cohort_of(entry), summary=summary,
                           done_at=dt.datetime.fromisoformat(entry.done_at),
                           has_rejected=listed and storage.has_data(entry))


# ---------------------------------------------------------------- rejected rows, cancel

@bp.route("/<token>/rejected.xlsx")
@require(Action.IMPORT_PROJECTS)
def rejected(token: str):
    entry = _load(token)
    try:
        sheet = parsed.sheet_of(entry)
        if sheet is None:
            abort(404)
        content = services.rejected_rows_xlsx(None, entry.original_name, cohort=_cohort_of(entry), sheet=sheet,
                                              choices=Choices.from_dict(entry.choices))
    except services.ImportFileError as error:
        flash(str(error.message), "danger")
        return redirect(url_for("imports.upload", cohort=entry.cohort_id))
    response = send_download(io.BytesIO(content), mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=f"import-rejets-{dt.date.today().isoformat()}.xlsx", max_age=0)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/<token>/cancel", methods=["POST"])
@require(Action.IMPORT_PROJECTS)
def cancel(token: str):
    entry = _load(token)
    if not CancelImportForm().validate_on_submit():
        abort(400)
    storage.delete(token)
    parsed.delete(entry)
    if entry.done:
        flash(_("Le fichier envoyé a été supprimé ; les projets importés restent enregistrés."), "info")
    else:
        flash(_("Import annulé : le fichier envoyé a été supprimé et rien n'a été enregistré."), "info")
    return redirect(url_for("imports.upload", cohort=entry.cohort_id))
