"""'Forgot password': one answer whatever the address, a single-use link of one hour (issue 17).

The page says the same thing, with the same status, whether the address belongs to an account or not, and
does the same work in both cases before answering (one lookup, one audit event); the e-mail itself is
sent after the response, through the job queue, so its duration tells nothing either. Requests are
throttled per address typed and per client address (tracker/auth/throttle.py): once the budget is spent
the answer is still the same, and nothing is sent.
"""

import hashlib

from flask_babel import lazy_gettext as _l

from tracker.auth import tokens
from tracker.auth.models import TokenPurpose
from tracker.auth.services import get_by_email, normalise_email
from tracker.core import audit, email


def _fingerprint(address: str) -> str:
    """What the audit keeps of an address that matches no account: enough to see repeated attempts,
    not the address itself (it may be a typo of someone's personal e-mail)."""
    return hashlib.sha256(address.encode()).hexdigest()[:16]


def request_reset(address: str) -> dict | None:
    """Issues a reset link when `address` is an active account's; returns the e-mail payload, or None.
    Audited in both cases (`password_reset_requested`)."""
    address = normalise_email(address)
    user = get_by_email(address)
    if user is None or not user.active:
        audit.record(None, "password_reset_requested", "user", user.id if user else None,
                     {"address": [None, _fingerprint(address)], "sent": [None, False]})
        return None
    secret, token = tokens.issue(user, TokenPurpose.RESET)
    audit.record(None, "password_reset_requested", "user", user.id, {"sent": [None, True]})
    minutes = int(tokens.lifetime(TokenPurpose.RESET).total_seconds() // 60)
    return email.compose(user.email, user.locale, "reset",
                         _l("%(app)s : choisir un nouveau mot de passe", app=email.app_name()),
                         name=user.display_name, link=email.external_url("auth.set_password", token=secret),
                         minutes=minutes)
