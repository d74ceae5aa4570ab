
from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from flask_login import current_user

from tracker.core.forms import LanguageForm
from tracker.core.lifecycle import saving
from tracker.core.permissions import Action, public, require
from tracker.core.urls import is_safe_next
from tracker.extensions import db

bp = Blueprint("core", __name__)


_home_page = None  # the portfolio feature's view, registered at app creation


def register_home(view) -> None:
    """The page "/" shows for the signed-in user (tracker.portfolio.home)."""
    global _home_page
    _home_page = view


@bp.route("/")
@require(Action.USE_APP)
def home():
    return _home_page()


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
        with saving(catch=()):
            current_user.locale = form.locale.data
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("core.home"))
