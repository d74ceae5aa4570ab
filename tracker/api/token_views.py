"""The account page's personal access tokens: list, create (the secret is shown once, on the answer to the
POST, never stored), revoke. Admins may create a token for another account and see everyone's."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.api import access_tokens
from tracker.api.forms import RevokeTokenForm, TokenForm
from tracker.api.models import ApiToken
from tracker.auth.services import get_by_email
from tracker.core.lifecycle import saving
from tracker.core.models import utcnow
from tracker.core.permissions import Action, Role, require
from tracker.extensions import db

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


def _listed():
    if current_user.role == Role.ADMIN:
        return list(db.session.scalars(sa.select(ApiToken).options(sa.orm.joinedload(ApiToken.user))
                                       .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))
    return access_tokens.tokens_of(current_user)


@bp.route("/", methods=["GET", "POST"])
@require(Action.USE_APP)
def list_tokens():
    form = TokenForm()
    secret = None
    if form.validate_on_submit():
        owner = current_user
        if form.email.data:
            owner = get_by_email(form.email.data)
            if owner is None:
                form.email.errors = [_("Aucun compte avec cette adresse.")]
        if not form.email.errors:
            with saving() as outcome:
                secret, _token = access_tokens.create(current_user, owner, name=form.name.data,
                                                      scopes=form.scopes.data, days=form.days.data)
            if outcome.ok:
                flash(_("Jeton créé. Copiez-le maintenant : il ne sera plus affiché."), "success")
                form = TokenForm(formdata=None)
    return render_template("api/tokens.html", form=form, secret=secret, tokens=_listed(), now=utcnow(),
                           revoke_form=RevokeTokenForm(), is_admin=current_user.role == Role.ADMIN)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@require(Action.USE_APP)
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != current_user.id and current_user.role != Role.ADMIN):
        abort(404)
    if RevokeTokenForm().validate_on_submit():
        with saving(catch=()):
            access_tokens.revoke(current_user, token)
        flash(_("Jeton révoqué."), "success")
    return redirect(url_for("tokens.list_tokens"))
