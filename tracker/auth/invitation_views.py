"""Invitations sent by staff (their projects' holders), managers and admins, one by one or for the project
leads of a cohort after an import. Admins also invite from the accounts page (tracker/admin/views.py)."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from tracker.auth import invitations, leads
from tracker.auth.invitation_forms import InviteHolderForm, InviteLeadsForm
from tracker.auth.models import LOCALES, User
from tracker.cohorts.models import Cohort
from tracker.core import email
from tracker.core.i18n import LANGUAGE_NAMES
from tracker.core.lifecycle import saving
from tracker.core.permissions import Action, Role, require
from tracker.core.services import ServiceError
from tracker.core.view_helpers import load_or_404
from tracker.extensions import db
from tracker.projects.models import Project

bp = Blueprint("invitations", __name__, url_prefix="/invitations")


def _projects(ids) -> list[Project]:
    ids = [i for i in ids if isinstance(i, int)]
    return list(db.session.scalars(sa.select(Project).where(Project.id.in_(ids)).order_by(Project.name))) if ids else []


@bp.route("/new", methods=["GET", "POST"])
@require(Action.INVITE_HOLDER)
def invite_holder():
    preselected = request.args.get("project", type=int)
    form = InviteHolderForm()
    chosen = form.project_ids.data if request.method == "POST" else ([preselected] if preselected else [])
    form = InviteHolderForm(selected=_projects(chosen or []))
    if request.method == "GET":
        form.locale.data = str(current_user.locale or "fr")
        form.project_ids.data = chosen
    if form.validate_on_submit():
        with saving(form) as outcome:
            user, payload = invitations.invite_user(
                current_user, email_address=form.email.data, display_name=form.display_name.data,
                role=Role.HOLDER, locale=form.locale.data, project_ids=form.project_ids.data)
            email.send(payload)
        if outcome.ok:
            flash(_("Invitation envoyée à %(email)s.", email=user.email), "success")
            first = user.projects[0].id if user.projects else None
            return redirect(url_for("projects.view_project", project_id=first) if first else url_for("core.home"))
    return render_template("auth/invite_holder.html", form=form)


@bp.route("/<int:user_id>/resend", methods=["POST"])
@require(Action.INVITE_HOLDER)
def resend(user_id: int):
    user = load_or_404(User, user_id)
    if not InviteLeadsForm().validate_on_submit():
        abort(400)
    if not invitations.can_resend(current_user, user):
        abort(404 if current_user.role == Role.HOLDER else 403)
    with saving(catch=()):
        email.send(invitations.send_invitation(current_user, user))
    flash(_("Une nouvelle invitation a été envoyée à %(email)s ; le lien précédent ne fonctionne plus.",
            email=user.email), "success")
    target = request.form.get("next")
    from tracker.core.urls import is_safe_next

    return redirect(target if is_safe_next(target) else url_for("core.home"))


@bp.route("/leads", methods=["GET", "POST"])
@require(Action.INVITE_HOLDER)
def invite_leads():
    """After an import: the cohort's project leads with an e-mail and no account, to invite at once."""
    cohort = load_or_404(Cohort, request.args.get("cohort", type=int) or 0)
    form = InviteLeadsForm()
    if form.validate_on_submit():
        ticked = {int(v) for v in request.form.getlist("lead") if v.isdigit()}
        chosen = [row for row in leads.uninvited_leads(current_user, cohort) if row.member_id in ticked]
        sent, failed = 0, []
        with saving(catch=()):
            for row in chosen:
                locale = request.form.get(f"locale-{row.member_id}")
                try:
                    with db.session.begin_nested():
                        _user, payload = invitations.invite_user(
                            current_user, email_address=row.email, display_name=row.full_name, role=Role.HOLDER,
                            locale=locale if locale in LOCALES else row.locale, project_ids=[row.project_id])
                except ServiceError as error:
                    failed.append(_("%(name)s : %(error)s", name=row.full_name, error=error.message))
                    continue
                email.send(payload)
                sent += 1
        if sent:
            flash(ngettext("%(num)s invitation envoyée.", "%(num)s invitations envoyées.", sent), "success")
        for message in failed:
            flash(message, "danger")
        if not sent and not failed:
            flash(_("Cochez les porteurs à inviter."), "warning")
        return redirect(url_for("invitations.invite_leads", cohort=cohort.id))
    return render_template("auth/invite_leads.html", form=form, cohort=cohort,
                           rows=leads.uninvited_leads(current_user, cohort), languages=LANGUAGE_NAMES)
