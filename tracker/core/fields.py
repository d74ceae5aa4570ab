"""Small form helpers shared by features, and the number and date fields that read what people type."""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from babel.dates import get_date_format
from babel.numbers import get_decimal_symbol
from flask import has_request_context
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.fields import DateField, DecimalField, HiddenField, IntegerField, SelectField
from wtforms.widgets import TextInput

from tracker.core.phones import normalise_phone


class VersionField(HiddenField):
    """The version the record had when the form was loaded (optimistic locking)."""


class OptionalSelectField(SelectField):
    """A select whose blank choice means None."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data == "":
            self.data = None

    def pre_validate(self, form):
        if self.data is None:
            return
        super().pre_validate(form)


def strip(value):
    return value.strip() if isinstance(value, str) else value


def phone_validator(form, field):
    try:
        field.data = normalise_phone(field.data)
    except ValueError:
        raise ValidationError(
            _l("Numéro de téléphone invalide (exemple : 06 12 34 56 78 ou +212 6 12 34 56 78).")
        ) from None


# ---------------------------------------------------------------- numbers and dates as people type them
# Holders type on phones in French or Arabic: "12,5", "1 234,5" (the space may be a no-break or narrow
# no-break space copied from a page), "١٢٫٥" (Arabic-Indic digits and decimal separator), "۱۲" (Persian
# digits), "15/03/2026". Every number or date field of the forms goes through these parsers, so the same
# input means the same value everywhere.

_BIDI_MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_TYPED = (
    {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
    | {ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")}
    | {ord(c): None for c in _BIDI_MARKS}
    | {0x066B: ",", 0x066C: " ", 0x2212: "-", 0x2010: "-", 0x2011: "-", 0x00A0: " ", 0x202F: " ", 0x2009: " "}
)
_THOUSANDS = {sep: re.compile(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})+") for sep in ",."}
_SPACED = re.compile(r"[+-]?\d{1,3}(?: \d{3})+(?:[.,]\d*)?")  # spaces only between groups of three digits
_WHOLE = re.compile(r"[+-]?(?:\d{1,3}(?: \d{3})+|\d+)")


def normalise_typed(text: str | None) -> str:
    """ASCII digits, ASCII minus, plain spaces; bidi marks removed; "٫" becomes "," and "٬" a space."""
    return (text or "").translate(_TYPED).strip()


def parse_number(text: str | None) -> Decimal | None:
    """A number as typed in French, Arabic or English; None when blank; ValueError when it is not a number.

    Spaces group thousands ("1 234,5"). With both "," and ".", the last one is the decimal separator
    ("1.234,5", "1,234.5"). A single "," or "." is the decimal separator ("12,5", "12.5"). The same separator
    repeated groups thousands ("1.234.567"). Anything else ("1,2,3", "12a", "1 23") is refused.
    """
    raw = normalise_typed(text)
    if not raw:
        return None
    if re.search(r"\d\s+\d", raw) and not _SPACED.fullmatch(re.sub(r"\s+", " ", raw)):
        raise ValueError(text)
    raw = re.sub(r"\s+", "", raw)
    sign = ""
    if raw[:1] in ("+", "-"):
        sign, raw = ("-" if raw[0] == "-" else ""), raw[1:]
    if not re.fullmatch(r"\d[\d.,]*|[.,]\d+", raw) or raw[-1:] in (",", "."):
        raise ValueError(text)
    commas, dots = raw.count(","), raw.count(".")
    if commas and dots:
        decimal_sep = "," if raw.rfind(",") > raw.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        whole, _sep, fraction = raw.rpartition(decimal_sep)
        if decimal_sep in whole or not _THOUSANDS[group_sep].fullmatch(whole):
            raise ValueError(text)
        whole = whole.replace(group_sep, "")
    elif commas > 1 or dots > 1:
        separator = "," if commas else "."
        if not _THOUSANDS[separator].fullmatch(raw):
            raise ValueError(text)
        whole, fraction = raw.replace(separator, ""), ""
    elif commas or dots:
        whole, _sep, fraction = raw.partition("," if commas else ".")
    else:
        whole, fraction = raw, ""
    if not re.fullmatch(r"\d*", fraction):
        raise ValueError(text)
    try:
        return Decimal(f"{sign}{whole or '0'}" + (f".{fraction}" if fraction else ""))
    except InvalidOperation:
        raise ValueError(text) from None


def _day_month_order(locale: str) -> str:
    """"dmy" or "mdy": the order of the locale's short date pattern (fr dd/MM/y, ar d/M/y, en M/d/yy)."""
    try:
        pattern = get_date_format("short", locale=locale).pattern
    except (ValueError, LookupError):
        return "dmy"
    return "mdy" if pattern.find("M") < pattern.find("d") else "dmy"


