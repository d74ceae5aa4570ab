import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from tracker.admin.forms import UserForm
from tracker.auth import services
from tracker.auth.models import User
from tracker.core.lifecycle import saving
from tracker.core.permissions import Action, Role, require
from tracker.core.query_args import choice_arg
from tracker.core.view_helpers import load_or_404
from tracker.extensions import db
from tracker.projects.models import Project

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _projects(ids) -> list[Project]:
    """The projects to show as chosen in the holder picker (the others are searched on the server)."""
    ids = [i for i in ids or [] if isinstance(i, int)]
    if not ids:
        return []
    return list(db.session.scalars(
        sa.select(Project).where(Project.id.in_(ids)).options(joinedload(Project.cohort)).order_by(Project.name)
    ))


def _posted_project_ids() -> list[int]:
    return [int(v) for v in request.form.getlist("project_ids") if v.isdigit()]


@bp.route("/users")
@require(Action.MANAGE_USERS)
def list_users():
    role = choice_arg("role", [r.value for r in Role])  # PostgreSQL would refuse an unknown one (its enum)
    return render_template("admin/user_list.html", page=services.user_list_page(role), role=role)


@bp.route("/users/new", methods=["GET", "POST"])
@require(Action.MANAGE_USERS)
def create_user():
    """An account without a password: the person receives an invitation to choose it (issue 17)."""
    from tracker.auth import invitations
    from tracker.core import email

    form = UserForm(projects=_projects(_posted_project_ids()), creating=True)
    if form.validate_on_submit():
        with saving(form) as outcome:
            user, payload = invitations.invite_user(
                current_user, email_address=form.email.data, display_name=form.display_name.data,
                role=form.role.data, locale=form.locale.data, project_ids=form.project_ids.data,
            )
            email.send(payload)
        if outcome.ok:
            flash(_("Le compte %(email)s a été créé et une invitation lui a été envoyée.", email=user.email),
                  "success")
            return redirect(url_for("admin.list_users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require(Action.MANAGE_USERS)
def edit_user(user_id: int):
    user = load_or_404(User, user_id)
    chosen = _posted_project_ids() if request.method == "POST" else [p.id for p in user.projects]
    form = UserForm(obj=user, projects=_projects(chosen))
    if request.method == "GET":
        form.version.data = user.version
        form.role.data = user.role.value
        form.project_ids.data = [p.id for p in user.projects]
    if form.validate_on_submit():
        with saving(form) as outcome:
            services.update_user(
                current_user, user, version=form.version.data, email=form.email.data,
                display_name=form.display_name.data, role=form.role.data, locale=form.locale.data,
                active=form.active.data, project_ids=form.project_ids.data,
            )
            if form.password.data:
                services.set_password(current_user, user, form.password.data)
        if outcome.conflict:
            form.version.data = db.session.scalar(sa.select(User.version).where(User.id == user_id))
        elif outcome.ok:
            flash(_("Le compte %(email)s a été enregistré.", email=user.email), "success")
            return redirect(url_for("admin.list_users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@require(Action.MANAGE_USERS)
def deactivate_user(user_id: int):
    """Accounts are deactivated, never deleted: sessions they logged must keep their author."""
    from tracker.core.forms import ConfirmForm

    user = load_or_404(User, user_id)
    if not user.active:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        with saving() as outcome:
            services.update_user(
                current_user, user, version=user.version, email=user.email, display_name=user.display_name,
                role=user.role, locale=user.locale, active=False, project_ids=[p.id for p in user.projects],
            )
        if outcome.ok:
            flash(_("Le compte %(email)s a été désactivé.", email=user.email), "success")
        return redirect(url_for("admin.list_users"))
    return render_template("admin/user_deactivate.html", form=form, user=user)
