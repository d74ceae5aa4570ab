"""The period report workflow (DESIGN §5): who may move a report from which status to which.

Allowed transitions, and nothing else:

    (new)     → draft       save            holder of the project or staff side (SUBMIT_REPORT)
    (new)     → submitted   submit          same, from DUE_SOON_DAYS days before the period ends
    draft     → submitted   submit          same
    returned  → draft       edit            same: saving a returned report without submitting it
    returned  → submitted   submit          same: resubmission
    submitted → approved    approve         staff side (REVIEW_REPORT), never the person who submitted it
    submitted → returned    return          staff side, with a comment
    approved  → draft       reopen          managers and admins (REOPEN_REPORT), with a reason

Approved and submitted reports cannot be edited. Submitting a report that is already submitted with the
same figures changes nothing (a double click, a form sent twice); approving an approved report or returning
a returned one likewise. Every transition and every change of figures or narrative is audited.

Each function raises ServiceError (nothing written) when a rule is broken, ConflictError when the report
changed since the form was loaded (`version`), and flushes without committing.
"""

import datetime as dt
import enum
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.core import audit
from tracker.core.dates import LONG, date_text
from tracker.core.models import utcnow
from tracker.core.permissions import Action, can
from tracker.core.services import CONFLICT_MESSAGE, ConflictError, ServiceError, check_version
from tracker.extensions import db
from tracker.indicators.models import Indicator
from tracker.notifications.models import Kind
from tracker.notifications.services import holders_of, notify
from tracker.periods import validation
from tracker.periods.calendar import Period, submission_opens_on
from tracker.periods.entries import COMMENT_MAX, IndicatorEntry, cells_of, report_entries, value_error
from tracker.periods.models import Cell, IndicatorValue, PeriodReport, ReportStatus
from tracker.periods.services import report_indicators
from tracker.projects.models import Project

D, S, A, R = ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.RETURNED

# (from, to) → the audited action name. A new report starts as a draft or goes straight to submitted.
TRANSITIONS: dict[tuple[ReportStatus, ReportStatus], str] = {
    (D, S): "submit",
    (R, D): "edit",
    (R, S): "submit",
    (S, A): "approve",
    (S, R): "return",
    (A, D): "reopen",
}
TRANSITION_LABELS = {
    "submit": _l("soumis"),
    "edit": _l("repassé en brouillon après un renvoi"),
    "approve": _l("approuvé"),
    "return": _l("renvoyé pour correction"),
    "reopen": _l("rouvert"),
}
EDITABLE = (D, R)
NARRATIVE_FIELDS = ("highlights", "difficulties", "support_needed")
NARRATIVE_MAX = 5000
CENT = Decimal("0.01")
REVIEW_COMMENT_MAX = 2000


class Outcome(enum.StrEnum):
    CREATED = "created"  # new draft
    SAVED = "saved"  # draft saved (or a returned report saved back to draft)
    UNCHANGED = "unchanged"  # saved with nothing different
    SUBMITTED = "submitted"
    ALREADY_SUBMITTED = "already_submitted"  # double submission: nothing done


class NotAllowedError(ServiceError):
    """The actor's role or projects do not allow this."""


class ReadOnlyError(ServiceError):
    """The report is approved (or waits for review) and cannot be edited."""


class ValuesError(ServiceError):
    """Some typed values break their indicator's rules; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, object]):
        super().__init__(_l("Certaines valeurs sont invalides : corrigez les champs signalés."))
        self.errors = errors


def value_field(indicator_id: int, cell: Cell) -> str:
    """The form field holding one cell, used to put an error next to it."""
    return f"v_{indicator_id}_{cell.value}"


def comment_field(indicator_id: int) -> str:
    return f"c_{indicator_id}"


def total_field(indicator_id: int) -> str:
    """The control total typed beside a disaggregated indicator's cells (checked, never stored)."""
    return f"t_{indicator_id}"


