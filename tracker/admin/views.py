import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from tracker.admin.forms import UserForm
from tracker.auth import services
from tracker.auth.models import User
from tracker.core.concurrency import conflict_guard
from tracker.core.permissions import Action, require
from tracker.core.services import ConflictError, ServiceError
from tracker.extensions import db
from tracker.projects.models import Project

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _projects():
    return list(db.session.scalars(
        sa.select(Project).options(joinedload(Project.cohort)).order_by(Project.cohort_id, Project.name)
    ))


def _flash_error(form, error: ServiceError) -> None:
    if error.field and error.field in form._fields:
        form[error.field].errors = list(form[error.field].errors) + [str(error.message)]
    flash(str(error.message), "warning" if isinstance(error, ConflictError) else "danger")


@bp.route("/users")
@require(Action.MANAGE_USERS)
def list_users():
    role = request.args.get("role") or None
    stmt = sa.select(User).options(selectinload(User.projects)).order_by(User.active.desc(), User.display_name)
    if role:
        stmt = stmt.where(User.role == role)
    page = db.paginate(stmt, per_page=50, error_out=False)
    return render_template("admin/user_list.html", page=page, role=role)


@bp.route("/users/new", methods=["GET", "POST"])
@require(Action.MANAGE_USERS)
def create_user():
    form = UserForm(projects=_projects(), creating=True)
    if form.validate_on_submit():
        try:
            user = services.create_user(
                current_user, email=form.email.data, display_name=form.display_name.data, role=form.role.data,
                password=form.password.data, locale=form.locale.data, project_ids=form.project_ids.data,
            )
        except ServiceError as error:
            db.session.rollback()
            _flash_error(form, error)
        else:
            db.session.commit()
            flash(_("Le compte %(email)s a été créé.", email=user.email), "success")
            return redirect(url_for("admin.list_users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require(Action.MANAGE_USERS)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user, projects=_projects())
    if request.method == "GET":
        form.version.data = user.version
        form.role.data = user.role.value
        form.project_ids.data = [p.id for p in user.projects]
    if form.validate_on_submit():
        try:
            with conflict_guard():
                services.update_user(
                    current_user, user, version=form.version.data, email=form.email.data,
                    display_name=form.display_name.data, role=form.role.data, locale=form.locale.data,
                    active=form.active.data, project_ids=form.project_ids.data,
                )
                if form.password.data:
                    services.set_password(current_user, user, form.password.data)
                db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            _flash_error(form, error)
            if isinstance(error, ConflictError):
                form.version.data = db.session.scalar(sa.select(User.version).where(User.id == user_id))
        else:
            flash(_("Le compte %(email)s a été enregistré.", email=user.email), "success")
            return redirect(url_for("admin.list_users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@require(Action.MANAGE_USERS)
def deactivate_user(user_id: int):
    """Accounts are deactivated, never deleted: sessions they logged must keep their author."""
    from tracker.core.forms import ConfirmForm

    user = db.get_or_404(User, user_id)
    if not user.active:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.update_user(
                current_user, user, version=user.version, email=user.email, display_name=user.display_name,
                role=user.role, locale=user.locale, active=False, project_ids=[p.id for p in user.projects],
            )
        except ServiceError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.commit()
            flash(_("Le compte %(email)s a été désactivé.", email=user.email), "success")
        return redirect(url_for("admin.list_users"))
    return render_template("admin/user_deactivate.html", form=form, user=user)
