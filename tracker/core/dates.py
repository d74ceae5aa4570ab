"""One way to write dates and times (issue 19): a short and a long form per language, through Babel, in the
app's time zone (`APP_TIMEZONE`). Pages (`|date`), e-mails, PDFs and the report files all call this module.

| form  | fr                    | ar                   | en                 |
| ----- | --------------------- | -------------------- | ------------------ |
| short | 1 juil. 2026          | 01/07/2026           | Jul 1, 2026        |
| long  | 1 juillet 2026        | 1 يوليوز 2026         | July 1, 2026       |
| time  | 14:05 (24 h everywhere, as people read times in Morocco)                 |

Arabic dates take the month names of Moroccan Arabic (CLDR `ar_MA`: يوليوز, غشت), with Latin digits as
the rest of the app. A date and time is the date, then the time, the way the locale joins them.
"""

import datetime as dt
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import get_datetime_format
from flask import has_app_context
from flask_babel import to_user_timezone

from tracker.core.i18n import gettext as _
from tracker.core.i18n import locale_name, ngettext

MISSING = "—"
SHORT, LONG = "short", "long"
TIME_FORMAT = "%H:%M"  # CLDR's "HH:mm"
# Babel's "medium" is the short form people read on a page ("1 juil. 2026"); its "short" is too terse.
_BABEL_WIDTH = {SHORT: "medium", LONG: "long"}
# The CLDR data used for each language's dates: Moroccan Arabic month names.
_DATE_DATA = {"ar": "ar_MA"}


def _date_locale(locale=None) -> str:
    return _date_data(locale_name(locale))


@lru_cache(maxsize=64)
def _date_data(locale: str) -> str:
    return _DATE_DATA.get(Locale.parse(locale).language, locale)


@lru_cache(maxsize=8192)
def _formatted_date(value: dt.date, width: str, locale: str) -> str:
    """Babel's formatting, kept: a list page writes the same few dates many times, and Babel parses the
    locale and walks the pattern at every call (a quarter of a millisecond under the profiler)."""
    return babel_date(value, width, locale=locale)


def _width(form: str) -> str:
    return _BABEL_WIDTH[LONG if form == LONG else SHORT]


def app_time(value: dt.datetime) -> dt.datetime:
    """A stored (UTC, or naive UTC) moment in the app's time zone; unchanged outside an app."""
    if not has_app_context():
        return value
    return to_user_timezone(value)


def date_text(value, form: str = SHORT, locale=None) -> str:
    """A date (or the day of a moment, in the app's time zone) in the short or long form of the language."""
    if value is None:
        return MISSING
    if isinstance(value, dt.datetime):
        value = app_time(value).date()
    return _formatted_date(value, _width(form), _date_locale(locale))


def time_text(value: dt.datetime, locale=None) -> str:
    """HH:mm in the app's time zone: the same in every language (24 h, Latin digits), so not asked of Babel
    (`locale` is kept for the callers' symmetry with the dates)."""
    return app_time(value).strftime(TIME_FORMAT)


@lru_cache(maxsize=64)
def _joiner(width: str, locale: str) -> str:
    """How the language joins a date ({1}) and a time ({0}), without CLDR's quoting."""
    return str(get_datetime_format(width, locale=locale)).replace("'", "")


def datetime_text(value, form: str = SHORT, locale=None) -> str:
    """A moment in the app's time zone: the date in `form` and the time, joined as the language joins them."""
    if value is None:
        return MISSING
    if not isinstance(value, dt.datetime):
        return date_text(value, form, locale)
    moment = app_time(value)
    day = _formatted_date(moment.date(), _width(form), _date_locale(locale))
    return _joiner(_width(form), locale_name(locale)).replace("{1}", day).replace("{0}", moment.strftime(TIME_FORMAT))


def days_ago(days: int | None) -> str:
    """"today" for 0, never "il y a 0 jour" / "منذ 0 يوم"; else "il y a 3 jours" with the plural forms."""
    if days is None:
        return MISSING
    if days <= 0:
        return _("aujourd'hui")
    return ngettext("il y a %(num)s jour", "il y a %(num)s jours", days)


def days_waiting(days: int | None) -> str:
    """How long something has waited: "today" for 0, else "3 jours"."""
    if days is None:
        return MISSING
    if days <= 0:
        return _("aujourd'hui")
    return ngettext("%(num)s jour", "%(num)s jours", days)
