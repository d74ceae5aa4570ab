"""Which responses the browser may keep, and for whom.

Every page of a signed-in user is `no-store` (tracker.core.security), because Mowakaba is used on shared
computers. The exception is a short list of a *holder's own* pages: a holder in a rural commune must be able
to read their home, project, milestones and the report forms they owe without a signal. Those pages are
`private, no-cache`: the browser (and the service worker, which never stores a `no-store` response) may keep
a copy, but must ask the server first whenever it is online. Why that is acceptable:

- holders only ever receive their own project's data (staff notes are not even loaded for them), so a copy
  holds nothing a holder may not see;
- `private` keeps it out of any shared proxy;
- logout answers `Clear-Site-Data: "cache", "storage"` and the page clears the service worker's caches and
  the drafts before it logs out (offline too), and a different account signing in on the same browser
  clears whatever the previous one left (static/js/offline.js).

Staff, managers and admins get `no-store` on every page, so nothing of theirs is ever cached.
"""

from flask import request
from flask_login import current_user

from tracker.core.permissions import Role

# GET pages of the holder's own projects that the service worker keeps for offline reading.
HOLDER_OFFLINE_ENDPOINTS = frozenset({
    "core.home",
    "projects.list_projects",
    "projects.view_project",
    "milestones.list_milestones",
    "milestones.view_milestone",
    "milestones.edit_milestone",
    "periods.list_due",
    "periods.edit_report",
})
OFFLINE_CACHE_CONTROL = "private, no-cache"


def may_keep_offline(response) -> bool:
    """A holder's own HTML page, answered 200 to a GET: the only responses that are not `no-store`."""
    return (
        request.method == "GET"
        and response.status_code == 200
        and response.mimetype == "text/html"
        and request.endpoint in HOLDER_OFFLINE_ENDPOINTS
        and current_user.is_authenticated
        and current_user.role == Role.HOLDER
    )


def offline_cache_control(response) -> str | None:
    """What core's security headers ask (tracker.core.security.register_offline_policy)."""
    return OFFLINE_CACHE_CONTROL if may_keep_offline(response) else None
