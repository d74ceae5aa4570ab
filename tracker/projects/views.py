import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.cohorts.models import Cohort
from tracker.core.concurrency import conflict_guard
from tracker.core.forms import ConfirmForm
from tracker.core.permissions import Action, Role, authorize, require
from tracker.core.services import ConflictError, ServiceError
from tracker.extensions import db
from tracker.projects import flags, services
from tracker.projects.forms import MemberForm, ProjectForm
from tracker.projects.models import ProjectStatus, Sector
from tracker.projects.timeline import timeline, upcoming

bp = Blueprint("projects", __name__, url_prefix="/projects")


def _int_arg(name):
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _load_project(project_id: int, action: Action):
    """The project or 404, then the permission check on it (holders get 404 outside their projects)."""
    project = services.get_project(project_id)
    if project is None:
        abort(404)
    authorize(action, project)
    return project


def _load_member(project_id: int, member_id: int, action: Action):
    project = _load_project(project_id, action)
    member = next((m for m in project.members if m.id == member_id), None)
    if member is None:
        abort(404)
    return project, member


def _apply_error(form, error: ServiceError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [str(error.message)]
    flash(str(error.message), "warning" if isinstance(error, ConflictError) else "danger")


def _cohorts():
    return list(db.session.scalars(sa.select(Cohort).order_by(Cohort.name)))


@bp.route("/")
@require(Action.VIEW_PROJECT)
def list_projects():
    filters = services.ProjectFilters(
        cohort_id=_int_arg("cohort"),
        sector=request.args.get("sector") or None,
        status=request.args.get("status") or None,
        province=request.args.get("province") or None,
        staff_id=_int_arg("staff"),
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
    )
    staff_view = current_user.role != Role.HOLDER
    today = dt.date.today()
    return render_template(
        "projects/project_list.html",
        page=page,
        flags={p.id: flags.project_flags(p, today) for p in page.items},
        filters=filters,
        cohorts=_cohorts() if staff_view else [],
        provinces=services.provinces() if staff_view else [],
        staff=services.staff_choices() if staff_view else [],
        sectors=list(Sector),
        statuses=list(ProjectStatus),
    )


@bp.route("/new", methods=["GET", "POST"])
@require(Action.CREATE_PROJECT)
def create_project():
    cohorts = _cohorts()
    form = ProjectForm(cohorts=cohorts, staff=services.staff_users(), creating=True)
    # The project form carries the CSRF token of this POST; the lead sub-form needs none of its own.
    lead_form = MemberForm(prefix="lead", with_lead=False, meta={"csrf": False})
    if request.method == "GET":
        form.cohort_id.data = _int_arg("cohort")
        form.status.data = ProjectStatus.ACTIVE.value
        form.staff_ids.data = [current_user.id] if current_user.role == Role.STAFF else []
        lead_form.consent_date.data = dt.date.today()
    if request.method == "POST" and form.validate() & lead_form.validate():
        if not form.claim_submission():
            flash(_("Ce formulaire avait déjà été envoyé : il n'a été enregistré qu'une fois."), "info")
            return redirect(url_for("projects.list_projects"))
        try:
            project = services.create_project(current_user, form.project_data(), lead_form.member_data(),
                                              form.staff_ids.data)
        except ServiceError as error:
            db.session.rollback()
            form.release_submission()
            _apply_error(lead_form if error.field in lead_form._fields else form, error)
        else:
            db.session.commit()
            flash(_("Le projet « %(name)s » a été créé.", name=project.name), "success")
            return redirect(url_for("projects.view_project", project_id=project.id))
    return render_template("projects/project_form.html", form=form, lead_form=lead_form, project=None)


@bp.route("/<int:project_id>")
@require(Action.VIEW_PROJECT)
def view_project(project_id: int):
    from tracker.mentoring.services import open_action_items
    from tracker.periods.services import reports_due
    from tracker.trainings.services import member_attendance_counts

    project = _load_project(project_id, Action.VIEW_PROJECT)
    today = dt.date.today()
    return render_template(
        "projects/project_detail.html",
        project=project,
        flags=flags.project_flags(project, today),
        attendance=member_attendance_counts(project.id),
        items=open_action_items([project.id]),
        stream=timeline(project.id, today, page=_int_arg("page") or 1),
        upcoming=upcoming(project.id, today),
        reports=reports_due([project.id], today),
        today=today,
    )


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@require(Action.EDIT_PROJECT)
def edit_project(project_id: int):
    project = _load_project(project_id, Action.EDIT_PROJECT)
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
        try:
            with conflict_guard():
                services.update_project(current_user, project, form.project_data(), form.version.data,
                                        None if for_holder else form.staff_ids.data)
                db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            _apply_error(form, error)
            if isinstance(error, ConflictError):
                project = services.get_project(project_id)
                conflict = project
                form.version.data = project.version  # saving again now is a deliberate overwrite
        else:
            flash(_("Le projet a été enregistré."), "success")
            return redirect(url_for("projects.view_project", project_id=project.id))
    return render_template("projects/project_form.html", form=form, lead_form=None, project=project,
                           conflict=conflict)


@bp.route("/<int:project_id>/members/new", methods=["GET", "POST"])
@require(Action.EDIT_PROJECT)
def create_member(project_id: int):
    project = _load_project(project_id, Action.EDIT_PROJECT)
    form = MemberForm()
    if request.method == "GET":
        form.consent_date.data = dt.date.today()
    if form.validate_on_submit():
        if not form.claim_submission():
            flash(_("Ce formulaire avait déjà été envoyé : il n'a été enregistré qu'une fois."), "info")
            return redirect(url_for("projects.view_project", project_id=project.id) + "#team")
        try:
            member = services.add_member(current_user, project, form.member_data())
        except ServiceError as error:
            db.session.rollback()
            form.release_submission()
            project = services.get_project(project_id)
            _apply_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s a été ajouté·e à l'équipe.", name=member.full_name), "success")
            return redirect(url_for("projects.view_project", project_id=project.id) + "#team")
    return render_template("projects/member_form.html", form=form, project=project, member=None)


@bp.route("/<int:project_id>/members/<int:member_id>/edit", methods=["GET", "POST"])
@require(Action.EDIT_PROJECT)
def edit_member(project_id: int, member_id: int):
    project, member = _load_member(project_id, member_id, Action.EDIT_PROJECT)
    if member.erased_at is not None:
        # Editing would bring personal data back after an erasure (law 09-08).
        flash(_("Ce membre a été effacé à sa demande : sa fiche ne peut plus être modifiée."), "warning")
        return redirect(url_for("projects.view_project", project_id=project.id) + "#team")
    form = MemberForm(obj=member)
    if request.method == "GET":
        form.version.data = member.version
        form.sex.data = member.sex.value if member.sex else ""
        form.role.data = member.role.value
    conflict = None
    if form.validate_on_submit():
        try:
            with conflict_guard():
                services.update_member(current_user, member, form.member_data(), form.version.data)
                db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            _apply_error(form, error)
            if isinstance(error, ConflictError):
                project, member = _load_member(project_id, member_id, Action.EDIT_PROJECT)
                conflict = member
                form.version.data = member.version
        else:
            flash(_("Le membre a été enregistré."), "success")
            return redirect(url_for("projects.view_project", project_id=project.id) + "#team")
    return render_template("projects/member_form.html", form=form, project=project, member=member,
                           conflict=conflict)


@bp.route("/<int:project_id>/members/<int:member_id>/delete", methods=["GET", "POST"])
@require(Action.EDIT_PROJECT)
def delete_member(project_id: int, member_id: int):
    project, member = _load_member(project_id, member_id, Action.EDIT_PROJECT)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.delete_member(current_user, member)
        except ServiceError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(_("Le membre a été retiré de l'équipe."), "success")
        return redirect(url_for("projects.view_project", project_id=project_id) + "#team")
    return render_template("projects/member_delete.html", form=form, project=project, member=member)
