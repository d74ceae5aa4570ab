"""The rejected rows as an XLSX to fix and re-import: the file's own columns, values as they were read, and
one more column saying why each row was not imported.

Text cells are written as text even when they start with `=`, `+`, `-` or `@` (a phone `+212 6…` stays a phone
and can never run as a formula), dates as dates. The error column is named in the file's header language
(Erreur / Error); the import recognises it and ignores it, so the corrected file can be imported as it is.
"""

import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tracker.imports.reader import Sheet
from tracker.imports.rules import ERROR_HEADERS, Analysis, ImportIssue, fold

ERROR_HEADER = {"fr": "Erreur", "en": "Error"}
SHEET_TITLE = {"fr": "Lignes rejetées", "en": "Rejected rows"}


def _cell(sheet, value: Any) -> WriteOnlyCell:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula, whatever the first character
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, dt.datetime):
        cell.number_format = "DD/MM/YYYY HH:MM"
    elif isinstance(value, dt.date):
        cell.number_format = "DD/MM/YYYY"
    return cell


def error_text(issues: list[ImportIssue]) -> str:
    """One line per reason, in the current locale."""
    return "\n".join(dict.fromkeys(str(issue.message) for issue in issues))


def rejected_xlsx(sheet: Sheet, analysis: Analysis) -> bytes:
    language = analysis.headers.language
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(SHEET_TITLE[language])
    ws.freeze_panes = "A2"
    # A previous error column (a corrected rejected-rows file imported again) is replaced, not repeated.
    old_errors = {fold(h) for h in ERROR_HEADERS}
    kept = [i for i, h in enumerate(sheet.headers) if fold(h) not in old_errors]
    for position in range(len(kept)):
        ws.column_dimensions[get_column_letter(position + 1)].width = 18
    ws.column_dimensions[get_column_letter(len(kept) + 1)].width = 80
    bold = Font(bold=True)
    header = [_cell(ws, sheet.headers[i]) for i in kept] + [_cell(ws, ERROR_HEADER[language])]
    for cell in header:
        cell.font = bold
    ws.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.rows:
        issues = analysis.rejected.get(row.line)
        if not issues:
            continue
        error = _cell(ws, error_text(issues))
        error.alignment = wrap
        ws.append([_cell(ws, row.values[i]) for i in kept] + [error])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

