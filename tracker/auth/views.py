import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user

from tracker.auth import services
from tracker.auth.forms import ChangePasswordForm, LoginForm
from tracker.core import limiter, security
from tracker.core.permissions import Action, Role, public, require
from tracker.core.services import ServiceError
from tracker.core.urls import is_safe_next
from tracker.extensions import db

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        limiter.check_login(form.email.data)  # 429 once the account or this address spent its failures
        user = services.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if user is None:
            limiter.login_failed(form.email.data)
            flash(_("Adresse e-mail ou mot de passe incorrect."), "danger")
            return render_template("auth/login.html", form=form), 200
        limiter.login_succeeded(form.email.data)
        locale = session.get("locale")
        session.clear()  # a fresh session on login: no fixation
        if locale:
            session["locale"] = locale
        login_user(user, remember=bool(form.remember.data))
        target = request.args.get("next")
        if user.role == Role.HOLDER:
            return _holder_landing(user, target)
        return redirect(target if is_safe_next(target) else url_for("core.home"))
    return render_template("auth/login.html", form=form)


def _holder_landing(user, target):
    """A holder with a report due within a week, overdue or returned sees it first, whatever `next` says."""
    from tracker.periods.services import attention_reports

    due = attention_reports(user, dt.date.today())
    if due:
        flash(ngettext("Un rapport de période vous attend.", "%(num)s rapports de période vous attendent.",
                       len(due)), "warning")
        return redirect(url_for("core.home") + "#reports-due")
    return redirect(target if is_safe_next(target) else url_for("core.home"))


@bp.route("/logout", methods=["POST"])
@require(Action.USE_APP)
def logout():
    # A new session token: this cookie, any copy of it and the remember-me cookie are worthless from now on.
    services.end_all_sessions(current_user)
    db.session.commit()
    security.end_session()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@require(Action.USE_APP)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except ServiceError as error:
            getattr(form, error.field or "password").errors.append(str(error.message))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this session carries the new token; the others are gone
            flash(_("Votre mot de passe a été changé. Vos autres sessions ont été fermées."), "success")
            return redirect(url_for("core.home"))
    return render_template("auth/change_password.html", form=form,
                           min_length=current_app.config["PASSWORD_MIN_LENGTH"])
