"""Flask-Login wiring: the cookie carries the user's session token, looked up on every request."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from tracker.auth.models import User
from tracker.extensions import db


def load_user(token: str):
    user = db.session.scalar(sa.select(User).where(User.session_token == token))
    return user if user is not None and user.active else None


def configure(login_manager) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Connectez-vous pour continuer.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_user)
