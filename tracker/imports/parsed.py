"""An upload is read once (issue 14): the rows read from it are kept beside it, keyed by the file's sha256
and the cohort, and every preview view, the confirmation and the rejected-rows download use them.

`UPLOAD_DIR/imports/<sha256>-c<cohort id>.sheet.json` holds the Sheet (headers, row numbers and raw cell
values; dates and times tagged). It is written atomically at upload, removed with the upload (cancel, import
done) and, like any file of the folder, by the 24-hour purge. A missing or unreadable copy is not an error:
the stored bytes are read again and the copy rewritten. Only what the reader produced is stored; the rules
run on it at each view (they depend on the cohort, today's date and the user's choices).
"""

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from tracker.imports import storage
from tracker.imports.reader import Sheet, SheetRow, read_sheet

VERSION = 1


def path_of(sha256: str, cohort_id: int) -> Path:
    return storage.root() / f"{sha256}-c{int(cohort_id)}.sheet.json"


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, dt.time):
        return {"h": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"s": value.total_seconds()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    (tag, text), = value.items()
    return {"t": dt.datetime.fromisoformat, "d": dt.date.fromisoformat, "h": dt.time.fromisoformat,
            "s": lambda s: dt.timedelta(seconds=s)}[tag](text)


def to_json(sheet: Sheet) -> str:
    return json.dumps({
        "v": VERSION, "format": sheet.format, "headers": sheet.headers, "header_line": sheet.header_line,
        "sheet_name": sheet.sheet_name, "encoding": sheet.encoding, "delimiter": sheet.delimiter,
        "rows": [[row.line, [_encode(v) for v in row.values]] for row in sheet.rows],
    }, ensure_ascii=False, separators=(",", ":"))


def from_json(text: str) -> Sheet:
    payload = json.loads(text)
    if payload.get("v") != VERSION:
        raise ValueError("another version")
    return Sheet(format=payload["format"], headers=payload["headers"], header_line=payload["header_line"],
                 sheet_name=payload["sheet_name"], encoding=payload["encoding"], delimiter=payload["delimiter"],
                 rows=[SheetRow(line, [_decode(v) for v in values]) for line, values in payload["rows"]])


def save(sheet: Sheet, sha256: str, cohort_id: int) -> None:
    path = path_of(sha256, cohort_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".sheet-", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(to_json(sheet))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def load(sha256: str, cohort_id: int) -> Sheet | None:
    try:
        return from_json(path_of(sha256, cohort_id).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def sheet_of(entry: storage.StoredImport) -> Sheet | None:
    """The rows of a stored upload: the kept copy, or the bytes read again (and the copy rewritten).
    None when both are gone. Raises ImportFileError when the bytes cannot be read."""
    sheet = load(entry.sha256, entry.cohort_id)
    if sheet is not None:
        return sheet
    data = storage.read(entry)
    if data is None:
        return None
    sheet = read_sheet(data, entry.original_name)
    try:
        save(sheet, entry.sha256, entry.cohort_id)
    except OSError:  # a full disk costs a second read later, not this request
        pass
    return sheet


def delete(entry: storage.StoredImport) -> None:
    try:
        path_of(entry.sha256, entry.cohort_id).unlink(missing_ok=True)
    except OSError:
        pass
