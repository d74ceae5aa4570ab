from urllib.parse import urlsplit

from flask import abort, request
from werkzeug.routing import IntegerConverter

MAX_DB_INT = 2**31 - 1  # PostgreSQL INTEGER (SERIAL ids)


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` bounded to the databases' INTEGER range: /projects/99999999999 is a 404 like any missing id,
    instead of an out-of-range error from PostgreSQL (a 500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_DB_INT, signed=False):  # noqa: A002 - werkzeug's
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# Query-string arguments that carry row ids (filters, preselections); each view parses them its own way.
ID_ARGS = ("cohort", "project", "mentor", "user", "member", "training", "indicator", "staff")


def _refuse_out_of_range_ids():
    """?cohort=99999999999 would reach PostgreSQL as an out-of-range INTEGER (a 500): a 400 instead."""
    for name in ID_ARGS:
        for value in request.args.getlist(name):
            if value.strip().isdigit() and int(value) > MAX_DB_INT:
                abort(400)


def register_converters(app) -> None:
    """Before any blueprint: a rule compiles its converters when it is added to the map."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.before_request(_refuse_out_of_range_ids)
