"""Evidence files on disk: which files are accepted, how they are checked, where they are kept.

Rules (DESIGN §3, issue 5):
- PDF, JPEG, PNG, XLSX and DOCX only, recognised from the bytes, not from the name: `%PDF-`, `FF D8 FF`,
  the PNG signature, or a ZIP whose `[Content_Types].xml` declares the main part of a workbook (XLSX) or
  of a document (DOCX) — part names do not count. The extension of the name must then name the same
  type, so a renamed executable or a PNG called `.pdf` is refused.
- Office files that carry code are refused whatever their parts are called: a content type or a
  relationship naming a VBA project, VBA data, a macro sheet or an ActiveX control, a macro-enabled main
  part, or any part that is an OLE2 compound file (what a VBA project is).
- A ZIP bomb is refused without being decompressed: more than MAX_PARTS parts, more than
  MAX_UNPACKED_BYTES declared in all, or a part above RATIO_FLOOR declared more than MAX_RATIO times its
  compressed size. Only `[Content_Types].xml` and the `.rels` parts are read (at most MAX_XML_PART each,
  whatever their header says) and the first eight bytes of each part.
- At most EVIDENCE_MAX_BYTES per file (10 MiB unless configured), counted while the file is written: a
  bigger one raises FileTooLarge, a RequestEntityTooLarge, so the user gets the translated 413 page.
  MAX_CONTENT_LENGTH (20 MiB by default) caps the whole request before any view runs.
- The bytes are hashed (sha256) as they are written to a temporary file in the target folder, which is
  then renamed atomically to `evidence/<yyyy>/<mm>/<uuid>.<ext>` under UPLOAD_DIR (outside the static
  folder). The name typed by the user never reaches the file system: cleaned by `clean_name`, it is only
  shown and used as the download name.

`stored_path` is relative to UPLOAD_DIR (as the demo loader's `demo/<sha256>.<ext>`), so the folder can
move without touching the rows. Nothing here touches the database.
"""

import datetime as dt
import hashlib
import os
import tempfile
import unicodedata
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from lxml import etree
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.core.services import ServiceError

MIB = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * MIB
MAX_FILES_PER_UPLOAD = 10
MAX_NAME_LENGTH = 255  # Attachment.original_name
CHUNK = 64 * 1024
FALLBACK_STEM = "document"
# Characters that Windows refuses in file names; replaced so the download saves everywhere.
_RESERVED = set('<>:"/\\|?*')


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    extensions: tuple[str, ...]  # the first one is used on disk
    content_type: str


PDF = Kind("pdf", "PDF", ("pdf",), "application/pdf")
JPEG = Kind("jpeg", "JPEG", ("jpg", "jpeg"), "image/jpeg")
PNG = Kind("png", "PNG", ("png",), "image/png")
XLSX = Kind("xlsx", "XLSX", ("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOCX = Kind("docx", "DOCX", ("docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
KINDS = (PDF, JPEG, PNG, XLSX, DOCX)

# For <input type="file" accept="…"> and the help text.
ACCEPT = ",".join(f".{ext}" for kind in KINDS for ext in kind.extensions)
KIND_LABELS = ", ".join(kind.label for kind in KINDS)

_SIGNATURES = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
_ZIP_SIGNATURE = b"PK\x03\x04"


class UploadRefused(ServiceError):
    """A file is not one we keep (type, name, emptiness); the message names it."""


class FileTooLarge(RequestEntityTooLarge):
    """One file is over the per-file limit; `file_name` and `limit_mb` let the view say which and why."""

    def __init__(self, file_name: str, limit_bytes: int):
        super().__init__()
        self.file_name = file_name
        self.limit_mb = limit_bytes // MIB if limit_bytes % MIB == 0 else round(limit_bytes / MIB, 1)


@dataclass(frozen=True)
class StoredFile:
    stored_path: str  # relative to UPLOAD_DIR, with forward slashes
    original_name: str
    content_type: str
    size_bytes: int
    sha256: str


def max_bytes() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES") or DEFAULT_MAX_BYTES)


def max_megabytes() -> int | float:
    limit = max_bytes()
    return limit // MIB if limit % MIB == 0 else round(limit / MIB, 1)


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]).resolve()


