"""How an amount of money reads: the unit people use where the programme runs ("DH" in French, "درهم" in
Arabic) and the placement and separators of the locale's currency pattern, both through Babel.

Babel (CLDR) writes the dirham "MAD" in French and "د.م." in Arabic; Moroccan readers write "DH" and
"درهم". Those two are the only words kept here; every other language and currency takes Babel's symbol.
"""

from decimal import Decimal

from babel import Locale
from babel.numbers import format_decimal, get_currency_name, get_currency_symbol

from tracker.core.i18n import locale_name

# The unit as written in Morocco, per language; anything else: Babel's symbol.
LOCAL_UNITS = {("MAD", "fr"): "DH", ("MAD", "ar"): None}  # None: Babel's name, first word ("درهم")


def currency_unit(code: str = "MAD", locale=None) -> str:
    """The unit of `code` in the language of `locale` (default: the current one): "DH", "درهم", "MAD"."""
    locale = locale_name(locale)
    language = Locale.parse(locale).language
    if (code, language) in LOCAL_UNITS:
        unit = LOCAL_UNITS[(code, language)]
        return unit if unit else get_currency_name(code, locale=locale).split()[0]
    return get_currency_symbol(code, locale=locale)


def money(value, code: str = "MAD", locale=None, digits: int = 2) -> str:
    """An amount with its unit where the locale's currency pattern puts it ("1 234,50 DH", "MAD1,234.50")."""
    if value is None:
        return "—"
    locale = locale_name(locale)
    pattern = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    number = format_decimal(Decimal(value), format="#,##0." + "0" * digits if digits else "#,##0", locale=locale)
    core = pattern.replace("\u200f", "").replace("\u200e", "")
    prefix, _, suffix = core.partition("#")
    suffix = suffix.lstrip("#,0.")
    return f"{prefix}{number}{suffix}".replace("¤", currency_unit(code, locale)).strip()
