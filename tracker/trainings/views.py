import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from tracker.cohorts.services import all_cohorts, chosen_cohort
from tracker.core.forms import ConfirmForm
from tracker.core.lifecycle import saving
from tracker.core.permissions import Action, require
from tracker.core.query_args import date_arg, int_arg
from tracker.core.services import ServiceError
from tracker.core.view_helpers import load_or_404, reload_after_failed_save
from tracker.extensions import db
from tracker.trainings import services
from tracker.trainings.forms import AttendanceSheetForm, TrainingForm, read_marks
from tracker.trainings.models import Topic, TrainingMode

bp = Blueprint("trainings", __name__, url_prefix="/trainings")

PROGRAMME_WIDE = "programme"  # the cohort filter's value for trainings open to every cohort


@bp.route("/")
@require(Action.VIEW_TRAINING)
def list_trainings():
    cohort_arg = request.args.get("cohort", "")
    topic = request.args.get("topic") or None
    if (cohort_arg not in ("", PROGRAMME_WIDE) and not cohort_arg.isdigit()) or topic not in (None, *Topic):
        abort(400)
    filters = services.TrainingFilters(
        cohort_id=int(cohort_arg) if cohort_arg.isdigit() else None,
        programme_wide=cohort_arg == PROGRAMME_WIDE,
        topic=Topic(topic) if topic else None,
        date_from=date_arg("from"),
        date_to=date_arg("to"),
    )
    page = db.paginate(
        services.training_list_query(filters),
        per_page=current_app.config.get("TRAININGS_PER_PAGE", 25),
        error_out=False,
    )
    return render_template(
        "trainings/training_list.html",
        page=page,
        totals=services.attendance_totals(t.id for t in page.items),
        filters=filters,
        cohort_arg=cohort_arg,
        cohorts=chosen_cohort(filters.cohort_id),
        topics=list(Topic),
        programme_wide=PROGRAMME_WIDE,
    )


@bp.route("/new", methods=["GET", "POST"])
@require(Action.EDIT_TRAINING)
def create_training():
    form = TrainingForm(cohorts=all_cohorts())
    if request.method == "GET":
        cohort_id = int_arg("cohort")
        form.cohort_id.data = cohort_id
        form.mode.data = TrainingMode.IN_PERSON.value
        form.date.data = dt.date.today()
    if form.validate_on_submit():
        if not form.claim_submission():
            flash(_("Ce formulaire avait déjà été envoyé : il n'a été enregistré qu'une fois."), "info")
            return redirect(url_for("trainings.list_trainings"))
        with saving(form) as outcome:
            training = services.create_training(current_user, form.training_data())
        if not outcome.ok:
            form.release_submission()
        else:
            flash(_("La formation « %(title)s » a été créée.", title=training.title), "success")
            return redirect(url_for("trainings.view_training", training_id=training.id))
    return render_template("trainings/training_form.html", form=form, training=None)


@bp.route("/<int:training_id>")
@require(Action.VIEW_TRAINING)
def view_training(training_id: int):
    training = load_or_404(services.get_training, training_id)
    groups = services.training_attendance(training)
    return render_template(
        "trainings/training_detail.html",
        training=training,
        groups=groups,
        present=sum(g.present for g in groups),
        recorded=sum(g.recorded for g in groups),
    )


@bp.route("/<int:training_id>/edit", methods=["GET", "POST"])
@require(Action.EDIT_TRAINING)
def edit_training(training_id: int):
    training = load_or_404(services.get_training, training_id)
    form = TrainingForm(obj=training, cohorts=all_cohorts())
    if request.method == "GET":
        form.version.data = training.version
        form.topic.data = training.topic.value
        form.mode.data = training.mode.value
    conflict = None
    if form.validate_on_submit():
        with saving(form) as outcome:
            services.update_training(current_user, training, form.training_data(), form.version.data)
        if not outcome.ok:
            training, conflict = reload_after_failed_save(outcome, services.get_training, training_id, form)
        else:
            flash(_("La formation a été enregistrée."), "success")
            return redirect(url_for("trainings.view_training", training_id=training_id))
    return render_template("trainings/training_form.html", form=form, training=training, conflict=conflict)


@bp.route("/<int:training_id>/delete", methods=["GET", "POST"])
@require(Action.EDIT_TRAINING)
def delete_training(training_id: int):
    training = load_or_404(services.get_training, training_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = training.title
        with saving(catch=()):
            services.delete_training(current_user, training)
        flash(_("La formation « %(title)s » a été supprimée.", title=title), "success")
        return redirect(url_for("trainings.list_trainings"))
    recorded = services.attendance_totals([training.id])[training.id][1]
    return render_template("trainings/training_delete.html", form=form, training=training, recorded=recorded)


@bp.route("/<int:training_id>/attendance", methods=["GET", "POST"])
@require(Action.EDIT_TRAINING)
def edit_attendance(training_id: int):
    training = load_or_404(services.get_training, training_id)
    cohort_id = training.cohort_id or int_arg("cohort")
    include_inactive = request.args.get("inactive") == "1"
    if cohort_id is None:  # a programme-wide training: which cohort's projects to list?
        return render_template("trainings/attendance_cohorts.html", training=training,
                               choices=services.cohort_choices(training))
    sheet = services.attendance_sheet(training, cohort_id, include_inactive)
    if sheet.cohort is None:
        abort(404)
    form = AttendanceSheetForm()
    submitted, submitted_all = None, set()
    if form.validate_on_submit():
        marks, submitted_all, invalid = read_marks(request.form)
        with saving() as outcome:
            if invalid:
                raise ServiceError(_("Certaines réponses de la feuille sont illisibles : rien n'a été enregistré."))
            marks = services.mark_all_present(sheet, marks, submitted_all)
            if request.form.get("rest_absent") == "1":
                marks = services.mark_rest_absent(sheet, marks)
            result = services.record_attendance(current_user, training, marks, cohort_id=sheet.cohort.id)
        if not outcome.ok:
            submitted = marks  # what was ticked stays ticked
            sheet = services.attendance_sheet(training, cohort_id, include_inactive)
        else:
            flash(_("Présences enregistrées : %(present)s, %(absent)s.",
                    present=ngettext("%(num)s présent", "%(num)s présents", result.present),
                    absent=ngettext("%(num)s absent", "%(num)s absents", result.absent)), "success")
            if not result.changes:
                flash(_("Aucun changement par rapport à la feuille déjà enregistrée."), "info")
            return redirect(url_for("trainings.edit_attendance", training_id=training_id, **request.args))
    marks = sheet.marks if submitted is None else sheet.marks | submitted
    return render_template(
        "trainings/attendance_form.html",
        training=training,
        sheet=sheet,
        form=form,
        marks=marks,
        all_present=submitted_all,
        counts=sheet.counts(marks),
        refused=services.attendance_refused(training, dt.date.today()),
    )
