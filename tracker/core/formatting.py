"""How a figure is shown: one module for the screen, the XLSX, the CSV and the PDF (issue 18).

Every figure has a `Kind` that fixes how it reads everywhere:
- COUNT: an integer ("185", never "185.00");
- AMOUNT: two decimals ("1 234,50" in French, "1,234.50" in English): hours, MAD, indicator figures;
- RATE: a fraction shown as a percentage with one decimal (0.567 → "56,7 %"): rates and progress;
- POINTS: a figure already in per cent (an indicator measured in %), one decimal (33.25 → "33,3 %");
- DECIMAL: one decimal ("1,5": a median);
- DATE, DATETIME, BOOL, TEXT.

Rounding is half away from zero, as spreadsheets round what they show, so the screen, the PDF, the CSV
and a spreadsheet opening the XLSX print the same digits (0.5665 → 56,7 %, never 56 % here and 57 % there).
The XLSX keeps the exact number with a display format; the CSV writes the number rounded as shown, with
the dialect's decimal mark and no thousands separator, so a spreadsheet reads it as a number.
"""

import datetime as dt
import enum
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import format_decimal as babel_decimal
from babel.numbers import format_percent as babel_percent
from flask_babel import gettext as _

from tracker.core.dates import LONG, app_time, date_text, datetime_text
from tracker.core.i18n import locale_name

MISSING = "—"


class Kind(enum.StrEnum):
    COUNT = "count"
    AMOUNT = "amount"
    RATE = "rate"
    POINTS = "points"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"
    TEXT = "text"


NUMERIC_KINDS = (Kind.COUNT, Kind.AMOUNT, Kind.RATE, Kind.POINTS, Kind.DECIMAL)

# Digits shown after the decimal mark, per kind (RATE: of the percentage).
DIGITS = {Kind.COUNT: 0, Kind.AMOUNT: 2, Kind.RATE: 1, Kind.POINTS: 1, Kind.DECIMAL: 1}

# XLSX display formats: Excel shows them with the reader's own separators.
XLSX_FORMATS = {
    Kind.COUNT: "#,##0",
    Kind.AMOUNT: "#,##0.00",
    Kind.RATE: "0.0%",
    Kind.POINTS: '0.0" %"',
    Kind.DECIMAL: "0.0",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
}


def kind_of(value, rate: bool = False) -> Kind:
    """The kind a value has by its type: int → COUNT, Decimal → AMOUNT, float → RATE when `rate` (a
    fraction) else DECIMAL, dates, booleans, the rest TEXT."""
    if isinstance(value, bool):
        return Kind.BOOL
    if isinstance(value, int):
        return Kind.COUNT
    if isinstance(value, Decimal):
        return Kind.AMOUNT
    if isinstance(value, float):
        return Kind.RATE if rate else Kind.DECIMAL
    if isinstance(value, dt.datetime):
        return Kind.DATETIME
    if isinstance(value, dt.date):
        return Kind.DATE
    return Kind.TEXT


def figure_kind(value, unit: str | None) -> Kind:
    """The kind of an indicator figure: a count unit with a whole value is a COUNT, a percent unit is
    POINTS, anything else an AMOUNT."""
    unit = str(unit) if unit is not None else None
    if unit == "percent":
        return Kind.POINTS
    if unit == "count" and value is not None and Decimal(value) == Decimal(value).to_integral_value():
        return Kind.COUNT
    return Kind.AMOUNT


def rounded(value, kind: Kind) -> Decimal:
    """The number as it is shown: a rate in per cent; half away from zero to DIGITS[kind] places."""
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if kind == Kind.RATE:
        number *= 100
    return number.quantize(Decimal(1).scaleb(-DIGITS[kind]), rounding=ROUND_HALF_UP)


@lru_cache(maxsize=8192)
def _formatted(value, value_type: type, pattern: str | None, locale: str, percent: bool = False) -> str:
    """Babel's formatting, kept as dates are (tracker/core/dates.py): a page writes the same few numbers many
    times, and Babel parses the pattern and the locale at each call. The type is part of the key: 1, 1.0
    and Decimal("1") are equal keys to Python, not always the same text."""
    if percent:
        return babel_percent(value, format=pattern, locale=locale)
    return babel_decimal(value, format=pattern, locale=locale)


def decimal_text(value, pattern: str | None = None, locale=None) -> str:
    """`value` with Babel's `format_decimal` in the current locale (its default pattern when none given)."""
    return _formatted(value, type(value), pattern, locale_name(locale))


