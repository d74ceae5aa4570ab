"""What every template can use: permission checks, labels, locale-aware formatting."""

import datetime as dt
from decimal import Decimal

from flask import request, url_for
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from tracker.core.i18n import LANGUAGE_NAMES, isolate, label, text_direction
from tracker.core.permissions import Action, can


def _date(value, fmt: str = "medium") -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return format_datetime(value, "short")
    return format_date(value, fmt)


def _number(value, digits: int | None = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal) and digits is None:
        value = value.normalize() if value == value.to_integral() else value
    return format_decimal(value, format=None if digits is None else "#,##0." + "0" * digits)


def _url_with(**changes) -> str:
    """The current URL with some query arguments replaced (filters, sorting, pagination)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for k, v in changes.items():
        if v is None:
            args.pop(k, None)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register(app) -> None:
    app.jinja_env.filters.update(date=_date, number=_number, label=label, isolate=isolate)
    app.jinja_env.globals.update(url_with=_url_with)

    @app.context_processor
    def inject():
        from flask_login import current_user

        return {
            "can": lambda action, obj=None: can(current_user, action, obj),
            "Action": Action,
            "current_locale": str(get_locale() or "fr"),
            "text_direction": text_direction(),
            "language_names": LANGUAGE_NAMES,
        }