def finding_field(finding: validation.Finding) -> str | None:
    """The form field a finding is shown next to, or None when it concerns the indicator or the report."""
    if finding.indicator_id is None:
        return None
    if finding.cell is not None:
        return value_field(finding.indicator_id, finding.cell)
    if finding.on_total:
        return total_field(finding.indicator_id)
    return None


# ---------------------------------------------------------------- checks

def _require(actor, action: Action, project: Project) -> None:
    if not can(actor, action, project):
        raise NotAllowedError(_l("Votre rôle ne vous permet pas cette action sur ce rapport."))


def _transition(actor, report: PeriodReport, target: ReportStatus, changes: dict | None = None) -> None:
    """Moves the report to `target` when TRANSITIONS allows it, and audits the move with `changes`
    ({field: [before, after]}: the review comment, the reopening reason)."""
    name = TRANSITIONS.get((report.status, target))
    if name is None:
        raise ServiceError(_l("Ce rapport ne peut pas passer de l'état « %(before)s » à l'état « %(after)s ».",
                              before=_status_label(report.status), after=_status_label(target)))
    before = report.status
    report.status = target
    db.session.flush()
    audit.record(actor, name, "period_report", report.id,
                 {"status": [before.value, target.value], **(changes or {})})


def _status_label(status: ReportStatus) -> str:
    from tracker.core.i18n import label

    return label(status)


def _clean_text(value, limit: int, name: str) -> str | None:
    text = (value or "").strip() or None
    if text and len(text) > limit:
        raise ServiceError(_l("Ce texte ne peut pas dépasser %(num)s caractères.", num=limit), field=name)
    return text


def check_entries(indicators: list[Indicator], entries: dict[int, IndicatorEntry]) -> dict[str, object]:
    """{field name: message} for every value or comment breaking a rule (empty when all is well)."""
    by_id = {i.id: i for i in indicators}
    errors: dict[str, object] = {}
    for indicator_id, entry in entries.items():
        indicator = by_id.get(indicator_id)
        if indicator is None:
            errors[comment_field(indicator_id)] = _l("Cet indicateur ne fait pas partie du rapport.")
            continue
        allowed = cells_of(indicator)
        for cell, value in entry.cells.items():
            if cell not in allowed:
                errors[value_field(indicator_id, cell)] = _l("Cet indicateur ne fait pas partie du rapport.")
            elif value is not None and (message := value_error(indicator, value)):
                errors[value_field(indicator_id, cell)] = message
        if entry.comment and len(entry.comment) > COMMENT_MAX:
            errors[comment_field(indicator_id)] = _l("Ce texte ne peut pas dépasser %(num)s caractères.",
                                                     num=COMMENT_MAX)
        elif entry.comment and entry.total is None:
            errors[comment_field(indicator_id)] = _l("Saisissez une valeur pour accompagner ce commentaire.")
        if entry.typed_total is not None and (message := value_error(indicator, entry.typed_total)):
            errors[total_field(indicator_id)] = message
    for finding in validation.arithmetic(indicators, entries):
        errors.setdefault(finding_field(finding), finding.message)
    return errors


def _normalised(entries: dict[int, IndicatorEntry]) -> dict:
    """Comparable form of the figures: blank cells and blank comments left out, 1.50 == 1.5."""
    result = {}
    for indicator_id, entry in entries.items():
        cells = {cell: value.normalize() for cell, value in entry.cells.items() if value is not None}
        comment = (entry.comment or "").strip() or None
        if cells or comment:
            result[indicator_id] = (cells, comment)
    return result


def same_content(report: PeriodReport, entries: dict[int, IndicatorEntry], narrative: dict) -> bool:
    """The report already holds exactly these figures and this narrative."""
    stored = _normalised(report_entries(report))
    posted = _normalised(entries)
    touched = {k: v for k, v in stored.items() if k in entries}
    if touched != posted:
        return False
    return all(getattr(report, name) == ((narrative.get(name) or "").strip() or None) for name in NARRATIVE_FIELDS)


