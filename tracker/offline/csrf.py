"""Flask-WTF's CSRF protection, which also accepts a queued offline submission (policy: replay.py)."""

from flask import g, request
from flask_wtf.csrf import CSRFError, CSRFProtect


class ReplayAwareCSRF(CSRFProtect):
    def protect(self, apply_exemptions=False):
        try:
            super().protect(apply_exemptions=apply_exemptions)
        except CSRFError:
            from tracker.offline.replay import token_owner  # replay.py needs the extensions this module builds

            token = request.form.get("_offline_token", "") if request.method == "POST" else ""
            owner = token_owner(token, request.path) if token else None
            if owner is None or not owner[1]:
                raise
            g.csrf_valid = True  # FlaskForm skips its own CSRF field check after this
