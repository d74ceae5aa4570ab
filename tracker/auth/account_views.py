"""'Forgot password' and the page behind invitation and reset links (issue 17), on the auth blueprint.

Both are public: the person is not signed in. The link's secret is in the path; the page behind an unknown,
used or expired link says so without telling which, and changes nothing.
"""

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_user, logout_user

from tracker.auth import invitations, reset, throttle, tokens
from tracker.auth.forms import ForgotPasswordForm, SetPasswordForm
from tracker.auth.views import bp
from tracker.core import email
from tracker.core.lifecycle import saving
from tracker.core.permissions import public
from tracker.core.view_helpers import apply_error


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        if throttle.allow(form.email.data):
            with saving(catch=()):
                payload = reset.request_reset(form.email.data)
                if payload is not None:
                    email.send(payload)  # after the commit, in the background: the answer does not wait for it
        # The same page, word for word and status, whether the address is known, unknown or throttled.
        return render_template("auth/forgot_password_sent.html")
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/set/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    found = tokens.get_valid(token)
    if found is None:
        return render_template("auth/link_invalid.html"), 404
    if not current_user.is_authenticated and "locale" not in session:
        # The page speaks the language the e-mail was written in (the account's), not the browser's.
        session["locale"] = found.user.locale
        refresh()
    form = SetPasswordForm()
    if form.validate_on_submit():
        with saving(show=False) as outcome:
            user = invitations.use_token(token, form.password.data)
        if not outcome.ok:
            apply_error(form, outcome.error, flash_too=False)
        else:
            if current_user.is_authenticated:
                logout_user()
            locale = session.get("locale")
            session.clear()  # a fresh session: no fixation
            if locale:
                session["locale"] = locale
            login_user(user)  # the new session token: every other session of the account has ended
            flash(_("Votre mot de passe est enregistré. Bienvenue !"), "success")
            return redirect(url_for("core.home"))
    return render_template("auth/set_password.html", form=form, user=found.user, purpose=found.purpose.value,
                           min_length=current_app.config["PASSWORD_MIN_LENGTH"])
