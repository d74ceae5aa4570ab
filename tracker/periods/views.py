"""Period reports: what is owed, the report form, the review queue, review and reopening.

Each view loads its objects (404), checks the permission on them (holders get 404 outside their
projects), calls one workflow function, commits once or rolls back, flashes and redirects.
"""

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tracker.auth.models import User
from tracker.cohorts.services import chosen_cohort
from tracker.core.dates import LONG, date_text
from tracker.core.i18n import isolate
from tracker.core.lifecycle import saving
from tracker.core.period_names import period_name
from tracker.core.permissions import Action, Role, can, require
from tracker.core.query_args import int_arg
from tracker.core.view_helpers import apply_error, load_or_404
from tracker.extensions import db
from tracker.periods import calendar, checks, entries, history, services, workflow
from tracker.periods.forms import (
    ReopenForm,
    ReviewForm,
    entry_totals,
    initial_data,
    report_form_class,
)
from tracker.periods.models import PeriodReport, ReportStatus
from tracker.projects.services import chosen_staff, get_project_with_cohort

bp = Blueprint("periods", __name__, url_prefix="/period-reports")

STATE_FILTERS = ("open", "all", *(s.value for s in calendar.DueState))


def _mentor_filter() -> int | None:
    """Staff see the projects assigned to them unless they ask for everyone (`mentor=all`);
    managers and admins see everyone unless they pick a mentor."""
    raw = request.args.get("mentor")
    if raw == "all":
        return None
    if raw and raw.isdigit():
        return int(raw)
    return current_user.id if current_user.role == Role.STAFF else None


def _per_page() -> int:
    return current_app.config.get("REPORTS_PER_PAGE", 25)


def _report_url(report_or_project, label: str | None = None) -> str:
    if isinstance(report_or_project, PeriodReport):
        return url_for("periods.edit_report", project_id=report_or_project.project_id,
                       period_label=report_or_project.period_label)
    return url_for("periods.edit_report", project_id=report_or_project.id, period_label=label)


# ---------------------------------------------------------------- reports due

@bp.route("/due")
@require(Action.SUBMIT_REPORT)
def list_due():
    staff_view = current_user.role != Role.HOLDER
    state = request.args.get("state", "open")
    filters = services.DueFilters(
        cohort_id=int_arg("cohort") if staff_view else None,
        mentor_id=_mentor_filter() if staff_view else None,
        state=state if state in STATE_FILTERS else "open",
    )
    today = dt.date.today()
    page = services.due_page(current_user, filters, today, page=int_arg("page") or 1, per_page=_per_page())
    return render_template(
        "periods/due_list.html",
        page=page,
        filters=filters,
        staff_view=staff_view,
        cohorts=chosen_cohort(filters.cohort_id) if staff_view else [],
        mentors=chosen_staff(filters.mentor_id) if staff_view else [],
        states=list(calendar.DueState),
        state_labels=calendar.DUE_STATE_LABELS,
        today=today,
        due_soon_days=calendar.DUE_SOON_DAYS,
    )


# ---------------------------------------------------------------- the report form

def _render_form(project, period, report, form, indicators, today, conflict=None, status=200):
    saved = entries.report_entries(report)
    editable = report is None or report.status in workflow.EDITABLE
    # The rules run on what the page shows: what was just typed after a POST, what is saved otherwise.
    report_checks = checks.report_checks(project, period, indicators,
                                         form.entries() if request.method == "POST" else saved)
    if editable:
        form.add_errors(report_checks.field_errors())
    opens_on = calendar.submission_opens_on(period.end)
    reopen_form = None
    if report is not None and report.status == ReportStatus.APPROVED and can(current_user, Action.REOPEN_REPORT,
                                                                               report):
        reopen_form = ReopenForm(formdata=None, version=report.version)
    return render_template(
        "periods/report_form.html",
        project=project,
        period=period,
        report=report,
        form=form,
        indicators=indicators,
        targets=services.project_targets(project.id),
        saved=saved,
        saved_totals=entry_totals(indicators, saved),
        totals=form.totals(),
        editable=editable,
        # Typed input is never hidden: on a conflict, or errors on a report that became read-only meanwhile.
        show_inputs=editable or conflict is not None or bool(form.errors),
        conflict=conflict,
        can_submit_now=today >= opens_on,
        opens_on=opens_on,
        reopen_form=reopen_form,
        on_behalf=current_user.role != Role.HOLDER,
        checks=report_checks,
    ), status


