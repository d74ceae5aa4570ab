"""Period reports: what is owed, the report form, the review queue, review and reopening.

Each view loads its objects (404), checks the permission on them (holders get 404 outside their
projects), calls one workflow function, commits once or rolls back, flashes and redirects.
"""

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tracker.auth.models import User
from tracker.cohorts.models import Cohort
from tracker.core.audit import AuditEvent
from tracker.core.concurrency import conflict_guard
from tracker.core.i18n import isolate
from tracker.core.permissions import Action, Role, authorize, can, require
from tracker.core.services import ConflictError, ServiceError
from tracker.extensions import db
from tracker.periods import services, workflow
from tracker.periods.forms import (
    ReopenForm,
    ReviewForm,
    entry_totals,
    initial_data,
    report_form_class,
)
from tracker.periods.models import PeriodReport, ReportStatus
from tracker.projects.models import Project
from tracker.projects.services import staff_choices, staff_users

bp = Blueprint("periods", __name__, url_prefix="/reports")

STATE_FILTERS = ("open", "all", *(s.value for s in services.DueState))


def _int_arg(name):
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


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


def _cohorts():
    return list(db.session.scalars(sa.select(Cohort).order_by(Cohort.name)))


def _load_project(project_id: int) -> Project:
    project = db.session.scalar(
        sa.select(Project).where(Project.id == project_id).options(joinedload(Project.cohort)))
    if project is None:
        abort(404)
    authorize(Action.SUBMIT_REPORT, project)
    return project


def _load_report(report_id: int, action: Action) -> PeriodReport:
    report = services.get_report(report_id)
    if report is None:
        abort(404)
    authorize(action, report)
    return report


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
        cohort_id=_int_arg("cohort") if staff_view else None,
        mentor_id=_mentor_filter() if staff_view else None,
        state=state if state in STATE_FILTERS else "open",
    )
    today = dt.date.today()
    page = services.due_page(current_user, filters, today, page=_int_arg("page") or 1, per_page=_per_page())
    return render_template(
        "periods/due_list.html",
        page=page,
        filters=filters,
        staff_view=staff_view,
        cohorts=_cohorts() if staff_view else [],
        mentors=staff_users() if staff_view else [],
        states=list(services.DueState),
        state_labels=services.DUE_STATE_LABELS,
        today=today,
        due_soon_days=services.DUE_SOON_DAYS,
    )


# ---------------------------------------------------------------- the report form

def _render_form(project, period, report, form, indicators, today, conflict=None, status=200):
    saved = services.report_entries(report)
    editable = report is None or report.status in workflow.EDITABLE
    opens_on = services.submission_opens_on(period.end)
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
    ), status


def _flash_outcome(outcome: workflow.Outcome, report: PeriodReport) -> None:
    period = isolate(report.period_label)
    if outcome == workflow.Outcome.ALREADY_SUBMITTED:
        flash(_("Ce rapport a déjà été soumis le %(date)s : rien n'a changé.",
                date=format_date(report.submitted_at, "long")), "info")
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
    project = _load_project(project_id)
    today = dt.date.today()
    report = services.find_report(project.id, period_label)
    if report is not None:
        period = services.report_period(report)
    else:
        period = services.find_period(project.cohort, period_label)
        if period is None or period.start > today:
            abort(404)
    indicators = services.report_indicators(project.id, report)
    form_class = report_form_class(indicators)
    if request.method == "GET":
        locale = str(get_locale() or "fr")
        form = form_class(formdata=None, data=initial_data(indicators, services.report_entries(report), report,
                                                           locale))
        form.version.data = report.version if report is not None else ""
        return _render_form(project, period, report, form, indicators, today)

    form = form_class()
    submit = request.form.get("action") == "submit"
    conflict = None
    if not form.validate():
        flash(_("Le rapport n'a pas été enregistré : corrigez les champs signalés."), "danger")
        return _render_form(project, period, report, form, indicators, today)
    try:
        with conflict_guard():
            report, outcome = workflow.save_report(
                current_user, project, period, form.entries(), form.narrative(), form.version.data,
                submit=submit, report=report, today=today,
            )
            db.session.commit()
    except workflow.ReadOnlyError as error:
        db.session.rollback()
        flash(str(error.message), "warning")
        report = services.find_report(project.id, period_label)
        if report.status == ReportStatus.APPROVED:
            return redirect(_report_url(report))
        conflict = report  # submitted meanwhile: what was typed stays on screen, beside what was submitted
    except workflow.ValuesError as error:
        db.session.rollback()
        form.add_errors(error.errors)
        flash(str(error.message), "danger")
        report = services.find_report(project.id, period_label)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "warning" if isinstance(error, ConflictError) else "danger")
        report = services.find_report(project.id, period_label)
        if isinstance(error, ConflictError) and report is not None:
            conflict = report
            form.version.data = report.version  # saving again now is a deliberate overwrite
    else:
        _flash_outcome(outcome, report)
        return redirect(_report_url(report))
    project = _load_project(project_id)
    indicators = services.report_indicators(project.id, report)
    return _render_form(project, period, report, form, indicators, today, conflict)


