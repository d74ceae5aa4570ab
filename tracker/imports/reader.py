"""Reading an uploaded spreadsheet into rows of raw cell values, before any import rule applies.

XLSX (first sheet, or the sheet named Projets/Projects) is read with openpyxl in read-only mode; CSV may be
comma, semicolon or tab separated, UTF-8 with or without BOM, UTF-16 with BOM, or — when it is not UTF-8 —
Windows-1252 (French Excel) or Windows-1256 (Arabic Excel), told apart by which decoding gives plausible words.
Anything else is refused with an ImportFileError whose message says what to do; nothing here touches the
database.

Cell values are kept as the file holds them (text, numbers, dates) so the rejected rows can be written back
unchanged; the only conversion is for numbers shown as percentages in Excel (0.6 formatted `0%` is the
text `60%`), because that is what the person typed.
"""

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from tracker.core.services import ServiceError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_DATA_ROWS = 100_000
MAX_COLUMNS = 200
MAX_UNPACKED_BYTES = 300 * 1024 * 1024  # an XLSX is a zip: refuse one that would unpack to this much or more
SHEET_NAMES = ("projets", "projects")
CSV_DELIMITERS = (";", ",", "\t")
LEGACY_ENCODINGS = ("cp1252", "cp1256")


class ImportFileError(ServiceError):
    """The file cannot be read as a spreadsheet of projects: nothing was analysed, nothing written."""


@dataclass
class SheetRow:
    line: int  # spreadsheet row number, header = 1 when the header is on the first row
    values: list[Any]  # one raw value per header column; None for an empty cell


@dataclass
class Sheet:
    format: str  # "xlsx" | "csv"
    headers: list[str]  # as written, trimmed; "" for a blank header cell
    rows: list[SheetRow] = field(default_factory=list)  # non-blank data rows, in file order
    header_line: int = 1
    sheet_name: str | None = None
    encoding: str | None = None
    delimiter: str | None = None


def max_bytes() -> int:
    if has_app_context():
        return current_app.config.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_BYTES
    return DEFAULT_MAX_BYTES


def read_sheet(data: bytes, filename: str = "") -> Sheet:
    """The header and data rows of the file; raises ImportFileError with a message for the user."""
    limit = max_bytes()
    if len(data) > limit:
        raise ImportFileError(_l("Le fichier dépasse la taille maximale de %(size)s Mo.", size=limit // (1024 * 1024)))
    if not data.strip():
        raise ImportFileError(_l("Le fichier est vide."))
    if data.startswith(b"PK\x03\x04"):
        sheet = _read_xlsx(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(_l(
            "Ce classeur est au format Excel 97-2003 (.xls), qui n'est pas pris en charge : "
            "enregistrez-le au format .xlsx ou .csv puis importez-le à nouveau."
        ))
    else:
        sheet = _read_csv(data, filename)
    if not sheet.rows:
        raise ImportFileError(_l("Le fichier ne contient que l'en-tête : aucune ligne de données à importer."))
    if len(sheet.rows) > MAX_DATA_ROWS:
        raise ImportFileError(_l("Le fichier contient plus de %(n)s lignes : découpez-le en plusieurs fichiers.",
                                 n=MAX_DATA_ROWS))
    return sheet


def _not_a_spreadsheet() -> ImportFileError:
    return ImportFileError(_l(
        "Ce fichier n'est pas un tableur lisible : importez un classeur Excel (.xlsx) ou un fichier CSV."
    ))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_text(value: Any) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _build(fmt: str, raw_rows, **extra) -> Sheet:
    """Skips blank rows; the first non-blank row is the header. `raw_rows` yields (line, values)."""
    sheet = None
    for line, values in raw_rows:
        if all(_blank(v) for v in values):
            continue
        if sheet is None:
            headers = [_header_text(v) for v in values]
            while headers and not headers[-1]:
                headers.pop()
            if len(headers) > MAX_COLUMNS:
                raise ImportFileError(_l("Le fichier contient plus de %(n)s colonnes.", n=MAX_COLUMNS))
            sheet = Sheet(format=fmt, headers=headers, header_line=line, **extra)
            continue
        values = list(values[: len(sheet.headers)])
        values += [None] * (len(sheet.headers) - len(values))
        if all(_blank(v) for v in values):
            continue  # something written under no header at all: not a data row
        sheet.rows.append(SheetRow(line=line, values=values))
        if len(sheet.rows) > MAX_DATA_ROWS:
            break
    if sheet is None:
        raise ImportFileError(_l("Le fichier est vide."))
    return sheet


# ---------------------------------------------------------------- XLSX

def _read_xlsx(data: bytes) -> Sheet:
    import openpyxl

    try:
        unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise _not_a_spreadsheet() from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(_l("Ce classeur est trop volumineux une fois décompressé : découpez-le en plusieurs "
                                 "fichiers."))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError) as error:
        raise _not_a_spreadsheet() from error
    except Exception as error:  # openpyxl raises many kinds on a zip that is not a workbook (e.g. a .docx)
        raise _not_a_spreadsheet() from error
    try:
        if not workbook.worksheets:
            raise ImportFileError(_l("Le classeur ne contient aucune feuille de calcul."))
        sheet = next(
            (ws for ws in workbook.worksheets if ws.title.strip().casefold() in SHEET_NAMES), workbook.worksheets[0]
        )
        # The <dimension> tag written by some tools is wrong; read whatever rows the sheet really holds.
        sheet.reset_dimensions()
        try:
            return _build("xlsx", _xlsx_rows(sheet), sheet_name=sheet.title)
        except ImportFileError:
            raise
        except Exception as error:  # a damaged sheet part
            raise _not_a_spreadsheet() from error
    finally:
        workbook.close()


def _xlsx_rows(sheet):
    for line, cells in enumerate(sheet.iter_rows(), start=1):
        values = []
        for cell in cells[:MAX_COLUMNS + 1]:
            if getattr(cell, "data_type", None) == "f":
                raise ImportFileError(_l(
                    "La feuille « %(sheet)s » contient des formules (cellule %(cell)s) : copiez-la puis collez-la "
                    "en valeurs seulement (Collage spécial › Valeurs) dans un nouveau classeur, et importez celui-ci.",
                    sheet=sheet.title, cell=cell.coordinate,
                ))
            values.append(_xlsx_value(cell))
        yield line, values


def _xlsx_value(cell) -> Any:
    value = cell.value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)) and "%" in (getattr(cell, "number_format", None) or ""):
        # Excel stores 60 % as 0.6 with a percentage format: keep what the person typed.
        percent = (Decimal(repr(value)) * 100).normalize()
        return f"{percent:f}%"
    if isinstance(value, dt.datetime) and value.time() == dt.time(0, 0):
        return value.date()
    return value


