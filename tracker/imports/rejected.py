"""The rejected rows as an XLSX to fix and re-import: the file's own columns, values as they were read, and
one more column saying why each row was not imported; then a "warnings" sheet listing what was imported with
a warning (an unknown stage, legal form, province or commune…), with the text as typed.

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

from tracker.imports.checks import ImportIssue
from tracker.imports.columns import ERROR_HEADERS
from tracker.imports.normalise import fold
from tracker.imports.reader import Sheet

ERROR_HEADER = {"fr": "Erreur", "en": "Error"}
SHEET_TITLE = {"fr": "Lignes rejetées", "en": "Rejected rows"}
WARNINGS_TITLE = {"fr": "Avertissements", "en": "Warnings"}
WARNINGS_HEADER = {
    "fr": ("Ligne(s)", "N° projet", "Colonne", "Valeur saisie", "Avertissement"),
    "en": ("Row(s)", "Project ID", "Column", "Value as typed", "Warning"),
}


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


def rejected_xlsx(sheet: Sheet, language: str, rejected: dict[int, list[ImportIssue]],
                  warnings: list[ImportIssue]) -> bytes:
    """`rejected`: row number → why it is not imported; `warnings`: in file order."""
    workbook = Workbook(write_only=True)
    _rejected_sheet(workbook, sheet, language, rejected)
    _warnings_sheet(workbook, language, warnings)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rejected_sheet(workbook: Workbook, sheet: Sheet, language: str, rejected: dict[int, list[ImportIssue]]) -> None:
    ws = workbook.create_sheet(SHEET_TITLE[language])
    ws.freeze_panes = "A2"
    # A previous error column (a corrected rejected-rows file imported again) is replaced, not repeated.
    old_errors = {fold(h) for h in ERROR_HEADERS}
    kept = [i for i, h in enumerate(sheet.headers) if fold(h) not in old_errors]
    for position in range(len(kept)):
        ws.column_dimensions[get_column_letter(position + 1)].width = 18
    ws.column_dimensions[get_column_letter(len(kept) + 1)].width = 80
    _header_row(ws, [sheet.headers[i] for i in kept] + [ERROR_HEADER[language]])
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.rows:
        issues = rejected.get(row.line)
        if not issues:
            continue
        error = _cell(ws, error_text(issues))
        error.alignment = wrap
        ws.append([_cell(ws, row.values[i]) for i in kept] + [error])


def _warnings_sheet(workbook: Workbook, language: str, warnings: list[ImportIssue]) -> None:
    ws = workbook.create_sheet(WARNINGS_TITLE[language])
    ws.freeze_panes = "A2"
    for position, width in enumerate((12, 12, 20, 30, 80), start=1):
        ws.column_dimensions[get_column_letter(position)].width = width
    _header_row(ws, list(WARNINGS_HEADER[language]))
    wrap = Alignment(wrap_text=True, vertical="top")
    for issue in warnings:
        message = _cell(ws, str(issue.message))
        message.alignment = wrap
        ws.append([_cell(ws, ", ".join(str(n) for n in issue.lines)), _cell(ws, issue.project_key),
                   _cell(ws, issue.column), _cell(ws, issue.value), message])


def _header_row(ws, titles: list[str]) -> None:
    bold = Font(bold=True)
    header = [_cell(ws, title) for title in titles]
    for cell in header:
        cell.font = bold
    ws.append(header)
