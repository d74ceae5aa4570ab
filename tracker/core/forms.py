import datetime as dt
import hashlib
import os
import secrets
import shutil
from pathlib import Path

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import HiddenField


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
