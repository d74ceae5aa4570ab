from flask_wtf import FlaskForm
from wtforms import HiddenField


class LanguageForm(FlaskForm):
    locale = HiddenField()


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is what a destructive POST needs."""