# ---------------------------------------------------------------- writing figures

def _value_snapshot(report: PeriodReport, codes: dict[int, str]) -> dict:
    snapshot = {}
    for value in report.values:
        key = f"{codes.get(value.indicator_id, value.indicator_id)}.{value.cell.value}"
        snapshot[key] = str(Decimal(value.value).quantize(CENT))  # as stored: Numeric(18, 2)
        if value.comment:
            snapshot[f"{codes.get(value.indicator_id, value.indicator_id)}.comment"] = value.comment
    return snapshot


def _write_values(report: PeriodReport, indicators: list[Indicator], entries: dict[int, IndicatorEntry]) -> None:
    """Makes the report's rows match `entries` for the indicators it names; the others stay as they are.

    A blank cell is no row (never zero). The comment is kept on the first filled cell of its indicator.
    """
    existing = {(v.indicator_id, v.cell): v for v in report.values}
    for indicator in indicators:
        entry = entries.get(indicator.id)
        if entry is None:
            continue
        wanted = {cell: entry.cells.get(cell) for cell in cells_of(indicator)}
        comment = (entry.comment or "").strip() or None
        first = next((cell for cell in cells_of(indicator) if wanted[cell] is not None), None)
        for cell, value in wanted.items():
            row = existing.get((indicator.id, cell))
            if value is None:
                if row is not None:
                    report.values.remove(row)
                continue
            row_comment = comment if cell == first else None
            if row is None:
                report.values.append(IndicatorValue(indicator_id=indicator.id, cell=cell, value=value,
                                                    comment=row_comment))
            else:
                if row.value != value:
                    row.value = value
                if row.comment != row_comment:
                    row.comment = row_comment
        # Cells the indicator no longer has (it became disaggregated, or stopped being): their figures
        # were replaced by what was just typed in the cells shown.
        for (indicator_id, cell), row in existing.items():
            if indicator_id == indicator.id and cell not in wanted and row in report.values:
                report.values.remove(row)


def save_report(actor, project: Project, period: Period, entries: dict[int, IndicatorEntry], narrative: dict,
                version, *, submit: bool = False, report: PeriodReport | None = None,
                today: dt.date | None = None) -> tuple[PeriodReport, Outcome]:
    """Saves the figures and narrative of `project`'s report for `period`, creating it on first save,
    and submits it when `submit` is set.

    `entries` maps indicator ids to IndicatorEntry (cells as Decimal or None for blank); `report` is the
    existing report (None: create it; `version` must then be blank too). Raises NotAllowedError
    (SUBMIT_REPORT on the project), ReadOnlyError (approved or submitted), ValuesError (field errors),
    ConflictError (stale `version`, or a report created meanwhile), ServiceError (submitting before
    `submission_opens_on`). A submission of a submitted report with the same content returns
    ALREADY_SUBMITTED and changes nothing.
    """
    today = today or dt.date.today()
    _require(actor, Action.SUBMIT_REPORT, project)
    if report is not None and report.status == S and submit and same_content(report, entries, narrative):
        return report, Outcome.ALREADY_SUBMITTED
    _check_editable(report, version)
    indicators = report_indicators(project.id, report)
    clean = _checked_narrative(indicators, entries, narrative)
    end = report.period_end if report is not None else period.end
    if submit and today < submission_opens_on(end):
        raise ServiceError(_l("Ce rapport pourra être soumis à partir du %(date)s. Enregistrez-le en brouillon "
                              "d'ici là.", date=_format_date(submission_opens_on(end))))

    codes = {i.id: i.code for i in indicators}
    if report is None:
        report = _create_report(actor, project, period, indicators, entries, clean, codes)
        outcome = Outcome.CREATED
    else:
        outcome = _update_report(actor, report, indicators, entries, clean, codes, submit)
    if submit:
        _submit(actor, report)
        outcome = Outcome.SUBMITTED
    return report, outcome


