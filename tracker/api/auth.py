"""Bearer-token authentication of the API, and the decorator every API view declares.

Only `Authorization: Bearer <token>` authenticates. The session cookie is never read on /api/ (the
signed-in browser of a user is anonymous here, so a third-party page cannot make it read data), which is
also why CSRF does not apply: nothing here acts on a cookie. A token in the query string is refused
outright, so nobody learns to paste it in a URL that ends up in logs and browser histories.
"""

from functools import wraps

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user

from tracker.api import access_tokens, throttle
from tracker.core.models import utcnow
from tracker.core.permissions import Role, Scope, scope_of
from tracker.core.problems import problem, unauthorized
from tracker.extensions import db

QUERY_TOKEN_NAMES = ("access_token", "token", "api_key", "apikey", "key", "bearer")


def _token_in_query() -> bool:
    return any(name in request.args for name in QUERY_TOKEN_NAMES) or any(
        value.startswith(access_tokens.PREFIX) for value in request.args.values())


def authenticate():
    """before_request of the API blueprint: the token's owner becomes `current_user`, or a problem."""
    g._login_user = current_app.login_manager.anonymous_user()  # the session cookie is ignored
    g.api_token = None
    view = current_app.view_functions.get(request.endpoint)
    if request.method == "OPTIONS" or getattr(view, "public", False):
        return None
    if _token_in_query():
        return problem(400, _("Un jeton ne se met jamais dans l'adresse : utilisez l'en-tête "
                              "Authorization: Bearer."))
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return unauthorized()
    token = access_tokens.get_by_secret(secret.strip())
    if token is None or not token.is_usable(utcnow()):
        return unauthorized(_("Ce jeton est inconnu, expiré ou révoqué."))
    wait = throttle.hit(token.id)
    if wait is not None:
        return problem(429, _("Trop de requêtes pour ce jeton : réessayez dans %(n)s secondes.", n=wait),
                       {"Retry-After": str(wait)})
    g._login_user, g.api_token = token.user, token
    if access_tokens.record_use(token):
        db.session.commit()
    return None


def api_view(action, scope: str, *, schema=None, summary: str = "", paginated: bool = False, params=()):
    """Declares the POLICY action and the token scope of an API view, and what the OpenAPI document says
    of it (`schema` serialises the answer; `params` are (name, type, description) query parameters)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            token = g.get("api_token")
            if token is None:
                return unauthorized()
            if scope not in token.scope_list:
                return problem(403, _("Ce jeton n'a pas la portée %(scope)s.", scope=scope))
            if scope_of(current_user, action) is Scope.NONE:
                return problem(404 if current_user.role == Role.HOLDER else 403)
            return view(*args, **kwargs)

        wrapped.required_action = action
        wrapped.api_doc = {"scope": scope, "schema": schema, "summary": summary, "paginated": paginated,
                           "params": list(params)}
        return wrapped

    return decorator


def may_see_people() -> bool:
    token = g.get("api_token")
    return token is not None and "people:read" in token.scope_list