def _flash_outcome(outcome: workflow.Outcome, report: PeriodReport) -> None:
    period = isolate(period_name(report.period_label))
    if outcome == workflow.Outcome.ALREADY_SUBMITTED:
        flash(_("Ce rapport a déjà été soumis le %(date)s : rien n'a changé.",
                date=date_text(report.submitted_at, LONG)), "info")
    elif outcome == workflow.Outcome.SUBMITTED:
        flash(_("Le rapport %(period)s a été soumis. L'équipe du programme va le relire.", period=period),
              "success")
    elif outcome == workflow.Outcome.UNCHANGED:
        flash(_("Aucune modification à enregistrer."), "info")
    else:
        flash(_("Le brouillon du rapport %(period)s a été enregistré.", period=period), "success")


@bp.route("/projects/<int:project_id>/<period_label>", methods=["GET", "POST"])
@require(Action.SUBMIT_REPORT)
def edit_report(project_id: int, period_label: str):
    """The report of one project for one period: the form while it is a draft or returned, read-only once
    submitted or approved. The report is created on the first save, never on a GET."""
    project = load_or_404(get_project_with_cohort, project_id, Action.SUBMIT_REPORT)
    today = dt.date.today()
    report = services.get_report_by_label(project.id, period_label)
    if report is not None:
        period = calendar.report_period(report)
    else:
        period = calendar.get_period(project.cohort, period_label)
        if period is None or period.start > today:
            abort(404)
    indicators = services.report_indicators(project.id, report)
    form_class = report_form_class(indicators)
    if request.method == "GET":
        locale = str(get_locale() or "fr")
        form = form_class(formdata=None, data=initial_data(indicators, entries.report_entries(report), report,
                                                           locale))
        form.version.data = report.version if report is not None else ""
        return _render_form(project, period, report, form, indicators, today)

    form = form_class()
    submit = request.form.get("action") == "submit"
    conflict = None
    if not form.validate():
        flash(_("Le rapport n'a pas été enregistré : corrigez les champs signalés."), "danger")
        return _render_form(project, period, report, form, indicators, today)
    with saving(show=False) as saved:
        report, outcome = workflow.save_report(
            current_user, project, period, **form.report_data(), version=form.version.data,
            submit=submit, report=report, today=today,
        )
    if saved.ok:
        _flash_outcome(outcome, report)
        return redirect(_report_url(report))
    error = saved.error
    if isinstance(error, workflow.ReadOnlyError):
        flash(str(error.message), "warning")
        report = services.get_report_by_label(project.id, period_label)
        if report.status == ReportStatus.APPROVED:
            return redirect(_report_url(report))
        conflict = report  # submitted meanwhile: what was typed stays on screen, beside what was submitted
    elif isinstance(error, workflow.ValuesError):
        form.add_errors(error.errors)
        flash(str(error.message), "danger")
        report = services.get_report_by_label(project.id, period_label)
    else:
        apply_error(None, error)
        report = services.get_report_by_label(project.id, period_label)
        if saved.conflict and report is not None:
            conflict = report
            form.version.data = report.version  # saving again now is a deliberate overwrite
    project = load_or_404(get_project_with_cohort, project_id, Action.SUBMIT_REPORT)
    indicators = services.report_indicators(project.id, report)
    return _render_form(project, period, report, form, indicators, today, conflict)


# ---------------------------------------------------------------- review

def _queue_page(filters, page: int | None = None):
    return services.review_queue_page(filters, page, _per_page())


@bp.route("/review")
@require(Action.REVIEW_REPORT)
def review_queue():
    """"Yours to review" first (the reports routed to the user), then the reports waiting for another
    reviewer, with their age; `stalled=1` keeps those waiting more than 14 days (managers reassign them)."""
    from tracker.periods import routing
    from tracker.periods.forms import ReassignForm

    stalled = request.args.get("stalled") == "1"
    base = dict(cohort_id=int_arg("cohort"), submitted_before=routing.stalled_since() if stalled else None)
    # Routed to me: whoever mentors the project. The others: the mentor filter (staff: their projects).
    filters = services.ReviewFilters(**base, mentor_id=_mentor_filter())
    mine = _queue_page(services.ReviewFilters(**base, reviewer_id=current_user.id))
    others = _queue_page(services.ReviewFilters(**base, mentor_id=filters.mentor_id, not_reviewer_id=current_user.id),
                         page=int_arg("others_page") or 1)
    can_reassign = can(current_user, Action.REASSIGN_REVIEW)
    return render_template(
        "periods/review_queue.html",
        page=mine,
        others=others,
        filters=filters,
        stalled=stalled,
        stalled_since=routing.stalled_since(),
        reassign_form=ReassignForm() if can_reassign else None,
        cohorts=chosen_cohort(filters.cohort_id),
        mentors=chosen_staff(filters.mentor_id),
        today=dt.date.today(),
    )