# ---------------------------------------------------------------- names

def clean_name(raw: str | None) -> str:
    """The user's file name made safe to show and to offer as a download name.

    Keeps the last path component only (so `../../etc/passwd.pdf` is `passwd.pdf`, `C:\\x\\a.pdf` is
    `a.pdf`), drops control and formatting characters (including the bidirectional overrides used to
    disguise `exe.pdf`), replaces characters Windows refuses, trims dots and spaces, and shortens the
    stem to fit 255 characters with its extension. Letters of every script, Arabic included, are kept.
    An empty stem becomes "document".
    """
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if ch.isspace() else ch for ch in name)  # tabs and new lines are spaces
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = "".join("_" if ch in _RESERVED else ch for ch in name)
    name = " ".join(name.split())
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem, ext = stem.strip(" ."), ext.strip(" .")
    stem = stem or FALLBACK_STEM
    suffix = f".{ext}" if ext else ""
    if len(suffix) > 16:  # not an extension we accept anyway: keep it as part of the name
        stem, suffix = f"{stem}{suffix}", ""
    return stem[: MAX_NAME_LENGTH - len(suffix)].rstrip(" .") + suffix


def extension_of(name: str) -> str:
    _stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


# ---------------------------------------------------------------- content

def sniff(path: Path) -> Kind | None:
    """The accepted type the bytes of `path` are, or None. Raises ArchiveRefused for an Office file with
    macros or a ZIP out of proportion. A ZIP is judged from its directory and `[Content_Types].xml` (and
    the first bytes of each part), never by decompressing a whole part: a ZIP bomb costs nothing here."""
    with path.open("rb") as handle:
        head = handle.read(16)
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if not head.startswith(_ZIP_SIGNATURE):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            return _office_kind(archive, path.stat().st_size)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError,
            RuntimeError, zlib.error, etree.XMLSyntaxError):
        return None


class ArchiveRefused(Exception):
    """An Office file refused for what it holds: `reason` is "macro" or "bomb"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# Main parts of the two Office types we keep ([Content_Types].xml Override of the main document).
_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
}
# Content types (and relationship types) that carry code: VBA projects and their data, Excel 4 macro
# sheets, ActiveX controls, macro-enabled main parts and templates. Matched case-insensitively as parts.
_CODE_MARKERS = ("macroenabled", "vbaproject", "vbadata", "macrosheet", "activex", "ms-office.vba")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file, as vbaProject.bin is, whatever its name
MAX_PARTS = 5000
MAX_UNPACKED_BYTES = 100 * MIB  # declared, all parts together
MAX_RATIO = 100  # declared size / compressed size, per part bigger than RATIO_FLOOR
RATIO_FLOOR = MIB
MAX_XML_PART = MIB  # [Content_Types].xml and .rels parts are read, up to this size


def _office_kind(archive: zipfile.ZipFile, archive_size: int) -> Kind | None:
    infos = archive.infolist()
    if len(infos) > MAX_PARTS or sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise ArchiveRefused("bomb")
    if any(i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos):
        raise ArchiveRefused("bomb")
    names = {i.filename: i for i in infos}
    if "[Content_Types].xml" not in names:
        return None
    types = _content_types(_read_small(archive, names["[Content_Types].xml"]))
    rels = b" ".join(_read_small(archive, i) for name, i in names.items() if name.lower().endswith(".rels"))
    if any(marker in t for t in types for marker in _CODE_MARKERS) or any(
            marker.encode() in rels.lower() for marker in _CODE_MARKERS):
        raise ArchiveRefused("macro")
    for info in infos:
        if not info.is_dir() and info.file_size >= len(_OLE2):
            with archive.open(info) as part:
                if part.read(len(_OLE2)) == _OLE2:
                    raise ArchiveRefused("macro")
    kinds = {_MAIN_PARTS[t] for t in types if t in _MAIN_PARTS}
    if len(kinds) != 1:  # neither, or a file pretending to be both
        return None
    return XLSX if kinds == {"xlsx"} else DOCX


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A part that must be small; its declared size is not trusted (reading stops past the limit)."""
    if info.file_size > MAX_XML_PART:
        raise ArchiveRefused("bomb")
    with archive.open(info) as part:
        data = part.read(MAX_XML_PART + 1)
    if len(data) > MAX_XML_PART:
        raise ArchiveRefused("bomb")
    return data


