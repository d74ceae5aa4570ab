"""Phone numbers, one rule for forms and imports.

A Moroccan number is valid when, after removing spaces, dots, dashes, slashes, parentheses and the `0`,
`212`, `+212` or `00212` prefix, it has 9 digits starting with 5, 6, 7 or 8; it is stored as `+212XXXXXXXXX`.
libphonenumber is not used for Moroccan numbers: its ranges lag behind the operators (it refuses numbers in
use such as 07 29…, 07 44… or 06 83…). Numbers with another country code must be valid for libphonenumber.
"""

import re
from typing import Any

import phonenumbers

_SEPARATORS = re.compile(r"[\s.\-()/]")


def normalise_phone(value: Any) -> str | None:
    """E.164 of a phone number written any usual way (text or spreadsheet number cell).

    None when blank; ValueError when invalid."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        value = int(value)
    text = " ".join(str(value).split())
    if not text:
        return None
    digits = _SEPARATORS.sub("", text)
    international = digits[1:] if digits.startswith("+") else digits[2:] if digits.startswith("00") else None
    if international is not None:
        if not international.isdigit():
            raise ValueError(text)
        if not international.startswith("212"):
            return _foreign_phone(international, text)
        national = international[3:]
    elif not digits.isdigit():
        raise ValueError(text)
    elif len(digits) == 12 and digits.startswith("212"):
        national = digits[3:]
    else:
        national = digits
    if len(national) == 10 and national.startswith("0"):  # +212 (0)6… and 06…
        national = national[1:]
    if len(national) == 9 and national[0] in "5678":
        return "+212" + national
    raise ValueError(text)


def _foreign_phone(international: str, text: str) -> str:
    try:
        number = phonenumbers.parse("+" + international, None)
    except phonenumbers.NumberParseException:
        raise ValueError(text) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
