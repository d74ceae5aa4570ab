"""How a reporting period reads: the stored code ("2026-T3", "2026-S1", "2026-03") never changes, only what
people see does, and each language chooses its own form ("T3 2026", "Q3 2026", "الربع الثالث 2026").

One helper for pages, exports and e-mails. It follows the current locale (`force_locale` in exports and
e-mails); a code it does not recognise is shown as stored.
"""

import datetime as dt
import re

from babel.dates import format_date as babel_format_date
from flask import has_app_context
from flask_babel import lazy_gettext as _l

from tracker.core.i18n import kept_text, locale_name

_CODE = re.compile(r"^(?P<year>\d{4})-(?:(?P<kind>[TS])(?P<n>[1-4])|(?P<month>0[1-9]|1[0-2]))$")

# One message per period, so that each language writes the ordinal its own way (Arabic: "الربع الثالث").
_NAMES = {
    ("T", 1): _l("T1 %(year)s"),
    ("T", 2): _l("T2 %(year)s"),
    ("T", 3): _l("T3 %(year)s"),
    ("T", 4): _l("T4 %(year)s"),
    ("S", 1): _l("S1 %(year)s"),
    ("S", 2): _l("S2 %(year)s"),
}


def period_name(code, locale=None) -> str:
    """The period code as words in the current language ("2026-T3" → "T3 2026" / "Q3 2026" /
    "الربع الثالث 2026"; "2026-03" → "mars 2026"); anything else unchanged. `locale` only changes the month
    names: the quarter and half-year words follow the catalogue of the current locale (use `force_locale`)."""
    if code is None:
        return "—"
    return kept_text(("period", str(code), str(locale) if locale else None), lambda: _name(str(code), locale))


def _name(code: str, locale) -> str:
    match = _CODE.match(code)
    if match is None:
        return code
    year = match["year"]
    if match["month"]:
        day = dt.date(int(year), int(match["month"]), 1)
        return babel_format_date(day, "LLLL y", locale=locale_name(locale))
    if (match["kind"] == "S" and int(match["n"]) > 2) or not has_app_context():
        return code
    return str(_NAMES[(match["kind"], int(match["n"]))] % {"year": year})