def _content_types(data: bytes) -> set[str]:
    """Every ContentType declared in [Content_Types].xml (Default and Override), lower-case.
    No DTD, no entities, no network: the parser only reads the elements."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    root = etree.fromstring(data, parser=parser)
    return {(element.get("ContentType") or "").strip().lower() for element in root.iter()
            if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] in ("Default", "Override")}


def _check_kind(path: Path, name: str, size: int) -> Kind:
    if size == 0:
        raise UploadRefused(_l("« %(name)s » est vide.", name=name))
    try:
        kind = sniff(path)
    except ArchiveRefused as refused:
        if refused.reason == "macro":
            raise UploadRefused(_l("« %(name)s » contient des macros ou des contrôles ActiveX : enregistrez-le "
                                   "sans macros (.xlsx, .docx) puis envoyez-le à nouveau.", name=name)) from None
        raise UploadRefused(_l("« %(name)s » se décompresserait en un volume sans proportion avec sa taille : "
                               "il n'a pas été enregistré.", name=name)) from None
    if kind is None:
        raise UploadRefused(_l("« %(name)s » n'est pas d'un type accepté (%(types)s) : il n'a pas été enregistré.",
                               name=name, types=KIND_LABELS))
    if extension_of(name) not in kind.extensions:
        raise UploadRefused(_l("Le contenu de « %(name)s » est un fichier %(type)s, qui ne correspond pas à son "
                               "extension : renommez-le ou envoyez le bon fichier.", name=name, type=kind.label))
    return kind


# ---------------------------------------------------------------- disk

def store(upload, today: dt.date | None = None) -> StoredFile:
    """Writes one uploaded file (a werkzeug FileStorage) under UPLOAD_DIR and returns what to record.

    Raises FileTooLarge over the limit and UploadRefused when the type is refused; in both cases nothing
    is left on disk.
    """
    today = today or dt.date.today()
    name = clean_name(upload.filename)
    folder = Path("evidence") / f"{today:%Y}" / f"{today:%m}"
    target_dir = upload_root() / folder
    target_dir.mkdir(parents=True, exist_ok=True)
    limit = max_bytes()
    digest, size = hashlib.sha256(), 0
    fd, temp_name = tempfile.mkstemp(dir=target_dir, prefix=".upload-", suffix=".part")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FileTooLarge(name, limit)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        kind = _check_kind(temp, name, size)
        relative = folder / f"{uuid.uuid4().hex}.{kind.extensions[0]}"
        os.replace(temp, upload_root() / relative)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return StoredFile(relative.as_posix(), name, kind.content_type, size, digest.hexdigest())


def absolute_path(stored_path: str | None) -> Path | None:
    """Where a stored file is, or None when the path would leave UPLOAD_DIR (a tampered row)."""
    if not stored_path:
        return None
    root = upload_root()
    path = (root / stored_path).resolve()
    return path if path.is_relative_to(root) and path != root else None


def remove(stored_paths) -> None:
    """Deletes stored files after their rows are gone; a file already missing is not an error."""
    for stored_path in stored_paths:
        path = absolute_path(stored_path)
        if path is None:
            continue
        try:
            path.unlink(missing_ok=True)
        except OSError as error:  # the row is gone already: log, never fail the request for it
            current_app.logger.warning("Could not remove evidence file %s: %s", stored_path, error)
