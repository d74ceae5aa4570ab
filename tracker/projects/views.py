import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.cohorts.services import all_cohorts, chosen_cohort
from tracker.core.forms import ConfirmForm
from tracker.core.lifecycle import saving
from tracker.core.permissions import Action, Role, require
from tracker.core.query_args import int_arg
from tracker.core.view_helpers import apply_error, load_or_404, reload_after_failed_save
from tracker.extensions import db
from tracker.projects import flags, services
from tracker.projects.forms import MemberForm, ProjectForm
from tracker.projects.models import ProjectStatus, Sector
from tracker.projects.timeline import timeline, upcoming

bp = Blueprint("projects", __name__, url_prefix="/projects")


def _project_and_member(project_id: int, member_id: int, action: Action):
    project = load_or_404(services.get_project, project_id, action)
    member = next((m for m in project.members if m.id == member_id), None)
    if member is None:
        abort(404)
    return project, member


@bp.route("/")
@require(Action.VIEW_PROJECT)
def list_projects():
    filters = services.ProjectFilters(
        cohort_id=int_arg("cohort"),
        sector=request.args.get("sector") or None,
        status=request.args.get("status") or None,
        province=request.args.get("province") or None,
        staff_id=int_arg("staff"),
        q=request.args.get("q") or None,
        women_led=request.args.get("women_led") == "1",
        youth_led=request.args.get("youth_led") == "1",
        sort=request.args.get("sort", "name"),
    )
    if filters.sector not in (None, *Sector) or filters.status not in (None, *ProjectStatus):
        abort(400)
    page = db.paginate(
        services.project_list_query(current_user, filters),
        per_page=current_app.config["PROJECTS_PER_PAGE"],
        error_out=False,
        count=False,
    )
    page.total = services.project_count(current_user, filters)
    staff_view = current_user.role != Role.HOLDER
    today = dt.date.today()
    return render_template(
        "projects/project_list.html",
        page=page,
        flags={p.id: flags.project_flags(p, today) for p in page.items},
        filters=filters,
        cohorts=chosen_cohort(filters.cohort_id) if staff_view else [],
        provinces=services.provinces() if staff_view else [],
        staff=services.chosen_staff(filters.staff_id) if staff_view else [],
        sectors=list(Sector),
        statuses=list(ProjectStatus),
    )


@bp.route("/new", methods=["GET", "POST"])
@require(Action.CREATE_PROJECT)
def create_project():
    cohorts = all_cohorts()
    form = ProjectForm(cohorts=cohorts, staff=services.staff_users(), creating=True)
    # The project form carries the CSRF token of this POST; the lead sub-form needs none of its own.
    lead_form = MemberForm(prefix="lead", with_lead=False, meta={"csrf": False})
    if request.method == "GET":
        form.cohort_id.data = int_arg("cohort")
        form.status.data = ProjectStatus.ACTIVE.value
        form.staff_ids.data = [current_user.id] if current_user.role == Role.STAFF else []
        lead_form.consent_date.data = dt.date.today()
    if request.method == "POST" and form.validate() & lead_form.validate():
        if not form.claim_submission():
            flash(_("Ce formulaire avait déjà été envoyé : il n'a été enregistré qu'une fois."), "info")
            return redirect(url_for("projects.list_projects"))
        with saving(show=False) as outcome:
            project = services.create_project(current_user, form.project_data(), lead_form.member_data(),
                                              form.staff_ids.data)
        if not outcome.ok:
            form.release_submission()
            apply_error(lead_form if outcome.error.field in lead_form._fields else form, outcome.error)
        else:
            flash(_("Le projet « %(name)s » a été créé.", name=project.name), "success")
            for warning in form.place_warnings():
                flash(warning, "warning")
            return redirect(url_for("projects.view_project", project_id=project.id))
    return render_template("projects/project_form.html", form=form, lead_form=lead_form, project=None)


