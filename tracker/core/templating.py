"""What every template can use: permission checks, labels, locale-aware formatting."""

import datetime as dt
from decimal import Decimal

from flask import g
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from tracker.core.dates import LONG, SHORT, date_text, datetime_text, days_ago, days_waiting
from tracker.core.formatting import decimal_text
from tracker.core.i18n import LANGUAGE_NAMES, isolate, label, text_direction
from tracker.core.period_names import period_name
from tracker.core.permissions import Action, can
from tracker.core.query_args import ignored_filters
from tracker.core.urls import url_with


def _date(value, fmt: str = "short") -> str:
    """`|date` is the short form, `|date('long')` the long one (tracker/core/dates.py); a moment shows its time
    in the app's time zone."""
    form = LONG if fmt == "long" else SHORT
    if isinstance(value, dt.datetime):
        return datetime_text(value, form)
    return date_text(value, form)


def _number(value, digits: int | None = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal) and digits is None:
        value = value.normalize() if value == value.to_integral() else value
    return decimal_text(value, None if digits is None else "#,##0." + "0" * digits)


def _fraction(part, whole) -> Markup:
    """"5 / 8" as one left-to-right run: without the isolation an Arabic page shows it as "8 / 5"."""
    return Markup('<bdi dir="ltr" class="text-nowrap">%s / %s</bdi>') % (_number(part), _number(whole))


def _csrf_token() -> str:
    """Flask-WTF's `csrf_token()`, which signs the token once per request and keeps it in `g.csrf_token`:
    read there first, since a page with a "done" form per row asks for it on every row (its own lookup
    reads the app's config through context-local proxies each time)."""
    return getattr(g, "csrf_token", None) or generate_csrf()


def _can(action, obj=None) -> bool:
    from flask_login import current_user

    # The user itself, not the proxy: `can` reads three of its attributes, each a proxy lookup otherwise,
    # and a list page asks a few hundred times (a "done" button per action item).
    return can(current_user._get_current_object(), action, obj)


def register(app) -> None:
    from tracker.core import formatting

    app.jinja_env.filters.update(date=_date, number=_number, label=label, isolate=isolate, period=period_name)
    formatting.register(app)  # |count, |amount, |rate, |figure: one way to show a figure everywhere
    # Globals as well as context: macros imported without context (buttons) ask the permission table too.
    app.jinja_env.globals.update(url_with=url_with, ignored_filters=ignored_filters, fraction=_fraction,
                                 days_ago=days_ago, days_waiting=days_waiting, can=_can, Action=Action)
    app.jinja_env.globals["csrf_token"] = _csrf_token  # replaces Flask-WTF's (same token)

    @app.context_processor
    def inject():
        from flask_login import current_user

        user = current_user._get_current_object()  # once per page, not once per check (see _can)
        return {
            "can": lambda action, obj=None: can(user, action, obj),
            "Action": Action,
            "current_locale": str(get_locale() or "fr"),
            "text_direction": text_direction(),
            "language_names": LANGUAGE_NAMES,
        }
