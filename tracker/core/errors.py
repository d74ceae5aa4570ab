"""Translated error pages; never a stack trace. A 500 rolls the session back."""

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from tracker.core.problems import is_api_request, problem
from tracker.extensions import db

MESSAGES = {
    400: (_l("Requête invalide"), _l("La demande n'a pas pu être comprise. Rechargez la page et réessayez.")),
    403: (_l("Accès refusé"), _l("Votre rôle ne vous permet pas d'ouvrir cette page.")),
    404: (_l("Page introuvable"), _l("Cette page n'existe pas ou n'est pas accessible avec votre compte.")),
    405: (_l("Méthode non autorisée"), _l("Cette action n'est pas possible de cette manière.")),
    413: (_l("Fichier trop volumineux"), _l("Le fichier envoyé dépasse la taille autorisée.")),
    429: (_l("Trop de tentatives"), _l("Trop de tentatives. Patientez quelques minutes avant de réessayer.")),
    500: (_l("Erreur interne"),
          _l("Une erreur inattendue s'est produite. Rien n'a été enregistré ; réessayez plus tard.")),
}


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if error.code >= 500:
        db.session.rollback()
    if is_api_request():  # the API answers problem+json, never a page
        kept = {name: value for name, value in error.get_headers() if name in ("Retry-After", "Allow")}
        return problem(error.code if error.code < 600 else 500, headers=kept)
    # A throttled login may say how long to wait (tracker/core/limiter.py LoginDelayed).
    body, code = render_error(error.code if error.code in MESSAGES else 500, getattr(error, "detail_message", None))
    # Keep what the client needs from the original: when to retry (throttled login), which methods work.
    kept = [(name, value) for name, value in error.get_headers() if name in ("Retry-After", "Allow")]
    return body, code, kept


def handle_csrf_error(error: CSRFError):  # never on /api/: its blueprint is exempt
    return render_error(400, str(_l("Le formulaire a expiré. Rechargez la page et réessayez.")))


def handle_unexpected(error: Exception):
    current_app.logger.exception("Unhandled error: %s", error)
    db.session.rollback()
    if is_api_request():
        return problem(500)
    return render_error(500)


def register(app) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