@lru_cache(maxsize=16)
def _percent_pattern(locale: str) -> str:
    """The locale's percent pattern ("#,##0 %" in French) with one decimal: "#,##0.0 %"."""
    pattern = Locale.parse(locale).percent_formats[None].pattern
    return re.sub(r"0(?=[^0]*$)", "0.0", pattern, count=1)


def number_text(value, kind: Kind, locale=None) -> str:
    """A number as text in the locale (grouping, decimal mark, per cent sign), already rounded."""
    locale = locale_name(locale)
    number = rounded(value, kind)
    if kind in (Kind.RATE, Kind.POINTS):
        return _formatted(number / 100, Decimal, _percent_pattern(locale), locale, percent=True)
    digits = DIGITS[kind]
    return _formatted(number, Decimal, "#,##0" + ("." + "0" * digits if digits else ""), locale)


def text(value, kind: Kind | None = None, locale=None) -> str:
    """A figure for reading (screen, PDF, written summary): "—" for None, booleans yes/no, dates long."""
    if value is None:
        return MISSING
    kind = kind or kind_of(value)
    if kind in NUMERIC_KINDS:
        return number_text(value, kind, locale)
    if kind == Kind.BOOL:
        return _("Oui") if value else _("Non")
    if kind == Kind.DATETIME:
        return datetime_text(value)
    if kind == Kind.DATE:
        return date_text(value, LONG)
    return str(value)


def count(value) -> str:
    return text(None if value is None else int(value), Kind.COUNT)


def amount(value) -> str:
    return text(value, Kind.AMOUNT)


def rate(value) -> str:
    """A fraction (0.567) as "56,7 %"; "—" when unknown. Progress is not capped (1.5 → "150,0 %")."""
    return text(value, Kind.RATE)


def share(part, whole) -> str:
    """part / whole as a rate, "—" when whole is 0."""
    return rate(part / whole) if whole else MISSING


def figure(value, unit) -> str:
    """An indicator figure by its unit (count, MAD, hours: the number; percent: "33,3 %")."""
    return text(value, figure_kind(value, unit)) if value is not None else MISSING


# ---------------------------------------------------------------- spreadsheets

@dataclass(frozen=True)
class Dialect:
    """How a CSV file is written for a spreadsheet program set to a language."""

    name: str
    delimiter: str
    decimal: str


DIALECTS = {
    "excel-fr": Dialect("excel-fr", ";", ","),  # French (and Arabic) settings: ";" and a decimal comma
    "excel-en": Dialect("excel-en", ",", "."),
}
LOCALE_DIALECTS = {"fr": "excel-fr", "ar": "excel-fr", "en": "excel-en"}


def dialect_for(locale: str, name: str | None = None) -> Dialect:
    """The dialect asked by name, else the one of the locale (fr and ar: excel-fr, en: excel-en)."""
    return DIALECTS[name or LOCALE_DIALECTS.get(str(locale), "excel-fr")]


def csv_text(value, kind: Kind | None, dialect: Dialect) -> str:
    """A figure as a CSV cell: numbers rounded as shown (rates in per cent), the dialect's decimal mark,
    no grouping; dates ISO; booleans yes/no; None empty. Text is returned as is (the caller guards it)."""
    if value is None:
        return ""
    kind = kind or kind_of(value)
    if kind in NUMERIC_KINDS:
        return format(rounded(value, kind), "f").replace(".", dialect.decimal)
    if kind == Kind.BOOL:
        return _("Oui") if value else _("Non")
    if kind in (Kind.DATE, Kind.DATETIME):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)


def xlsx_value(value, kind: Kind | None):
    """(cell value, number format or None): numbers stay exact (Decimal → float for Excel, a whole
    COUNT as int); the format shows them as `text` would."""
    if value is None:
        return None, None
    kind = kind or kind_of(value)
    if kind == Kind.COUNT:
        return int(value), XLSX_FORMATS[kind]
    if kind in NUMERIC_KINDS:
        return (float(value) if isinstance(value, Decimal) else value), XLSX_FORMATS[kind]
    if kind == Kind.DATETIME:
        local = app_time(value) if value.tzinfo else value  # spreadsheets know no time zones: the app's
        return local.replace(tzinfo=None), XLSX_FORMATS[kind]
    if kind in XLSX_FORMATS:
        return value, XLSX_FORMATS[kind]
    return value, None


def register(app) -> None:
    """Jinja filters: `|count`, `|amount`, `|rate`, `|figure(unit)` and the global `share(part, whole)`."""
    app.jinja_env.filters.update(count=count, amount=amount, rate=rate, figure=figure)
    app.jinja_env.globals.update(share=share)