def _check_editable(report: PeriodReport | None, version) -> None:
    """Raises ConflictError when `version` does not match (blank for a new report), ReadOnlyError when the
    report is approved or waits for its review."""
    if report is None:
        if version not in (None, "", 0, "0"):
            raise ConflictError(CONFLICT_MESSAGE)
        return
    check_version(report, version)
    if report.status == A:
        raise ReadOnlyError(_l("Ce rapport est approuvé : il ne peut plus être modifié."))
    if report.status == S:
        raise ReadOnlyError(_l("Ce rapport a été soumis et attend sa relecture : il ne peut plus être "
                               "modifié. Vos saisies ci-dessous n'ont pas été enregistrées."))


def _checked_narrative(indicators: list[Indicator], entries: dict[int, IndicatorEntry], narrative: dict) -> dict:
    """The narrative fields cleaned; raises ValuesError with every field error, figures and narrative."""
    errors = check_entries(indicators, entries)
    clean = {}
    for name in NARRATIVE_FIELDS:
        try:
            clean[name] = _clean_text(narrative.get(name), NARRATIVE_MAX, name)
        except ServiceError as error:
            errors[name] = error.message
    if errors:
        raise ValuesError(errors)
    return clean


def _create_report(actor, project: Project, period: Period, indicators: list[Indicator],
                   entries: dict[int, IndicatorEntry], clean: dict, codes: dict[int, str]) -> PeriodReport:
    """A new draft with its figures, audited; raises ConflictError when another one was created meanwhile."""
    report = PeriodReport(project_id=project.id, period_label=period.label, period_start=period.start,
                          period_end=period.end, status=D, **clean)
    try:
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise ConflictError(CONFLICT_MESSAGE) from None  # created by someone else meanwhile
    _write_values(report, indicators, entries)
    db.session.flush()
    audit.record(actor, "create", "period_report", report.id,
                 audit.diff({}, {"period": period.label, **{k: v for k, v in clean.items() if v},
                                 **_value_snapshot(report, codes)}))
    return report


def _update_report(actor, report: PeriodReport, indicators: list[Indicator], entries: dict[int, IndicatorEntry],
                   clean: dict, codes: dict[int, str], submit: bool) -> Outcome:
    """Writes the narrative and figures (audited when something changed); a returned report saved without
    submitting goes back to draft."""
    outcome = Outcome.SAVED
    before = {**audit.snapshot(report, list(NARRATIVE_FIELDS)), **_value_snapshot(report, codes)}
    for name, value in clean.items():
        setattr(report, name, value)
    _write_values(report, indicators, entries)
    after = {**audit.snapshot(report, list(NARRATIVE_FIELDS)), **_value_snapshot(report, codes)}
    changes = audit.diff(before, after)
    if changes:
        # The figures are rows of their own: touching the report bumps its version, so a concurrent
        # edit of the figures alone is caught like any other.
        report.updated_at = utcnow()
        db.session.flush()
        audit.record(actor, "update", "period_report", report.id, changes)
    elif not submit and report.status == D:
        outcome = Outcome.UNCHANGED
    if report.status == R and not submit:
        _transition(actor, report, D)
    return outcome


def _submit(actor, report: PeriodReport) -> None:
    """Submitted now by `actor`, and routed to its reviewer."""
    from tracker.periods import routing

    corrected = report.status == R or (report.status == D and report.review_comment is not None
                                       and report.reviewed_by_id is not None)
    report.submitted_by_id = actor.id
    report.submitted_at = utcnow()
    _transition(actor, report, S)
    routing.route(actor, report, corrected)


def _format_date(day: dt.date) -> str:

    return date_text(day, LONG)


# ---------------------------------------------------------------- review

