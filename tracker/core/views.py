import datetime as dt

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from tracker.core.forms import LanguageForm
from tracker.core.permissions import Action, Role, public, require
from tracker.core.urls import is_safe_next
from tracker.extensions import db

bp = Blueprint("core", __name__)


@bp.route("/")
@require(Action.USE_APP)
def home():
    if current_user.role == Role.HOLDER:
        from tracker.portfolio.holder import holder_dashboard

        today = dt.date.today()
        return render_template("core/home_holder.html", dashboard=holder_dashboard(current_user, today), today=today)
    from tracker.portfolio.views import render_portfolio

    return render_portfolio()


@bp.route("/health")
@public
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Visitors keep their choice in the session; signed-in users in their profile."""
    form = LanguageForm()
    if not form.validate_on_submit() or form.locale.data not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = form.locale.data
    if current_user.is_authenticated:
        current_user.locale = form.locale.data
        db.session.commit()
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("core.home"))