@bp.route("/review/reassign", methods=["POST"])
@require(Action.REASSIGN_REVIEW)
def reassign_reviews():
    """Managers give one or several submitted reports to another reviewer."""
    from tracker.periods import routing
    from tracker.periods.forms import ReassignForm

    form = ReassignForm()
    ids = [int(v) for v in request.form.getlist("report_ids") if v.isdigit()]
    if not form.validate_on_submit() or not ids:
        flash(_("Cochez les rapports à réattribuer et choisissez la personne qui les relira."), "danger")
        return redirect(url_for("periods.review_queue", **request.args))
    reports = list(db.session.scalars(sa.select(PeriodReport).where(PeriodReport.id.in_(ids))
                                      .options(joinedload(PeriodReport.project))))
    with saving() as outcome:
        changed, skipped = routing.reassign(current_user, reports, db.session.get(User, form.reviewer_id.data))
    if outcome.ok:
        flash(ngettext("%(num)s rapport réattribué.", "%(num)s rapports réattribués.", changed), "success")
        if skipped:
            flash(ngettext("%(num)s rapport n'a pas été réattribué : il n'attend plus de relecture ou a été soumis "
                           "par cette personne.",
                           "%(num)s rapports n'ont pas été réattribués : ils n'attendent plus de relecture ou ont "
                           "été soumis par cette personne.", len(skipped)), "warning")
    target = request.form.get("next")
    from tracker.core.urls import is_safe_next

    return redirect(target if is_safe_next(target) else url_for("periods.review_queue"))


def _render_review(report: PeriodReport, form: ReviewForm, reopen_form: ReopenForm | None = None, status=200):
    indicators = services.report_indicators(report.project_id, report)
    saved = entries.report_entries(report)
    period = calendar.report_period(report)
    if reopen_form is None and report.status == ReportStatus.APPROVED and can(current_user, Action.REOPEN_REPORT,
                                                                               report):
        reopen_form = ReopenForm(formdata=None, version=report.version)
    return render_template(
        "periods/review_report.html",
        report=report,
        project=report.project,
        period=period,
        form=form,
        reopen_form=reopen_form,
        indicators=indicators,
        targets=services.project_targets(report.project_id),
        saved=saved,
        history=history.report_history(report, indicators),
        checks=checks.report_checks(report.project, period, indicators, saved),
        own_submission=report.submitted_by_id == current_user.id,
    ), status


@bp.route("/<int:report_id>/review", methods=["GET", "POST"])
@require(Action.REVIEW_REPORT)
def review_report(report_id: int):
    report = load_or_404(services.get_report, report_id, Action.REVIEW_REPORT)
    if request.method == "GET":
        return _render_review(report, ReviewForm(formdata=None, version=report.version))
    form = ReviewForm()
    decision = request.form.get("decision")
    if decision not in ("approve", "return"):
        flash(_("Choisissez d'approuver ou de renvoyer le rapport."), "danger")
        return _render_review(report, form)
    if form.validate():
        with saving(form) as outcome:
            if decision == "approve":
                changed = workflow.approve_report(current_user, report, form.version.data, form.comment.data)
            else:
                changed = workflow.return_report(current_user, report, form.version.data, form.comment.data)
        if not outcome.ok:
            report = load_or_404(services.get_report, report_id, Action.REVIEW_REPORT)
            if outcome.conflict:
                form.version.data = report.version
        else:
            label = isolate(period_name(report.period_label))
            name = isolate(report.project.name)
            if not changed:
                flash(_("Cette décision était déjà enregistrée : rien n'a changé."), "info")
            elif decision == "approve":
                flash(_("Le rapport %(period)s de « %(project)s » est approuvé.", period=label, project=name),
                      "success")
            else:
                flash(_("Le rapport %(period)s de « %(project)s » a été renvoyé au porteur de projet.",
                        period=label, project=name), "success")
            return redirect(url_for("periods.review_queue"))
    return _render_review(report, form)


@bp.route("/<int:report_id>/reopen", methods=["POST"])
@require(Action.REOPEN_REPORT)
def reopen_report(report_id: int):
    report = load_or_404(services.get_report, report_id, Action.REOPEN_REPORT)
    form = ReopenForm()
    if form.validate():
        with saving(form) as outcome:
            workflow.reopen_report(current_user, report, form.version.data, form.reason.data)
        if not outcome.ok:
            report = load_or_404(services.get_report, report_id, Action.REOPEN_REPORT)
            if outcome.conflict:
                form.version.data = report.version
        else:
            flash(_("Le rapport %(period)s est rouvert : il est de nouveau en brouillon.",
                    period=isolate(period_name(report.period_label))), "success")
            return redirect(_report_url(report))
    return _render_review(report, ReviewForm(formdata=None, version=report.version), reopen_form=form)