@bp.route("/<int:project_id>")
@require(Action.VIEW_PROJECT)
def view_project(project_id: int):
    from tracker.mentoring.services import open_action_items
    from tracker.periods.services import reports_due
    from tracker.trainings.services import member_attendance_counts

    project = load_or_404(services.get_project, project_id, Action.VIEW_PROJECT)
    today = dt.date.today()
    return render_template(
        "projects/project_detail.html",
        project=project,
        flags=flags.project_flags(project, today),
        attendance=member_attendance_counts(project.id),
        items=open_action_items([project.id]),
        stream=timeline(project.id, today, page=int_arg("page") or 1),
        upcoming=upcoming(project.id, today),
        reports=reports_due([project.id], today),
        today=today,
    )


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@require(Action.EDIT_PROJECT)
def edit_project(project_id: int):
    project = load_or_404(services.get_project, project_id, Action.EDIT_PROJECT)
    for_holder = current_user.role == Role.HOLDER
    form = ProjectForm(obj=project, staff=services.staff_users(), for_holder=for_holder)
    if request.method == "GET":
        form.version.data = project.version
        if not for_holder:
            form.staff_ids.data = [u.id for u in project.staff]
            form.sector.data = project.sector.value
            form.status.data = project.status.value
        form.stage.data = project.stage.value if project.stage else ""
        form.legal_form.data = project.legal_form.value if project.legal_form else ""
    conflict = None
    if form.validate_on_submit():
        with saving(form) as outcome:
            services.update_project(current_user, project, form.project_data(), form.version.data,
                                    None if for_holder else form.staff_ids.data)
        if not outcome.ok:
            project, conflict = reload_after_failed_save(outcome, services.get_project, project_id, form)
        else:
            flash(_("Le projet a été enregistré."), "success")
            for warning in form.place_warnings():
                flash(warning, "warning")
            return redirect(url_for("projects.view_project", project_id=project.id))
    return render_template("projects/project_form.html", form=form, lead_form=None, project=project,
                           conflict=conflict)


@bp.route("/<int:project_id>/members/new", methods=["GET", "POST"])
@require(Action.EDIT_PROJECT)
def create_member(project_id: int):
    project = load_or_404(services.get_project, project_id, Action.EDIT_PROJECT)
    form = MemberForm()
    if request.method == "GET":
        form.consent_date.data = dt.date.today()
    if form.validate_on_submit():
        if not form.claim_submission():
            flash(_("Ce formulaire avait déjà été envoyé : il n'a été enregistré qu'une fois."), "info")
            return redirect(url_for("projects.view_project", project_id=project.id) + "#team")
        with saving(form) as outcome:
            member = services.add_member(current_user, project, form.member_data())
        if not outcome.ok:
            form.release_submission()
            project = services.get_project(project_id)
        else:
            flash(_("%(name)s a été ajouté·e à l'équipe.", name=member.full_name), "success")
            return redirect(url_for("projects.view_project", project_id=project.id) + "#team")
    return render_template("projects/member_form.html", form=form, project=project, member=None)


@bp.route("/<int:project_id>/members/<int:member_id>/edit", methods=["GET", "POST"])
@require(Action.EDIT_PROJECT)
def edit_member(project_id: int, member_id: int):
    project, member = _project_and_member(project_id, member_id, Action.EDIT_PROJECT)
    if member.erased_at is not None:
        # Editing would bring personal data back after an erasure (law 09-08).
        flash(services.ERASED_MEMBER, "warning")
        return redirect(url_for("projects.view_project", project_id=project.id) + "#team")
    form = MemberForm(obj=member)
    if request.method == "GET":
        form.version.data = member.version
        form.sex.data = member.sex.value if member.sex else ""
        form.role.data = member.role.value
    conflict = None
    if form.validate_on_submit():
        with saving(form) as outcome:
            services.update_member(current_user, member, form.member_data(), form.version.data)
        if outcome.conflict:
            project, member = _project_and_member(project_id, member_id, Action.EDIT_PROJECT)
            conflict = member
            form.version.data = member.version
        elif outcome.ok:
            flash(_("Le membre a été enregistré."), "success")
            return redirect(url_for("projects.view_project", project_id=project.id) + "#team")
    return render_template("projects/member_form.html", form=form, project=project, member=member,
                           conflict=conflict)


@bp.route("/<int:project_id>/members/<int:member_id>/delete", methods=["GET", "POST"])
@require(Action.EDIT_PROJECT)
def delete_member(project_id: int, member_id: int):
    project, member = _project_and_member(project_id, member_id, Action.EDIT_PROJECT)
    form = ConfirmForm()
    if form.validate_on_submit():
        with saving() as outcome:
            services.delete_member(current_user, member)
        if outcome.ok:
            flash(_("Le membre a été retiré de l'équipe."), "success")
        return redirect(url_for("projects.view_project", project_id=project_id) + "#team")
    return render_template("projects/member_delete.html", form=form, project=project, member=member)
