import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user

from tracker.auth import services
from tracker.auth.forms import ChangePasswordForm, LoginForm
from tracker.core import limiter, security
from tracker.core.lifecycle import saving
from tracker.core.permissions import Action, Role, public, require
from tracker.core.urls import is_safe_next
from tracker.core.view_helpers import apply_error

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            limiter.check_login(form.email.data)  # 429 while this account may not be tried from here
        except limiter.Throttled as refused:
            with saving(catch=()):
                services.record_throttling(form.email.data, refused.events)
            raise
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            with saving(catch=()):
                services.record_throttling(form.email.data, limiter.login_failed(form.email.data))
            flash(_("Adresse e-mail ou mot de passe incorrect."), "danger")
            return render_template("auth/login.html", form=form), 200
        with saving(catch=()):
            services.record_unlock(user, limiter.login_succeeded(form.email.data), actor=user)
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
    with saving(catch=()):
        services.end_all_sessions(current_user)
    security.end_session()
    flash(_("Vous êtes déconnecté."), "info")
    response = redirect(url_for("auth.login"))
    # The holder's pages kept for offline use and the drafts on this browser go with the session (issue 21);
    # offline.js clears them too before logging out, for a browser that ignores this header.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@require(Action.USE_APP)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with saving(show=False) as outcome:
            services.change_password(current_user, form.current_password.data, form.password.data)
        if not outcome.ok:
            apply_error(form, outcome.error, flash_too=False, default_field="password")
        else:
            login_user(current_user._get_current_object())  # this session carries the new token; the others are gone
            flash(_("Votre mot de passe a été changé. Vos autres sessions ont été fermées."), "success")
            return redirect(url_for("core.home"))
    return render_template("auth/change_password.html", form=form,
                           min_length=current_app.config["PASSWORD_MIN_LENGTH"])
