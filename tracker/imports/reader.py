"""Reading an uploaded spreadsheet into rows of raw cell values, before any import rule applies.

XLSX (first sheet, or the sheet named Projets/Projects) is read with openpyxl in read-only mode; CSV may be
comma, semicolon or tab separated, UTF-8 with or without BOM, UTF-16 with BOM, or — when it is not UTF-8 —
Windows-1252 (French Excel) or Windows-1256 (Arabic Excel), told apart by which decoding gives plausible words.
Anything else is refused with an ImportFileError whose message says what to do; nothing here touches the
database.

A file costs what it holds (issue 14): every row after the header counts towards MAX_ROWS, blank and
separator-only rows included, and reading stops at the first row past the limit with a message saying so.
CSV is read as a stream of lines (a line longer than MAX_LINE_CHARS is refused); an XLSX sheet is first
scanned for how many cells it writes (styled empty cells included) so a sheet of millions of blank cells is
refused before openpyxl parses any of them. bench/import_hostile_bench.py measures both.

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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from tracker.core.services import ServiceError
from tracker.core.text import clean_multiline

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Rows after the header, blank ones included. A cohort's forum sheet holds hundreds of rows and the largest
# cohort of the scale set 1,500 members: 20,000 leaves room while bounding what one upload may cost.
MAX_ROWS = 20_000
MAX_COLUMNS = 200
# Cells an XLSX sheet may write, blank styled ones included: 25 per row at the row limit. openpyxl parses
# about 200,000 cells a second here, so a sheet it accepts is read in a few seconds.
MAX_CELLS = MAX_ROWS * 25
MAX_LINE_CHARS = 1024 * 1024  # one CSV line; a "line" of 20 MB of separators is not a row of a table
MAX_UNPACKED_BYTES = 300 * 1024 * 1024  # an XLSX is a zip: refuse one that would unpack to this much or more
SHEET_NAMES = ("projets", "projects")
CSV_DELIMITERS = (";", ",", "\t")
LEGACY_ENCODINGS = ("cp1252", "cp1256")
_CONTROL = frozenset("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10")


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
    return sheet


def too_many_rows() -> ImportFileError:
    return ImportFileError(_l(
        "Le fichier compte plus de %(n)s lignes sous l'en-tête (les lignes vides ou faites seulement de "
        "séparateurs comptent aussi) : la lecture s'est arrêtée là. Supprimez les lignes vides sous le tableau, "
        "ou découpez-le en plusieurs fichiers.", n=f"{MAX_ROWS:,}".replace(",", "\u202f")))


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


def _build(fmt: str, raw_rows: Iterable[tuple[int, list[Any]]], **extra) -> Sheet:
    """The first non-blank row is the header; every row after it counts towards MAX_ROWS, blank or not,
    and reading stops at the first one past the limit. `raw_rows` yields (line, values) lazily."""
    sheet = None
    for line, values in raw_rows:
        values = [clean_multiline(v) for v in values]  # the text gate (core/text.py): no NUL, no bidi override
        if sheet is None:
            if all(_blank(v) for v in values):
                if line > MAX_ROWS:  # nothing but blank rows so far
                    raise too_many_rows()
                continue
            sheet = _header(fmt, line, values, extra)
            continue
        if line - sheet.header_line > MAX_ROWS:
            raise too_many_rows()
        values = list(values[: len(sheet.headers)])
        if all(_blank(v) for v in values):
            continue  # blank, or something written under no header at all: not a data row
        values += [None] * (len(sheet.headers) - len(values))
        sheet.rows.append(SheetRow(line=line, values=values))
    if sheet is None:
        raise ImportFileError(_l("Le fichier est vide."))
    return sheet


def _header(fmt: str, line: int, values: list[Any], extra: dict) -> Sheet:
    headers = [_header_text(v) for v in values]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise ImportFileError(_l("Le fichier contient plus de %(n)s colonnes.", n=MAX_COLUMNS))
    return Sheet(format=fmt, headers=headers, header_line=line, **extra)


# ---------------------------------------------------------------- XLSX

def _read_xlsx(data: bytes) -> Sheet:
    import openpyxl

    _check_cells(_open_zip(data))
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


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise _not_a_spreadsheet() from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(_l("Ce classeur est trop volumineux une fois décompressé : découpez-le en plusieurs "
                                 "fichiers."))
    return archive


_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")
SCAN_CHUNK = 1024 * 1024


def count_cells(stream) -> int:
    """How many <c> elements a worksheet part writes, read in 1 MB chunks at C speed (a regex per chunk):
    cheap next to openpyxl's parse, which costs about 5 µs a cell even when the cell is empty."""
    count, carry = 0, b""
    while chunk := stream.read(SCAN_CHUNK):
        buffer = carry + chunk
        cut = buffer.rfind(b"<")  # a tag never holds "<": what follows it may be cut, keep it for next time
        if cut <= 0:
            cut = max(len(buffer) - 16, 0)
        count += len(_CELL_TAG.findall(buffer, 0, cut))
        carry = buffer[cut:]
        if count > MAX_CELLS:
            break
    return count + len(_CELL_TAG.findall(carry))