def approve_report(actor, report: PeriodReport, version, comment: str | None = None) -> bool:
    """submitted → approved by someone on the staff side who did not submit it (a report a staff member
    filled in on the holder's behalf is approved by a colleague). An optional comment is kept.

    Returns False, changing nothing, when the report is already approved (a second click).
    Raises NotAllowedError, ConflictError, ServiceError (not submitted, own submission, figures breaking an
    arithmetic rule of `validation`: such figures can only be returned).
    """
    _require(actor, Action.REVIEW_REPORT, report.project)
    if report.status == A:
        return False
    check_version(report, version)
    if report.status != S:
        raise ServiceError(_l("Seul un rapport soumis peut être approuvé ou renvoyé."))
    if report.submitted_by_id == actor.id:
        raise ServiceError(_l("Vous avez soumis ce rapport vous-même : un·e autre membre de l'équipe doit "
                              "l'approuver."))
    if validation.arithmetic(report_indicators(report.project_id, report), report_entries(report)):
        raise ServiceError(_l("Les chiffres de ce rapport ne concordent pas avec leurs totaux : renvoyez-le "
                              "pour correction."))
    comment = _clean_text(comment, REVIEW_COMMENT_MAX, "comment")
    previous = report.review_comment
    report.reviewed_by_id = actor.id
    report.reviewed_at = utcnow()
    report.review_comment = comment
    _transition(actor, report, A, {"review_comment": [previous, comment]} if previous != comment else None)
    _tell_holders(actor, report, Kind.REPORT_APPROVED)
    return True


def _tell_holders(actor, report: PeriodReport, kind: Kind) -> None:
    notify(holders_of(report.project_id), kind, actor=actor, project_id=report.project_id,
           entity_type="period_report", entity_id=report.id,
           params={"project": report.project.name, "period": report.period_label,
                   "reviewer": actor.display_name, "comment": (report.review_comment or "")[:300]})


def return_report(actor, report: PeriodReport, version, comment: str | None) -> bool:
    """submitted → returned with a comment saying what to correct (required).

    Returns False, changing nothing, when the report is already returned with this very comment.
    Raises NotAllowedError, ConflictError, ServiceError (no comment, not submitted).
    """
    _require(actor, Action.REVIEW_REPORT, report.project)
    comment = _clean_text(comment, REVIEW_COMMENT_MAX, "comment")
    if report.status == R and comment == report.review_comment:
        return False
    check_version(report, version)
    if report.status != S:
        raise ServiceError(_l("Seul un rapport soumis peut être approuvé ou renvoyé."))
    if not comment:
        raise ServiceError(_l("Expliquez ce qu'il faut corriger : le commentaire est obligatoire pour renvoyer "
                              "un rapport."), field="comment")
    previous = report.review_comment
    report.reviewed_by_id = actor.id
    report.reviewed_at = utcnow()
    report.review_comment = comment
    _transition(actor, report, R, {"review_comment": [previous, comment]})
    _tell_holders(actor, report, Kind.REPORT_RETURNED)
    return True


def reopen_report(actor, report: PeriodReport, version, reason: str | None) -> None:
    """approved → draft, by a manager or an admin, with a reason (audited, and shown on the form as the
    last review comment so the holder knows why). Raises NotAllowedError, ConflictError, ServiceError."""
    _require(actor, Action.REOPEN_REPORT, report.project)
    check_version(report, version)
    if report.status != A:
        raise ServiceError(_l("Seul un rapport approuvé peut être rouvert."))
    reason = _clean_text(reason, REVIEW_COMMENT_MAX, "reason")
    if not reason:
        raise ServiceError(_l("Indiquez pourquoi ce rapport est rouvert : le motif est obligatoire."),
                           field="reason")
    previous = report.review_comment
    report.reviewed_by_id = actor.id
    report.reviewed_at = utcnow()
    report.review_comment = reason
    _transition(actor, report, D, {"reason": [None, reason], "review_comment": [previous, reason]})

