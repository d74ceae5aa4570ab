from urllib.parse import urlencode, urlsplit

from flask import abort, request, url_for
from werkzeug.routing import IntegerConverter, UnicodeConverter

from tracker.core.text import has_controls

MAX_DB_INT = 2**31 - 1  # PostgreSQL INTEGER (SERIAL ids)


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths: no scheme, no host, no protocol-relative or backslash tricks, and no
    control character (a line break would end the Location header; the request gate refuses those first)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if has_controls(target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` bounded to the databases' INTEGER range: /projects/99999999999 is a 404 like any missing id,
    instead of an out-of-range error from PostgreSQL (a 500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_DB_INT, signed=False):  # noqa: A002 - werkzeug's
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TextConverter(UnicodeConverter):
    """`<slug>`, `<token>`, `<period_label>`…: a path segment with a control character (`%00`, `%0A`) matches
    no route (404) instead of reaching the database, which refuses NUL in text (a 500 on PostgreSQL)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's name
        super().__init__(map, *args, **kwargs)
        # UnicodeConverter sets "[^/]{…}" per instance (length bounds): keep those, exclude control characters.
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f-\\x9f]", 1)


# Query-string arguments that carry row ids (filters, preselections); each view parses them its own way.
ID_ARGS = ("cohort", "project", "mentor", "user", "member", "training", "indicator", "staff")


# The query-string keys list pages read (filters, sorting, pages). Links that keep "the current filters"
# carry these and nothing else: any other key a visitor adds is dropped, so it never reaches `url_for` as an
# argument (`?_external=1` would build an absolute URL from the Host header, `?endpoint=` or a key named
# like a path argument would be a TypeError).
FILTER_KEYS = frozenset({
    "q", "status", "state", "sort", "page", "others_page", "cohort", "project", "mentor", "staff", "user",
    "topic", "sector", "province", "role", "from", "to", "submitted", "stalled", "attention", "mine",
    "inactive", "women_led", "youth_led", "action", "entity", "entity_id", "dialect", "annex",
})


def url_with(**changes) -> str:
    """The current page's URL with its known filters, some of them replaced (None removes one)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k in FILTER_KEYS and k not in changes]
    args += [(k, v) for k, v in changes.items() if v is not None]
    path = url_for(request.endpoint, **(request.view_args or {}))
    return f"{path}?{urlencode(args)}" if args else path


def _refuse_out_of_range_ids():
    """?cohort=99999999999 would reach PostgreSQL as an out-of-range INTEGER (a 500): a 400 instead."""
    for name in ID_ARGS:
        for value in request.args.getlist(name):
            if value.strip().isdigit() and int(value) > MAX_DB_INT:
                abort(400)


def register_converters(app) -> None:
    """Before any blueprint: a rule compiles its converters when it is added to the map."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    app.before_request(_refuse_out_of_range_ids)