# ---------------------------------------------------------------- CSV

def _read_csv(data: bytes, filename: str) -> Sheet:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _not_a_spreadsheet()
    text, encoding = decode_text(data)
    if any(ch in text[:4096] for ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10"):
        raise _not_a_spreadsheet()
    first_line = next((line for line in io.StringIO(text) if line.strip()), "")
    delimiter = max(CSV_DELIMITERS, key=lambda d: _count_outside_quotes(first_line, d))
    if not _count_outside_quotes(first_line, delimiter):
        raise _not_a_spreadsheet()  # one column cannot hold the five mandatory ones: a text, not a table
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        raw_rows = [(line, [v if v.strip() else None for v in values]) for line, values in enumerate(reader, start=1)]
    except csv.Error as error:
        raise _not_a_spreadsheet() from error
    return _build("csv", raw_rows, encoding=encoding, delimiter=delimiter)


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name). UTF-8 (BOM or not) and UTF-16 with BOM are certain; otherwise Windows-1252 and
    Windows-1256 are both tried and the one whose words look like French or Arabic wins; a tie between two
    different readings, or nothing plausible, is refused rather than guessed."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise _not_a_spreadsheet() from error
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    readings = {}
    for encoding in LEGACY_ENCODINGS:
        try:
            readings[encoding] = data.decode(encoding)
        except UnicodeDecodeError:
            continue
    scored = sorted((implausibility(text), encoding) for encoding, text in readings.items())
    if scored:
        best_score, best = scored[0]
        letters = sum(ch.isalpha() for ch in readings[best]) or 1
        tie = len(scored) > 1 and scored[1][0] == best_score and readings[scored[1][1]] != readings[best]
        if not tie and best_score <= max(3, letters // 100):
            return readings[best], best
    raise ImportFileError(_l(
        "L'encodage de ce fichier CSV n'est pas reconnu : enregistrez-le en « CSV UTF-8 » "
        "(Excel : Enregistrer sous › CSV UTF-8) puis importez-le à nouveau."
    ))


_WORD = re.compile(r"[^\W\d_]+")


def _script(ch: str) -> str:
    if ch.isascii():
        return "ascii"
    name = unicodedata.name(ch, "")
    if name.startswith("ARABIC"):
        return "arabic"
    if name.startswith("LATIN"):
        return "latin"
    return "other"


def implausibility(text: str) -> int:
    """How many letters sit in words no French or Arabic writer produces: words mixing Arabic and Latin
    letters (French capitals read as Windows-1256), words of three or more accented Latin letters and no plain
    ones (Arabic read as Windows-1252), and letters of any other script."""
    bad = 0
    for word in _WORD.findall(text):
        scripts = {_script(ch) for ch in word}
        if "other" in scripts:
            bad += len(word)
        elif "arabic" in scripts and scripts & {"ascii", "latin"}:
            bad += len(word)
        elif scripts == {"latin"} and len(word) >= 3:
            bad += len(word)
    return bad
