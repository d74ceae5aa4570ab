"""Finding an erased member in free text: every spelling of their name, every way of writing their phone.

People write a name as it comes: "Hind Fictive", "hind  fictive", "FICTIVE Hind", "Hînd Fictive",
"هند فكتيف" or "هِند"; and a phone as "+212 6 12 34 56 78", "0612345678", "06.12.34.56.78", "00212 612
345 678" or in Arabic-Indic digits. `Matcher` turns the values a member's name, phone and e-mail had (now
and in their audit history) into one regular expression that finds all of these, and into LIKE patterns
that let the database hand over only the rows that may hold one (a superset: Python decides).

A name is matched as a whole (its words in any order when it has at most three, with any spaces or
hyphens between them), case- and accent-insensitively for Latin letters, and for Arabic with the usual
variants of alef, yaa, haa and waw and any short vowels or tatweel in between; never inside a longer word.
A first name alone is not erased: other people share it.
"""

import itertools
import re
import unicodedata

import phonenumbers

# Latin letters that people write with or without accents (matched as a class, case-insensitively).
_LATIN = {"a": "aàáâãäåā", "c": "cç", "e": "eèéêëē", "i": "iìíîïī", "n": "nñ", "o": "oòóôõöøō",
          "u": "uùúûüū", "y": "yýÿ"}
_ARABIC_GROUPS = ("اأإآٱ", "يىئ", "هة", "وؤ")
_ARABIC_VARIANT = {ch: group for group in _ARABIC_GROUPS for ch in group}
_HARAKAT = "\u0610-\u061a\u064b-\u065f\u0670\u0640"  # short vowels, shadda, sukun, tatweel
_OPTIONAL_HARAKAT = f"[{_HARAKAT}]*"
_IS_HARAKA = re.compile(f"[{_HARAKAT}]")
_WORD_GAP = r"[\s\-‐‑]+"
_DIGIT_FORMS = {str(d): f"[{d}{chr(0x0660 + d)}{chr(0x06F0 + d)}]" for d in range(10)}
_PHONE_GAP = r"[\s.\-/()]*"
MIN_NAME_LENGTH = 3  # shorter values would erase parts of other words' neighbours


def _is_arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f"


def _base(ch: str) -> str:
    return unicodedata.normalize("NFD", ch)[0].lower()


def _token_regex(token: str) -> str:
    out = []
    for ch in _IS_HARAKA.sub("", token):
        if ch in _ARABIC_VARIANT:
            out.append(f"[{_ARABIC_VARIANT[ch]}]{_OPTIONAL_HARAKAT}")
        elif _is_arabic(ch):
            out.append(re.escape(ch) + _OPTIONAL_HARAKAT)
        elif _base(ch) in _LATIN:
            out.append(f"[{_LATIN[_base(ch)]}]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _token_like(token: str, json_escaped: bool) -> list[str]:
    """The characters of a token that every spelling shares (ASCII consonants and digits, Arabic letters
    without variants), in order; the others may be anything. JSON (audit events) escapes non-ASCII."""
    stable = []
    for ch in _IS_HARAKA.sub("", token):
        if ch in _ARABIC_VARIANT or (not _is_arabic(ch) and (not ch.isascii() or _base(ch) in _LATIN)):
            continue
        if ch.isascii() and not ch.isalnum():
            continue
        stable.append(f"\\u{ord(ch):04x}" if json_escaped and not ch.isascii() else ch.lower())
    return stable


def _escape_like(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def name_spellings(values) -> list[list[str]]:
    """Distinct names (as lists of words), without the ones too short to erase safely."""
    seen, out = set(), []
    for value in values:
        words = (value or "").split()
        key = tuple(w.lower() for w in words)
        if len("".join(words)) >= MIN_NAME_LENGTH and key not in seen:
            seen.add(key)
            out.append(words)
    return out


def _phone_parts(e164: str) -> tuple[str, str] | None:
    """(country code, national significant number) of a stored E.164 phone."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        digits = re.sub(r"\D", "", e164 or "")
        return ("212", digits[3:]) if digits.startswith("212") and len(digits) == 12 else None
    national = phonenumbers.national_significant_number(number)
    return (str(number.country_code), national) if len(national) >= 6 else None


class Matcher:
    """One member's identifying values, ready to be found in text."""

    def __init__(self, names=(), phones=(), emails=()):
        self.names = name_spellings(names)
        self.phones = [p for p in {_phone_parts(v) for v in phones if v} if p]
        self.emails = sorted({e.strip().lower() for e in emails if e and len(e.strip()) >= MIN_NAME_LENGTH})
        alternatives = []
        for words in self.names:
            orders = set(itertools.permutations(words)) if len(words) <= 3 else {tuple(words)}
            alternatives += [_WORD_GAP.join(_token_regex(w) for w in order) for order in orders]
        alternatives += [re.escape(e) for e in self.emails]
        parts = [rf"(?<!\w)(?:{a})(?!\w)" for a in sorted(alternatives, key=len, reverse=True)]
        for code, national in self.phones:
            zero = _DIGIT_FORMS["0"]
            prefix = (rf"(?:(?:(?:\+|{zero}{zero}){_PHONE_GAP})?{_digits(code)}{_PHONE_GAP}(?:\(0\){_PHONE_GAP})?"
                      rf"|{zero}{_PHONE_GAP})?")
            parts.append(rf"(?<![\d+]){prefix}{_digits(national)}(?!\d)")
        self.regex = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def __bool__(self) -> bool:
        return self.regex is not None

    def sub(self, text: str, mark: str) -> str:
        return self.regex.sub(mark, text) if self.regex is not None and text else text

    def like_patterns(self, json_escaped: bool = False) -> list[str]:
        """LIKE patterns (escape "/") that every text holding a match satisfies; ["%"] when a name has too
        few stable characters to narrow anything down."""
        patterns = set()
        for words in self.names:
            longest = max((_token_like(w, json_escaped) for w in words), key=len)
            if len(longest) < 2:
                return ["%"]
            patterns.add("%" + "%".join(_escape_like(ch) for ch in longest) + "%")
        for _code, national in self.phones:
            last_two = national[-2:]
            for table in ("0123456789", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"):
                digits = "".join(table[int(d)] for d in last_two)
                if json_escaped and not digits.isascii():
                    digits = "".join(f"\\u{ord(ch):04x}" for ch in digits)
                patterns.add(f"%{_escape_like(digits)}%")
        for email in self.emails:
            patterns.add(f"%{_escape_like(email)}%")
        return sorted(patterns)


def _digits(number: str) -> str:
    return _PHONE_GAP.join(_DIGIT_FORMS[d] for d in number)
