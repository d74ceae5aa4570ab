"""Every file the app hands out goes through `send_download`, which builds the Content-Disposition header.

A download name often comes from stored text (an evidence file's original name, a project code, a cohort
slug). Werkzeug refuses a header value holding a line break (a 500), and a quote or a semicolon would end
the `filename` parameter early. So the name is first made one line without control or bidi characters,
path separators and the characters Windows refuses; then a name made of RFC 7230 token characters is sent
as `filename=NAME`, anything else (spaces, Arabic, quotes) as an ASCII `filename="…"` fallback plus the
exact name in RFC 6266 / RFC 8187 form, `filename*=UTF-8''<percent-encoded>`, which every current browser
prefers.
"""

import re
import unicodedata
from urllib.parse import quote

from flask import send_file

from tracker.core.text import clean_line

FALLBACK_STEM = "download"
MAX_LENGTH = 200
_TOKEN = re.compile(r"[A-Za-z0-9!#$&+\-.^_`|~]+")
_NOT_IN_NAME = re.compile(r'[<>:"/\\|?*;]')
_NOT_IN_FALLBACK = re.compile(r"[^A-Za-z0-9!#$&+\-.^_`|~ ()\[\]{},@=']")
_ATTR_CHARS = "!#$&+-.^_`|~"  # RFC 8187 attr-char besides letters and digits


def safe_download_name(raw: str | None) -> str:
    """The name a browser will save the file under: one line, no separator or reserved character,
    at most MAX_LENGTH characters (the extension kept), never empty."""
    name = " ".join(_NOT_IN_NAME.sub("_", clean_line(raw or "")).split()).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 16:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    stem = stem[: MAX_LENGTH - len(suffix)].rstrip(" .") or FALLBACK_STEM
    return stem + suffix


def content_disposition(raw: str | None, disposition: str = "attachment") -> str:
    name = safe_download_name(raw)
    if _TOKEN.fullmatch(name):
        return f"{disposition}; filename={name}"
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = " ".join(_NOT_IN_FALLBACK.sub("_", fallback).split())
    stem, dot, ext = fallback.rpartition(".")
    if not fallback or (dot and not stem.strip("_ ")) or (not dot and not fallback.strip("_ ")):
        fallback = FALLBACK_STEM + (f".{ext}" if dot else "")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"


def send_download(path_or_file, *, download_name: str, mimetype: str, as_attachment: bool = True, **kwargs):
    """`flask.send_file` for a download (never cached: max_age 0 unless given), with a header no stored
    name can break. Callers set their own Cache-Control."""
    kwargs.setdefault("max_age", 0)
    response = send_file(path_or_file, mimetype=mimetype, as_attachment=True, download_name=FALLBACK_STEM,
                         **kwargs)
    response.headers["Content-Disposition"] = content_disposition(
        download_name, "attachment" if as_attachment else "inline")
    return response