# ---------------------------------------------------------------- review

@bp.route("/review")
@require(Action.REVIEW_REPORT)
def review_queue():
    filters = services.ReviewFilters(cohort_id=_int_arg("cohort"), mentor_id=_mentor_filter())
    page = db.paginate(services.review_queue_query(filters), per_page=_per_page(), error_out=False)
    return render_template(
        "periods/review_queue.html",
        page=page,
        filters=filters,
        cohorts=_cohorts(),
        mentors=staff_choices(),
        today=dt.date.today(),
    )


def _history(report: PeriodReport) -> list[tuple[AuditEvent, User | None]]:
    """The report's audited transitions, oldest first, with their authors (two queries)."""
    events = list(db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.entity_type == "period_report", AuditEvent.entity_id == report.id,
               AuditEvent.action.in_(set(workflow.TRANSITIONS.values())))
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ))
    ids = {e.user_id for e in events if e.user_id}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids or [-1])))}
    return [(e, users.get(e.user_id)) for e in events]


def _render_review(report: PeriodReport, form: ReviewForm, reopen_form: ReopenForm | None = None, status=200):
    indicators = services.report_indicators(report.project_id, report)
    saved = services.report_entries(report)
    if reopen_form is None and report.status == ReportStatus.APPROVED and can(current_user, Action.REOPEN_REPORT,
                                                                               report):
        reopen_form = ReopenForm(formdata=None, version=report.version)
    return render_template(
        "periods/review_report.html",
        report=report,
        project=report.project,
        period=services.report_period(report),
        form=form,
        reopen_form=reopen_form,
        indicators=indicators,
        targets=services.project_targets(report.project_id),
        saved=saved,
        saved_totals=entry_totals(indicators, saved),
        history=_history(report),
        history_labels=workflow.TRANSITION_LABELS,
        own_submission=report.submitted_by_id == current_user.id,
    ), status


@bp.route("/<int:report_id>/review", methods=["GET", "POST"])
@require(Action.REVIEW_REPORT)
def review_report(report_id: int):
    report = _load_report(report_id, Action.REVIEW_REPORT)
    if request.method == "GET":
        return _render_review(report, ReviewForm(formdata=None, version=report.version))
    form = ReviewForm()
    decision = request.form.get("decision")
    if decision not in ("approve", "return"):
        flash(_("Choisissez d'approuver ou de renvoyer le rapport."), "danger")
        return _render_review(report, form)
    if form.validate():
        try:
            with conflict_guard():
                if decision == "approve":
                    changed = workflow.approve_report(current_user, report, form.version.data, form.comment.data)
                else:
                    changed = workflow.return_report(current_user, report, form.version.data, form.comment.data)
                db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            if error.field == "comment":
                form.comment.errors = list(form.comment.errors) + [str(error.message)]
            flash(str(error.message), "warning" if isinstance(error, ConflictError) else "danger")
            report = _load_report(report_id, Action.REVIEW_REPORT)
            if isinstance(error, ConflictError):
                form.version.data = report.version
        else:
            label = isolate(report.period_label)
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
    report = _load_report(report_id, Action.REOPEN_REPORT)
    form = ReopenForm()
    if form.validate():
        try:
            with conflict_guard():
                workflow.reopen_report(current_user, report, form.version.data, form.reason.data)
                db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            if error.field == "reason":
                form.reason.errors = list(form.reason.errors) + [str(error.message)]
            flash(str(error.message), "warning" if isinstance(error, ConflictError) else "danger")
            report = _load_report(report_id, Action.REOPEN_REPORT)
            if isinstance(error, ConflictError):
                form.version.data = report.version
        else:
            flash(_("Le rapport %(period)s est rouvert : il est de nouveau en brouillon.",
                    period=isolate(report.period_label)), "success")
            return redirect(_report_url(report))
    return _render_review(report, ReviewForm(formdata=None, version=report.version), reopen_form=form)
