"""The temporary store of uploaded import files, between the upload, the preview and the confirmation.

Layout, under UPLOAD_DIR/imports/ (outside the static folder):
- `<token>.<ext>`   the bytes as uploaded; `token` is a random uuid4 in hex, `ext` is `xlsx` or `csv`. The name
                    typed by the user never reaches the file system.
- `<token>.json`    the sidecar: original name, uploader id, cohort id, sha256, size, upload time (UTC, ISO),
                    the user's choices for the conflicts (`choices`), and once imported the outcome (`done_at`,
                    `result`).
- `<sha256>-c<cohort>.sheet.json`  the rows read from the upload (tracker/imports/parsed.py), so that the file
                    is read once; removed with the upload, and by the purge like any file here.
- `<token>.claim`   created with O_EXCL by the request that confirms the import, before it writes anything:
                    a second confirmation (double click, second tab, another app server sharing the folder)
                    cannot claim it again, so the same file is never imported twice by two requests.

An entry lives 24 hours: older ones are removed at each upload, and are treated as absent when read.
After a successful import the bytes are deleted, unless rows were rejected (they stay downloadable); the
sidecar stays, so the result page and a repeated confirmation can still say what happened.

Nothing here touches the database, the request or the signed-in user: the view passes the uploader's id.
"""

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask import current_app

FOLDER = "imports"
EXTENSIONS = ("xlsx", "csv")
LIFETIME = dt.timedelta(hours=24)
_TOKEN = re.compile(r"[0-9a-f]{32}\Z")


@dataclass
class StoredImport:
    token: str
    ext: str
    original_name: str
    uploader_id: int
    cohort_id: int
    sha256: str
    size: int
    uploaded_at: str  # ISO 8601, UTC
    done_at: str | None = None
    result: dict | None = field(default=None)  # what the import did, for the result page
    choices: dict | None = field(default=None)  # tracker.imports.plan.Choices.to_dict()

    @property
    def done(self) -> bool:
        return self.done_at is not None

    @property
    def uploaded(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.uploaded_at)


def root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]).resolve() / FOLDER


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def valid_token(token: str | None) -> bool:
    """Only what `save` hands out: 32 lowercase hex digits (no dots, slashes or anything else)."""
    return bool(token) and _TOKEN.match(token) is not None


def _sidecar(token: str) -> Path:
    return root() / f"{token}.json"


def _claim(token: str) -> Path:
    return root() / f"{token}.claim"


def data_path(entry: StoredImport) -> Path:
    return root() / f"{entry.token}.{entry.ext}"


def _write_json(path: Path, payload: dict) -> None:
    """Written to a temporary file then renamed: a reader never sees half a sidecar."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".sidecar-", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(payload, out, ensure_ascii=False)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def save(data: bytes, original_name: str, ext: str, uploader_id: int, cohort_id: int,
         now: dt.datetime | None = None) -> StoredImport:
    """Stores one upload and returns its entry; first removes the entries older than 24 hours.

    `ext` must be one of EXTENSIONS (the caller checked the name; raises ValueError otherwise);
    `original_name` is only shown and kept.
    """
    if ext not in EXTENSIONS:
        raise ValueError(f"unexpected extension {ext!r}")
    now = now or _now()
    folder = root()
    folder.mkdir(parents=True, exist_ok=True)
    purge_expired(now)
    entry = StoredImport(
        token=uuid.uuid4().hex,
        ext=ext,
        original_name=original_name,
        uploader_id=uploader_id,
        cohort_id=cohort_id,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        uploaded_at=now.isoformat(),
    )
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, data_path(entry))
        _write_json(_sidecar(entry.token), asdict(entry))
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        data_path(entry).unlink(missing_ok=True)
        raise
    return entry


def load(token: str, now: dt.datetime | None = None) -> StoredImport | None:
    """The entry of `token`, or None when the token is malformed, unknown, unreadable or expired."""
    if not valid_token(token):
        return None
    try:
        payload = json.loads(_sidecar(token).read_text(encoding="utf-8"))
        entry = StoredImport(**payload)
        expired = entry.uploaded + LIFETIME < (now or _now())
    except (OSError, ValueError, TypeError):
        return None
    if entry.token != token or entry.ext not in EXTENSIONS:
        return None
    if expired:
        delete(token)
        return None
    return entry


def read(entry: StoredImport) -> bytes | None:
    """The uploaded bytes, or None once they are gone (imported without rejected rows, or cancelled)."""
    try:
        return data_path(entry).read_bytes()
    except OSError:
        return None


def has_data(entry: StoredImport) -> bool:
    return data_path(entry).is_file()


def claim(entry: StoredImport) -> bool:
    """True for the one request that may run the import of this entry; False when another already did."""
    try:
        fd = os.open(_claim(entry.token), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def claimed(entry: StoredImport) -> bool:
    """An import of this entry was confirmed and has not been released (running, or interrupted)."""
    return _claim(entry.token).exists()


def release(entry: StoredImport) -> None:
    """The claimed import did not happen (rules broken, crash): it may be confirmed again."""
    _claim(entry.token).unlink(missing_ok=True)


def mark_done(entry: StoredImport, result: dict, keep_data: bool, now: dt.datetime | None = None) -> StoredImport:
    """Records what the import did; the bytes are deleted unless `keep_data` (rejected rows to download)."""
    entry.done_at = (now or _now()).isoformat()
    entry.result = result
    _write_json(_sidecar(entry.token), asdict(entry))
    if not keep_data:
        data_path(entry).unlink(missing_ok=True)
    return entry


def save_choices(entry: StoredImport, choices: dict) -> StoredImport:
    """Keeps the user's choices for the conflicts until the confirmation."""
    entry.choices = choices
    _write_json(_sidecar(entry.token), asdict(entry))
    return entry


def delete(token: str) -> None:
    """Removes everything stored for `token`; what is already gone is not an error."""
    if not valid_token(token):
        return
    folder = root()
    for path in (*(folder / f"{token}.{ext}" for ext in EXTENSIONS), _sidecar(token), _claim(token)):
        try:
            path.unlink(missing_ok=True)
        except OSError as error:  # never fail a request for a file that could not be removed
            current_app.logger.warning("Could not remove import file %s: %s", path.name, error)


def purge_expired(now: dt.datetime | None = None) -> int:
    """Deletes the entries uploaded more than 24 hours ago, and stray files (no readable sidecar, or
    half-written temporary files) last modified more than 24 hours ago. Returns how many tokens went."""
    folder = root()
    if not folder.is_dir():
        return 0
    now = now or _now()
    limit = now - LIFETIME
    removed = set()
    for path in folder.iterdir():
        token = path.name.split(".", 1)[0]
        if valid_token(token) and path.suffix == ".json":
            try:
                uploaded = dt.datetime.fromisoformat(json.loads(path.read_text(encoding="utf-8"))["uploaded_at"])
            except (OSError, ValueError, TypeError, KeyError):
                uploaded = None
            if uploaded is not None:
                if uploaded < limit:
                    delete(token)
                    removed.add(token)
                continue
        if valid_token(token) and _sidecar(token).is_file() and path.suffix != ".json":
            continue  # judged by its sidecar
        try:
            modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
            if modified < limit and path.is_file():
                path.unlink(missing_ok=True)
                removed.add(token)
        except OSError:
            continue
    return len(removed)
