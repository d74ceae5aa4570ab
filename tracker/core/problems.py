"""API errors as RFC 9457 `application/problem+json`, with a title in the token owner's language.

Every error under /api/ goes through here (errors.py hands them over, and the API's own checks answer with
it): never an HTML page, never a stack trace."""

import json

from flask import Response, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MEDIA_TYPE = "application/problem+json"
TITLES = {401: _l("Authentification requise")}


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def problem(status: int, detail: str | None = None, headers: dict | None = None) -> Response:
    from tracker.core.errors import MESSAGES  # errors.py imports this module too

    if status in TITLES:
        title = TITLES[status]
    else:
        title = MESSAGES.get(status, MESSAGES[500])[0]
    body = {"type": "about:blank", "title": str(title), "status": status}
    if detail:
        body["detail"] = str(detail)
    response = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def unauthorized(detail: str | None = None) -> Response:
    return problem(401, detail or _("Envoyez un jeton d'accès dans l'en-tête Authorization: Bearer."),
                   {"WWW-Authenticate": 'Bearer realm="mowakaba", error="invalid_token"'})
