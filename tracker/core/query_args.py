"""Reading list pages' query-string filters: one way for every view.

A value that cannot be a filter (not a number, a date no one means such as 0001-01-01 or 9999-12-31, a
role or status that does not exist) is ignored: the page shows without that filter and says which one it
left out, instead of failing or quietly showing something else.
"""

import datetime as dt

from flask import abort, g, has_request_context, request
from flask_babel import lazy_gettext as _l

from tracker.core.urls import MAX_DB_INT

# Dates a programme's records can carry; anything outside is a typo or a probe.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")  # what date inputs send; what people type in plain text inputs

# How the notice names a filter the reader set; keys not listed are named as they appear in the URL.
FILTER_NAMES = {
    "cohort": _l("cohorte"), "project": _l("projet"), "mentor": _l("accompagnateur"), "staff": _l("équipe"),
    "user": _l("utilisateur"), "role": _l("rôle"), "status": _l("statut"), "state": _l("état"),
    "from": _l("date de début"), "to": _l("date de fin"), "page": _l("page"), "sector": _l("secteur"),
    "topic": _l("thème"), "entity_id": _l("identifiant"), "sort": _l("tri"),
}


SHOWN_LENGTH = 40  # of a refused value in the notice (a probe may send kilobytes)


def ignore(name: str, raw: str, message=None) -> None:
    """Records that the filter `name` was left out; the page's layout shows the notice."""
    if not has_request_context():
        return
    shown = raw if len(raw) <= SHOWN_LENGTH else raw[:SHOWN_LENGTH] + "…"
    if message is None:
        message = _l("Le filtre « %(name)s » n'accepte pas la valeur « %(value)s » : il est ignoré.",
                     name=FILTER_NAMES.get(name, name), value=shown)
    notices = g.setdefault("ignored_filters", {})
    notices.setdefault(name, message)


def ignored_filters() -> list[str]:
    """What this request left out, one sentence per filter in the reader's language."""
    return [str(message) for message in g.get("ignored_filters", {}).values()]


def int_arg(name: str, source=None, *, strict: bool = False) -> int | None:
    """A row id or a page number; None when absent, and ignored (with a notice) when it cannot be one.
    `strict` (the API, which shows no notice): 400 instead, for any value sent that is not one, even empty."""
    args = source if source is not None else request.args
    if strict:
        raw = args.get(name)
        if raw is None:
            return None
        if raw.isascii() and raw.isdigit() and int(raw) <= MAX_DB_INT:
            return int(raw)
        abort(400)
    raw = args.get(name, "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and int(raw) <= MAX_DB_INT:
        return int(raw)
    ignore(name, raw)
    return None


def date_arg(name: str) -> dt.date | None:
    """ISO or dd/mm/yyyy between 1900 and 2100; ignored (with a notice) otherwise."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    for fmt in DATE_FORMATS:
        try:
            value = dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if FIRST_DATE <= value <= LAST_DATE:
            return value
        break
    ignore(name, raw, _l("La date « %(value)s » n'est pas valide : ce filtre est ignoré.",
                         value=raw[:SHOWN_LENGTH]))
    return None


def choice_arg(name: str, allowed) -> str | None:
    """One of `allowed` (values compared as text); ignored (with a notice) otherwise."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if raw in {str(a) for a in allowed}:
        return raw
    ignore(name, raw)
    return None
