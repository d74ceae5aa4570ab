"""Security hooks: response headers, session idle timeout, login throttling.

The app holds personal data of young people and women entrepreneurs, often used from shared computers:
every page behind login is `no-store`, a session unused for IDLE_TIMEOUT_MINUTES ends, and the browser is
told to run only the app's own scripts and styles (no inline code anywhere in templates/).
"""

import time

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user, user_logged_in

from tracker.core import limiter, text

# No 'unsafe-inline' anywhere: JS lives in static/js/*.js, data reaches it through
# <script type="application/json"> blocks, CSS in static/css/. Bootstrap's icons are data: SVGs.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"
HSTS = "max-age=31536000; includeSubDomains"
LAST_SEEN = "_last_seen"  # epoch seconds of the session's latest page visit, kept in the signed cookie
# The idle clock moves at most once a minute: a timeout counted in minutes needs no finer grain, and most
# requests then leave the cookie alone (see end_idle_session).
STAMP_SECONDS = 60


def init_app(app) -> None:
    text.init_app(app)  # every parameter through the text gate; `next` with a control character is a 400
    limiter.init_app(app)
    app.before_request(end_idle_session)
    app.after_request(set_security_headers)
    user_logged_in.connect(_stamp_login, app)


def _stamp_login(sender, user, **extra) -> None:
    session[LAST_SEEN] = int(time.time())


def end_session() -> None:
    """Log out in this browser only: keep the language, and Flask-Login's order to drop the remember-me
    cookie (which session.clear() would otherwise lose)."""
    keep = {key: session[key] for key in ("locale",) if key in session}
    logout_user()
    if "_remember" in session:
        keep["_remember"] = session["_remember"]
    session.clear()
    session.update(keep)


def end_idle_session():
    """A signed-in session unused for IDLE_TIMEOUT_MINUTES ends; the user signs in again and comes back.

    The time of the last page visit travels in the signed session cookie, so a copied old cookie is stale
    too. A cookie that proves a login but carries no time at all (issued before this hook existed) counts
    as stale. A session restored from the remember-me cookie starts its idle clock now.
    """
    if request.endpoint == "static" or request.blueprint == "api":  # the API never reads the session
        return None
    from_session = "_user_id" in session
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    last_seen = session.get(LAST_SEEN)
    timeout = current_app.config["IDLE_TIMEOUT_MINUTES"] * 60
    if from_session and (not isinstance(last_seen, int) or now - last_seen > timeout):
        end_session()
        flash(_("Votre session a expiré après %(minutes)s minutes d'inactivité. Connectez-vous à nouveau.",
                minutes=current_app.config["IDLE_TIMEOUT_MINUTES"]), "warning")
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target))
    if not isinstance(last_seen, int) or (_is_page_visit() and now - last_seen >= STAMP_SECONDS):
        session[LAST_SEEN] = now
    return None


def _is_page_visit() -> bool:
    """A page the user opened or a form they sent, as against the browser's own fetches (a picker's search,
    the service worker's script and warm-up), which say so in Sec-Fetch-Mode.

    Those fetches must not write the session cookie: one answered after a form's redirect would put back
    the cookie it read before, and the form's confirmation (or a language just chosen) would be lost. They
    are not the user's activity either. A client that sends no Sec-Fetch-Mode counts as a visit."""
    return request.headers.get("Sec-Fetch-Mode", "navigate") == "navigate"


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    # Static files stay cacheable; pages and downloads of a signed-in user, and every HTML page (the
    # login page carries a CSRF token), must not stay in a shared browser's cache.
    if request.blueprint == "api":  # the API sets its own (no-store, or no-cache with an ETag)
        return response
    # The only exception: a holder's own pages, kept for reading offline (tracker/offline/caching.py).
    if request.endpoint != "static" and (response.mimetype == "text/html" or current_user.is_authenticated):
        kept = _offline_policy(response) if _offline_policy else None
        headers["Cache-Control"] = kept or "no-store"
        headers.pop("Expires", None)
    return response


_offline_policy = None  # the offline feature's answer, registered at app creation


def register_offline_policy(policy) -> None:
    """`policy(response) -> str | None`: the Cache-Control of a page a holder may read offline, else None."""
    global _offline_policy
    _offline_policy = policy