def parse_date(text: str | None, locale: str = "fr") -> dt.date | None:
    """A date as typed: ISO "2026-03-15" (what date inputs send) in any locale, or the locale's day/month/year
    order with "/", "-", "." or spaces ("15/03/2026", "١٥/٠٣/٢٠٢٦"; "3/15/2026" in English). The year has four
    digits: "15/03/26" is refused rather than guessed. None when blank; ValueError otherwise."""
    raw = normalise_typed(text)
    if not raw:
        return None
    parts = re.split(r"\s*[/.\-]\s*|\s+", raw)
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    if len(parts[0]) == 4:
        year, month, day = parts
    elif len(parts[2]) == 4:
        first, second, year = parts
        day, month = (second, first) if _day_month_order(locale) == "mdy" else (first, second)
    else:
        raise ValueError(text)
    if len(day) > 2 or len(month) > 2:
        raise ValueError(text)
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(text) from None


def _current_locale() -> str:
    locale = get_locale() if has_request_context() else None
    return str(locale) if locale else "fr"


class LocaleDecimalField(DecimalField):
    """A decimal typed in a text box with `inputmode="decimal"` (a number input refuses "12,5" and "١٢٫٥").

    `places` is both the display precision and the most decimals accepted, so "1,234" in a two-place field
    is refused instead of silently read as 1.234."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, places=2, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", "dir": "ltr"}
        render_kw |= kwargs.pop("render_kw", None) or {}
        super().__init__(label, validators, places=places, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = parse_number(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_value_message or _l("Saisissez un nombre (exemple : 1 234,5).")) from None
        if self.data is not None and self.places is not None and -self.data.as_tuple().exponent > self.places:
            self.data = None
            raise ValueError(_l("Au plus %(places)d chiffres après la virgule.", places=self.places))

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        text = format(Decimal(self.data), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.replace(".", get_decimal_symbol(_current_locale()))


class LocaleIntegerField(IntegerField):
    """A whole number typed in a text box with `inputmode="numeric"`; Arabic-Indic digits and spaces
    between thousands accepted ("١٢٠", "1 200")."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "numeric", "autocomplete": "off", "dir": "ltr"}
        render_kw |= kwargs.pop("render_kw", None) or {}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = re.sub(r"\s+", " ", normalise_typed(valuelist[0]))
        if not raw:
            self.data = None
            return
        if not _WHOLE.fullmatch(raw):
            self.data = None
            raise ValueError(self.invalid_value_message or _l("Saisissez un nombre entier (exemple : 90)."))
        self.data = int(raw.replace(" ", ""))


class LocaleDateField(DateField):
    """A date input (`type="date"`, which sends ISO) that also reads the date typed in the locale's order
    ("15/03/2026", Arabic-Indic digits) when the browser shows a plain text box."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = parse_date(" ".join(valuelist), _current_locale())
        except ValueError:
            self.data = None
            raise ValueError(self.invalid_value_message
                             or _l("Date invalide : écrivez-la comme 15/03/2026.")) from None

    def _value(self):
        if self.data:  # a date input only shows ISO values
            return self.data.isoformat()
        return " ".join(self.raw_data) if self.raw_data else ""


def query_date(raw: str | None, message, errors: list) -> dt.date | None:
    """An ISO date from a query string (filters); blank is None; a bad one appends `message` to `errors`."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(message)
        return None
