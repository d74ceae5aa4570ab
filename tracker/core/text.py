"""One gate for text: what may enter the app, and what each file format can hold on the way out.

Text that a form, a query string, an import or an uploaded file's name lets in reaches places with
stricter rules than the form: PostgreSQL refuses NUL in text, XML 1.0 (XLSX, IATI, the HTML of the PDFs)
refuses most control characters, a header value may not hold a line break, and a right-to-left override
in a project name turns "exe.pdf" into "fdp.exe" on every page that shows it. So:

- `clean_line` (names, codes, titles, e-mails: every single-line form field): control characters, C1
  included, are removed; tab, CR and LF become spaces; the bidirectional override and isolate characters
  (U+202A–U+202E, U+2066–U+2069) are removed. The invisible marks LRM, RLM and ALM stay: Arabic writers
  need them and they cannot reorder text.
- `clean_multiline` (text areas, imported cells): the same, except that tab and line breaks stay
  (CR LF and CR become LF) and bidi isolates are removed too, so a pasted paragraph cannot reorder the page.
- `strip_controls` (every value of a query string or a form, before any view reads it: see
  `GatedRequest`): NUL and the other control characters except tab, CR and LF.
- `for_export` (XLSX, CSV, IATI, PDF, JSON writers): drops what XML 1.0 cannot hold, so a value stored
  before this gate existed, or written by a command, cannot break a download.

Each function returns non-strings unchanged, so callers need not check types.
"""

import re
from typing import Any

from flask import Request
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# C0 except tab/LF/CR, DEL, C1, UTF-16 surrogates (cannot be encoded), and the two non-characters
# XML 1.0 excludes: none of them is ever typed on purpose.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("\r\n?")
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029" + BIDI_CONTROLS + "]")
_BIDI = re.compile("[" + BIDI_CONTROLS + "]")
_LINE_SPACES = re.compile("[\t\n\r\u2028\u2029]")
# What XML 1.0 cannot hold (§2.2 Char): the same set as _CONTROLS minus C1 and DEL, which XML allows.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def strip_controls(value: Any) -> Any:
    """Without NUL and the other control characters; tab, CR and LF are kept (the field may be multiline)."""
    if not isinstance(value, str):
        return value
    return _CONTROLS.sub("", value)


def clean_line(value: Any) -> Any:
    """A single-line value (a name, a code, a title): no control character, no line break, no bidi override."""
    if not isinstance(value, str):
        return value
    return _BIDI.sub("", _LINE_SPACES.sub(" ", _LINE_BREAKS.sub("\n", _CONTROLS.sub("", value))))


def clean_multiline(value: Any) -> Any:
    """A text area's value: tabs and line breaks (as LF) kept, other controls and bidi overrides removed."""
    if not isinstance(value, str):
        return value
    return _BIDI.sub("", _LINE_BREAKS.sub("\n", _CONTROLS.sub("", value)))


def has_controls(value: Any) -> bool:
    """True when a value holds any control character, line breaks and bidi overrides included."""
    return isinstance(value, str) and _ANY_CONTROL.search(value) is not None


def for_export(value: Any) -> Any:
    """A value as a file format can hold it: characters XML 1.0 refuses are dropped (a no-op for clean text)."""
    if not isinstance(value, str) or _NOT_XML.search(value) is None:
        return value
    return _NOT_XML.sub("", value)


def for_export_deep(value: Any) -> Any:
    """`for_export` applied to every string of a JSON-like structure (dicts, lists, tuples)."""
    if isinstance(value, str):
        return for_export(value)
    if isinstance(value, dict):
        return {for_export_deep(k): for_export_deep(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(for_export_deep(v) for v in value)
    return value


# ---------------------------------------------------------------- the request gate

# Parameters whose value is refused (400) rather than cleaned when it holds a control character: a redirect
# target with a line break is an attack, not a typo, and must stop the request before anything is written.
REFUSED_WITH_CONTROLS = ("next",)


class GatedMultiDict(ImmutableMultiDict):
    """Query-string, form and file parameters as the views see them: keys and values without control
    characters, uploaded files' names on one line. `refused` names the REFUSED_WITH_CONTROLS keys that
    arrived with a control character (see `refuse_tainted_parameters`)."""

    def __init__(self, mapping=None):
        refused = set()
        cleaned = []
        for key, value in _pairs(mapping):
            if key in REFUSED_WITH_CONTROLS and has_controls(value):
                refused.add(key)
            if isinstance(value, FileStorage):
                value.filename = clean_line(value.filename)
            else:
                value = strip_controls(value)
            cleaned.append((strip_controls(key), value))
        super().__init__(cleaned)
        self.refused = frozenset(refused)


def _pairs(mapping):
    if mapping is None:
        return []
    if isinstance(mapping, MultiDict):
        return list(mapping.items(multi=True))
    if isinstance(mapping, dict):
        return [(k, v) for k, values in mapping.items()
                for v in (values if isinstance(values, (list, tuple)) else [values])]
    return list(mapping)


class GatedRequest(Request):
    """Flask's request with every query-string and form parameter, and every JSON string, through the gate."""

    parameter_storage_class = GatedMultiDict

    def get_json(self, *args, **kwargs):
        return _strip_deep(super().get_json(*args, **kwargs))


def _strip_deep(value: Any) -> Any:
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, dict):
        return {_strip_deep(k): _strip_deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_deep(v) for v in value]
    return value


def refuse_tainted_parameters():
    """before_request: a `next` holding a control character (CR/LF header injection, a NUL) is a 400."""
    from flask import abort, request

    if getattr(request.args, "refused", None) or (
            request.method in ("POST", "PUT", "PATCH") and getattr(request.form, "refused", None)):
        abort(400)


def init_app(app) -> None:
    app.request_class = GatedRequest
    app.before_request(refuse_tainted_parameters)
