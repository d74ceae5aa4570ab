"""Accepting a submission the phone queued offline and sends later (issue 21, point 4).

The phone sends the form exactly as it was filled: the CSRF token and the `version` the form was opened with,
plus two fields of its own, `_offline_token` and `_idempotency_key`.

CSRF policy. The ordinary CSRF token lives as long as the browser session. A holder who filled a form offline
may come back after the session ended (30 minutes idle) and sign in again: the token the form was opened with
is then stale, although the request is genuine. The replay is accepted when, and only when:

- the ordinary CSRF check fails *and* the request carries an `_offline_token` that this server signed (HMAC
  with SECRET_KEY, its own salt) for **this user** and **this form address**, not older than
  OFFLINE_REPLAY_DAYS, and made with the user's current session token: a logout or a password change rotates
  that token, so every offline token issued before it stops working;
- someone is signed in, as that same user (a replay for another account is refused with 403, even with a valid
  CSRF token).

This keeps what CSRF protection is for: another site cannot read the token (same-origin policy), cannot make the
browser send the session cookie on a cross-site POST (SameSite=Lax), and a token is good for one account and
one form only. The server checks the form itself as for any submission (validation, version, permissions).

Exactly once. `_idempotency_key` (a random UUID per queued submission) is recorded in the same transaction as
what the submission changed; a second copy (the service worker and the page both sending it, a lost answer)
finds the key and changes nothing.
"""

import hashlib
import re

from flask import abort, current_app, flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from tracker.extensions import db

SALT = "mowakaba-offline-replay"
KEY_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _session_fingerprint(user) -> str:
    return hashlib.sha256(user.session_token.encode()).hexdigest()[:16]


def issue_token(user, path: str) -> str:
    """The token a draft form carries: good for this user, this form address and this login generation."""
    return _serializer().dumps({"u": user.id, "p": path, "s": _session_fingerprint(user)})


def token_owner(token: str, path: str) -> tuple[int, bool] | None:
    """(user id the token was issued to, whether it is still valid for the current user), or None when the
    token is not ours, is too old, or is for another address."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["OFFLINE_REPLAY_DAYS"] * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("p") != path or not isinstance(data.get("u"), int):
        return None
    valid = (current_user.is_authenticated and data["u"] == current_user.id
             and data.get("s") == _session_fingerprint(current_user))
    return data["u"], valid


def refuse_replay_for_another_account():
    """before_request: an offline token issued to someone else is refused outright, whatever the CSRF token."""
    if request.method != "POST" or "_offline_token" not in request.form:
        return None
    owner = token_owner(request.form["_offline_token"], request.path)
    if owner is not None and current_user.is_authenticated and owner[0] != current_user.id:
        abort(403)
    return None


def seen_before():
    """before_request: a queued submission already received changes nothing the second time."""
    from tracker.offline.models import ReplayedSubmission

    key = request.form.get("_idempotency_key", "") if request.method == "POST" else ""
    if not key or not current_user.is_authenticated:
        return None
    if not KEY_PATTERN.match(key):
        abort(400)
    known = db.session.get(ReplayedSubmission, key)
    if known is not None:
        if known.user_id != current_user.id:
            abort(403)
        flash(_("Cet envoi avait déjà été reçu : rien n'a changé."), "info")
        return redirect(request.path)
    # Written with whatever the view commits; a view that rolls back (conflict, errors) drops it too.
    db.session.add(ReplayedSubmission(key=key, user_id=current_user.id, path=request.path[:500]))
    return None


def _offline_token(path: str | None = None) -> str:
    """The signed token a draft form carries, so that it may be sent later from the phone: for the address
    the form posts to (`path`, this page's by default)."""
    return issue_token(current_user, path or request.path) if current_user.is_authenticated else ""


def init_app(app) -> None:
    app.before_request(refuse_replay_for_another_account)
    app.before_request(seen_before)
    app.context_processor(lambda: {"offline_token": _offline_token})
