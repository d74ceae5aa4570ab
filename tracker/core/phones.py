import phonenumbers

DEFAULT_REGION = "MA"


def normalise_phone(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of a phone number written any usual way; None when blank; ValueError when invalid."""
    text = (raw or "").strip()
    if not text:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
    elif text.startswith("212") and len("".join(c for c in text if c.isdigit())) == 12:
        text = "+" + text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise ValueError(text) from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
