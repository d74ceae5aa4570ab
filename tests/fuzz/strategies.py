"""Hypothesis strategies for hostile input: what people paste, what scripts send, what breaks parsers."""

import datetime as dt
import re
from pathlib import Path

from hypothesis import strategies as st

TRACKER = Path(__file__).resolve().parents[2] / "tracker"

CONTROL = "".join(chr(c) for c in range(0x20)) + "\x7f" + "".join(chr(c) for c in range(0x80, 0xA0))
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
NASTY_LITERALS = [
    "", " ", "\x00", "a\x00b", "\x00" * 3, "\r\n", "x\r\nSet-Cookie: a=b", "\u202eexe.pdf", "\u2066x\u2069",
    "\ufeff", "\ufffe", "\uffff", "%00", "%", "_", "\\", "'", '"', "' OR 1=1 --", "<script>alert(1)</script>",
    "{{7*7}}", "%s%s%s", "../../etc/passwd", "//evil.example", "https://evil.example/", "javascript:alert(1)",
    "0", "-1", "-0", "+1", "1e309", "1e-309", "NaN", "inf", "-inf", "0x10", "١٢٣", "1 234,5", "12,5", "12.5.6",
    str(2**31), str(2**63), str(-(2**63) - 1), "9" * 400, "0001-01-01", "9999-12-31", "0000-00-00",
    "2026-02-30", "10000-01-01", "-2026-01-01", "2026-13-01", "31/12/9999", "01/01/0001", "2026-W01",
    "true", "false", "on", "off", "y", "n", "yes", "None", "null", "undefined", "[]", "{}", "x" * 5000,
    "é" * 300, "مشروع" * 100, "\U0001f600" * 50, "admin", "holder", "manager", "staff", "draft", "approved",
    "xlsx", "csv", "pdf", "json", "fr", "ar", "en", "de", "active", "dropped", "digital", "2025-T1",
]


def _source_keys() -> list[str]:
    """Every query/form key the code reads by name (request.args.get("x"), int_arg("x"), …)."""
    keys = set()
    pattern = re.compile(r"""(?:\.(?:get|getlist)|_arg)\(\s*["']([A-Za-z_][\w\-]*)["']""")  # int_arg, date_arg…
    for path in TRACKER.rglob("*.py"):
        keys.update(pattern.findall(path.read_text(encoding="utf-8")))
    return sorted(keys)


KNOWN_KEYS = sorted(set(_source_keys()) | {
    "project", "cohort", "mentor", "user", "member", "training", "indicator", "staff", "page", "per_page",
    "sort", "order", "dir", "q", "from", "to", "status", "role", "sector", "stage", "province", "next",
    "locale", "submitted", "mine", "tab", "format", "fmt", "endpoint", "_method", "_external", "project_id",
    "period", "label", "remove_item", "add_item", "refresh", "confirm", "decision", "on_conflict",
    "skip_invalid", "remove_missing_members", "csrf_token", "version", "form_token", "id",
})

far_dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat)
huge_numbers = st.one_of(st.integers(min_value=-(10**40), max_value=10**40).map(str),
                         st.floats(allow_nan=True, allow_infinity=True).map(repr),
                         st.decimals(allow_nan=True, allow_infinity=True).map(str))
nasty_chars = st.text(alphabet=st.sampled_from(CONTROL + BIDI + "%&=;/\\'\"<>{}#?+ \t\n"), max_size=12)
any_text = st.text(max_size=60)  # every code point but surrogates: controls, bidi, emoji, Arabic...
long_text = st.integers(min_value=300, max_value=20_000).map(lambda n: "x" * n)
ids = st.integers(min_value=-5, max_value=2**31 + 5).map(str)

# The values most likely to break a parser, drawn often: the ends of the ranges, blanks, a NUL.
edges = st.sampled_from(["0001-01-01", "9999-12-31", "0", "-1", str(2**31), str(2**31 - 1), str(10**20), " ",
                         "", "x", "\x00", "1e309", "NaN", "-0.0", "31/12/9999", "١"])

values = st.one_of(
    edges, st.sampled_from(NASTY_LITERALS), any_text, nasty_chars, huge_numbers, far_dates, long_text, ids,
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY_LITERALS), nasty_chars),
)
unknown_keys = st.one_of(st.text(min_size=1, max_size=20), nasty_chars.filter(bool))


def parameters(names, only=False):
    """A multi-dict of parameters: known names (the page's fields, the code's query keys) and unknown keys,
    each with one or a few hostile values; `only` keeps to `names`."""
    known = st.sampled_from(sorted(set(names) if only else set(names) | set(KNOWN_KEYS)))
    key = known if only else st.one_of(known, unknown_keys)
    return st.dictionaries(key, st.lists(values, min_size=1, max_size=2), max_size=6)


file_names = st.one_of(st.sampled_from(["a.pdf", "a.xlsx", "a.csv", "a.docx", "x\x00.pdf", "\u202efdp.exe",
                                        "../../etc/passwd", "", "x" * 400 + ".pdf", "con.pdf", "a\r\nb.xlsx"]),
                       any_text)
file_contents = st.one_of(
    st.binary(max_size=2048),
    st.sampled_from([b"%PDF-1.4\n%%EOF\n", b"PK\x03\x04garbage", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0",
                     "N°;Nom\n1;\x00\n".encode(), "\ufeffcode;nom\r\nP1;\u202eX\r\n".encode()]),
)