def _check_cells(archive: zipfile.ZipFile) -> None:
    """Every worksheet part is counted, before openpyxl opens the workbook: in read-only mode it scans each
    sheet that lacks a <dimension> tag in full while opening, whichever sheet is read afterwards."""
    total = 0
    for name in archive.namelist():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            try:
                with archive.open(name) as stream:
                    total += count_cells(stream)
            except (zipfile.BadZipFile, OSError, EOFError) as error:
                raise _not_a_spreadsheet() from error
        if total > MAX_CELLS:
            break
    if total > MAX_CELLS:
        raise ImportFileError(_l(
            "La feuille contient plus de %(n)s cellules, en comptant les cellules vides mises en forme : "
            "supprimez les lignes et colonnes vides autour du tableau (ou copiez le tableau seul dans un "
            "nouveau classeur), puis importez-le à nouveau.", n=f"{MAX_CELLS:,}".replace(",", "\u202f")))


def _xlsx_rows(sheet) -> Iterator[tuple[int, list[Any]]]:
    for line, cells in enumerate(sheet.iter_rows(), start=1):
        values = []
        for cell in cells[: MAX_COLUMNS + 1]:
            if getattr(cell, "data_type", None) == "f":
                raise ImportFileError(_l(
                    "La feuille « %(sheet)s » contient des formules (cellule %(cell)s) : copiez-la puis collez-la "
                    "en valeurs seulement (Collage spécial › Valeurs) dans un nouveau classeur, et importez celui-ci.",
                    sheet=sheet.title, cell=cell.coordinate,
                ))
            values.append(_xlsx_value(cell))
        while values and values[-1] is None:
            values.pop()
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
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, codec = "utf-16", "utf-16"
    else:
        encoding, codec = "utf-8", "utf-8-sig"
    try:
        return _parse_csv(io.TextIOWrapper(io.BytesIO(data), encoding=codec, newline=""), encoding)
    except UnicodeDecodeError as error:
        if encoding == "utf-16":
            raise _not_a_spreadsheet() from error
    text, encoding = decode_text(data)  # not UTF-8: the legacy code pages are scored on the whole text
    return _parse_csv(io.StringIO(text, newline=""), encoding)


def _lines(stream) -> Iterator[str]:
    """The stream's lines, never one longer than MAX_LINE_CHARS (refused) and never the whole file at once."""
    while line := stream.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise ImportFileError(_l("Une ligne du fichier dépasse %(n)s caractères : ce n'est pas une ligne d'un "
                                     "tableau de projets.", n=f"{MAX_LINE_CHARS:,}".replace(",", "\u202f")))
        yield line


def _first_line(stream) -> str:
    """The first non-blank line, looking no further than MAX_ROWS lines; the stream is rewound."""
    found = ""
    for count, line in enumerate(_lines(stream), start=1):
        if line.strip():
            found = line
            break
        if count > MAX_ROWS:
            raise too_many_rows()
    stream.seek(0)
    return found


def _parse_csv(stream, encoding: str) -> Sheet:
    if _CONTROL.intersection(stream.read(4096)):
        raise _not_a_spreadsheet()
    stream.seek(0)
    first_line = _first_line(stream)
    delimiter = max(CSV_DELIMITERS, key=lambda d: _count_outside_quotes(first_line, d))
    if not _count_outside_quotes(first_line, delimiter):
        raise _not_a_spreadsheet()  # one column cannot hold the five mandatory ones: a text, not a table
    reader = csv.reader(_lines(stream), delimiter=delimiter)

    def records() -> Iterator[tuple[int, list[Any]]]:
        try:  # a record is a spreadsheet row, even when a quoted cell holds a line break
            for line, values in enumerate(reader, start=1):
                yield line, [v if v.strip() else None for v in values[: MAX_COLUMNS + 1]]
        except csv.Error as error:
            raise _not_a_spreadsheet() from error

    return _build("csv", records(), encoding=encoding, delimiter=delimiter)


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
