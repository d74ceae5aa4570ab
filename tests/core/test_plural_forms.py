"""Every plural message, in every language, for 0, 1, 2, 3, 11 and 100 (issue 19).

Arabic has six forms (0, 1, 2, 3–10, 11–99, 100+). The number is written only where Arabic writes it: one
and two are said by the noun itself ("ملف واحد", "ملفان", never "2 ملفين"); from three on the figure is there.
"""

import pathlib
import re

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext

TRANSLATIONS = pathlib.Path(__file__).resolve().parents[2] / "tracker" / "translations"
COUNTS = (0, 1, 2, 3, 11, 100)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def plural_messages() -> list[tuple[str, str]]:
    with (TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return [m.id for m in read_po(handle) if m.id and isinstance(m.id, tuple)]


MESSAGES = plural_messages()


def _params(msgid) -> dict:
    names = set(PLACEHOLDER.findall(msgid[0] + msgid[1]))
    return {name: f"«{name}»" for name in names if name not in ("num", "count")}


def test_there_are_plural_messages_to_check():
    assert len(MESSAGES) > 50


@pytest.mark.parametrize("locale", ["fr", "ar", "en"])
def test_every_plural_message_for_0_1_2_3_11_100(app, locale):
    problems = []
    with app.test_request_context(), force_locale(locale):
        for singular, plural in MESSAGES:
            counter = "count" if "%(count)" in singular + plural else "num"
            counted = f"%({counter})" in singular + plural
            for n in COUNTS:
                params = _params((singular, plural))
                if counter == "count":
                    params["count"] = n  # flask_babel passes `num` itself
                try:
                    text = ngettext(singular, plural, n, **params)
                except (KeyError, ValueError, TypeError) as error:
                    problems.append(f"{locale} {singular!r} n={n}: {error!r}")
                    continue
                digits = re.findall(r"\d+", re.sub(r"«\w+»", "", text))
                if not text.strip() or "%(" in text:
                    problems.append(f"{locale} {singular!r} n={n}: {text!r}")
                elif locale == "ar" and counted and n in (1, 2) and str(n) in digits and f"({n})" not in text:
                    problems.append(f"{locale} {singular!r} n={n}: the dual/singular carries the number: {text!r}")
                elif counted and n in (3, 11, 100) and str(n) not in digits:
                    problems.append(f"{locale} {singular!r} n={n}: the figure is missing: {text!r}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(("n", "expected"), [
    (0, "0 ملف"), (1, "ملف واحد"), (2, "ملفان"), (3, "3 ملفات"), (11, "11 ملفًا"), (100, "100 ملف"),
])
def test_arabic_file_count_reads_as_arabic_counts(app, n, expected):
    with app.test_request_context(), force_locale("ar"):
        assert ngettext("%(num)s fichier", "%(num)s fichiers", n) == expected
