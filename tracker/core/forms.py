import datetime as dt
import hashlib
import os
import secrets
import shutil
from pathlib import Path

from flask import current_app
from flask_wtf import FlaskForm as _FlaskForm
from wtforms import Form as _Form
from wtforms import HiddenField, PasswordField, StringField, TextAreaField

from tracker.core.text import clean_line, clean_multiline


def int_or_none(value):
    """Coerce/filter for optional id fields: an integer, or None for a blank or unreadable value (the field's
    validators or the service then say what is missing)."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class TextGateMeta:
    """Every text field of every form goes through the text gate (tracker/core/text.py) before any
    filter or validator of its own: a text area keeps its line breaks, any other text field (names,
    codes, titles, e-mails, hidden values) is one line without bidi overrides. Passwords are left as
    typed (the request gate already removed control characters): changing them would lock people out."""

    def bind_field(self, form, unbound_field, options):
        gate = _gate_for(unbound_field.field_class)
        if gate is not None:
            options = dict(options, filters=(gate, *unbound_field.kwargs.get("filters", ())))
        return super().bind_field(form, unbound_field, options)


def _gate_for(field_class):
    if issubclass(field_class, TextAreaField):
        return clean_multiline
    if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
        return clean_line
    return None


class FlaskForm(_FlaskForm):
    """The app's base form (Flask-WTF with CSRF) with the text gate; feature forms import it from here."""

    class Meta(TextGateMeta):
        pass


class Form(_Form):
    """The base of sub-forms (rows of a FieldList), with the same text gate."""

    class Meta(TextGateMeta):
        pass


class LanguageForm(FlaskForm):
    locale = HiddenField()


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is what a destructive POST needs."""


class SubmitOnceMixin:
    """A form that creates something takes effect once per page load, whatever the double clicks.

    The page carries a random `form_token` (rendered by `hidden_tag()`); the view claims it just before
    writing. The claim is a file created with O_EXCL under UPLOAD_DIR/form-tokens/ (the folder app servers
    share), so two requests racing with the same token, on any server, cannot both win. The view releases
    the claim when its write is refused, so the corrected form can still be sent. A POST without a token
    (an old page) gets a fresh one and is not protected, as before. Claims older than two days are pruned.
    """

    form_token = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.form_token.data:
            self.form_token.data = secrets.token_urlsafe(24)

    def _claim_path(self) -> Path:
        digest = hashlib.sha256(str(self.form_token.data).encode()).hexdigest()
        return Path(current_app.config["UPLOAD_DIR"]) / CLAIM_FOLDER / dt.date.today().isoformat() / digest

    def claim_submission(self) -> bool:
        """True the first time this page's token is sent; False for a repeat."""
        path = self._claim_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        _prune_claims(path.parent.parent)
        if any((day / path.name).exists() for day in path.parent.parent.iterdir() if day != path.parent):
            return False  # sent just before midnight, repeated just after
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            return False
        return True

    def release_submission(self) -> None:
        self._claim_path().unlink(missing_ok=True)


CLAIM_FOLDER = "form-tokens"
CLAIM_DAYS = 2


def _prune_claims(root: Path) -> None:
    oldest = (dt.date.today() - dt.timedelta(days=CLAIM_DAYS)).isoformat()
    for day in root.iterdir():
        if day.is_dir() and day.name < oldest:
            shutil.rmtree(day, ignore_errors=True)
