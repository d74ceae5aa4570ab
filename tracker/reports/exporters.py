"""The cohort report (`services.cohort_report`, DESIGN §6/§12) as CSV (a ZIP) and XLSX files (issue 18).

Both are written from `tables.report_tables`, in the reader's language: sheet names, CSV headers and row
labels are the on-screen labels; the §12 keys appear only in the XLSX "keys" sheet (and in the JSON).
Values are formatted by `tracker.core.formatting`: counts as integers, amounts with two decimals, rates
as percentages with one decimal.

CSV — a ZIP of one UTF-8-with-BOM file per table (filters, the five scalar sections, indicators,
completeness, trends), named after the translated title. The dialect follows the locale (fr and ar:
`;` and a decimal comma; en: `,` and a decimal point) unless one is asked (`excel-fr`, `excel-en`); numbers
carry no thousands separator and rates are written in per cent ("45,7"), so a spreadsheet set to that
language reads every number as a number. Every text cell starting with `=`, `+`, `-`, `@`, tab or
carriage return gets a leading apostrophe (`neutralise`): a CSV has no other way to say "text".

XLSX — a cover sheet (title, the written summary, the personal-data notice, the filters, the generation
date), one sheet per table, then the raw data sheets (`raw.raw_frames`, labelled columns and codes), then
the "keys" sheet mapping each label to its key. Arabic sheets are right to left. Text is written as text
cells (never a formula, whatever it starts with; `quotePrefix` keeps it text when edited), so a phone
number "+212…" or a name "-Amal" reads as typed, without a visible apostrophe. The personal-data notice
(law 09-08) is on the cover and in the document properties.
"""

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tracker.core import formatting
from tracker.core.formatting import NUMERIC_KINDS, Kind, csv_text, dialect_for, kind_of
from tracker.core.text import for_export
from tracker.reports import labels, summary
from tracker.reports.tables import Names, Table, report_tables

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
SHEET_NAME_MAX = 31
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
RAW_ROWS_PER_SHEET = 1_048_575  # Excel's 1,048,576 rows per sheet, less the header row


def neutralise(value):
    """CSV only: text a spreadsheet would read as a formula gets a leading apostrophe; anything else as is.
    Characters a CSV cannot hold (control characters stored before the text gate) are dropped."""
    value = for_export(value)
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def personal_data_notice() -> str:
    return _("Données personnelles — loi 09-08 : ce fichier contient des données personnelles des membres des "
             "équipes (noms, téléphones, e-mails, dates de naissance). Ne le transmettez qu'aux personnes "
             "autorisées, conservez-le en lieu sûr et supprimez-le quand il n'est plus utile.")


def report_title(report: dict, names: Names) -> str:
    cohorts = [names.cohorts.get(slug, slug) for slug in report["filters"]["cohorts"]]
    if len(cohorts) == 1:
        return _("Rapport de cohorte — %(cohort)s", cohort=cohorts[0])
    return _("Rapport de cohorte — %(count)s cohortes", count=len(cohorts))


# ---------------------------------------------------------------- CSV

def _file_name(index: int, title: str) -> str:
    """"03-personnes.csv": accents dropped from Latin letters, Arabic kept, punctuation to hyphens."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", title) if not unicodedata.combining(c))
    slug = re.sub(r"[^\w]+", "-", folded.lower()).strip("-") or "table"
    return f"{index:02d}-{slug}.csv"


def csv_rows(table: Table, dialect: formatting.Dialect) -> list[list[str]]:
    """Header and rows of one CSV file; rates are numbers in per cent, so their label says "(%)"."""
    header = [column.label for column in table.columns]
    if not table.long:
        for i, column in enumerate(table.columns[1:], start=1):
            kinds = {row.values[i - 1].kind for row in table.rows if row.values[i - 1].value is not None}
            if kinds and kinds <= {Kind.RATE}:
                header[i] = f"{column.label} (%)"
    rows = [[neutralise(cell) for cell in header]]
    for row in table.rows:
        first = row.label
        if table.long and row.values[0].kind == Kind.RATE:
            first = f"{first} (%)"
        # numbers are numbers, never guarded: a negative figure stays "-4"
        rows.append([neutralise(first), *(csv_text(v.value, v.kind, dialect) if v.kind in NUMERIC_KINDS
                                          else neutralise(csv_text(v.value, v.kind, dialect)) for v in row.values)])
    return rows


def to_csv_zip(report: dict, locale: str = "fr", dialect: str | None = None, names: Names | None = None) -> bytes:
    """A ZIP holding one CSV per table (module docstring), in `locale`, in the locale's or the asked dialect."""
    chosen = dialect_for(locale, dialect)
    buffer = io.BytesIO()
    with force_locale(locale), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, table in enumerate(report_tables(report, names).values(), start=1):
            text = io.StringIO()
            writer = csv.writer(text, delimiter=chosen.delimiter, lineterminator="\r\n")
            writer.writerows(csv_rows(table, chosen))
            archive.writestr(_file_name(index, table.title), (BOM + text.getvalue()).encode("utf-8"))
    return buffer.getvalue()


# ---------------------------------------------------------------- XLSX

def _sheet_name(title: str, taken: set[str]) -> str:
    name = SHEET_FORBIDDEN.sub("-", title).strip("'")[:SHEET_NAME_MAX] or "Feuille"
    base, n = name, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[:SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


def _put(ws, row: int, col: int, value, kind: Kind | None, width: list[int]) -> None:
    """One cell: text as a text cell (no formula, no apostrophe), numbers and dates with their format."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        value = for_export(value)  # control characters stored before the text gate would break the file
        cell.value = value
        cell.data_type = "s"  # openpyxl would make "=…" a formula
        if value.startswith(DANGEROUS_PREFIXES):
            cell.quotePrefix = True  # stays text if someone edits it in a spreadsheet
        shown = max((len(line) for line in value.splitlines()), default=0)
    else:
        cell.value, number_format = formatting.xlsx_value(value, kind)
        if number_format:
            cell.number_format = number_format
        shown = 10 if isinstance(value, dt.date) else len(str(value)) if value is not None else 0
    while len(width) < col:
        width.append(0)
    width[col - 1] = max(width[col - 1], shown)


def _finish(ws, width: list[int], rtl: bool, frozen: str | None = "A2") -> None:
    for col, w in enumerate(width, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(w + 2, 10), 60)
    if frozen:
        ws.freeze_panes = frozen
    ws.sheet_view.rightToLeft = rtl


def _write_table(ws, table: Table, rtl: bool, start_row: int = 1) -> int:
    """The table with its header row at `start_row`; returns the next free row."""
    width: list[int] = []
    for col, column in enumerate(table.columns, start=1):
        _put(ws, start_row, col, column.label, Kind.TEXT, width)
    r = start_row
    for r, row in enumerate(table.rows, start=start_row + 1):
        _put(ws, r, 1, row.label, Kind.TEXT, width)
        for col, value in enumerate(row.values, start=2):
            _put(ws, r, col, value.value, value.kind, width)
    _finish(ws, width, rtl, frozen=f"A{start_row + 1}")
    return r + 1


def _write_cover(ws, report: dict, names: Names, filters: Table, rtl: bool) -> None:
    """Title, personal-data notice, the written summary, then the filters table (label | value)."""
    lines = [report_title(report, names), personal_data_notice(), ""]
    lines += [sentence.text for sentence in summary.summary(report)]
    for row, line in enumerate(lines, start=1):
        _put(ws, row, 1, line, Kind.TEXT, [])
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.cell(row=2, column=1).font = Font(bold=True, color="9C0006")
    _write_table(ws, filters, rtl, start_row=len(lines) + 2)
    ws.freeze_panes = None
    ws.column_dimensions["A"].width = 50
    ws.column_dimensions["B"].width = 50


def _raw_kind(sheet: str, column: str, value, unit) -> Kind | None:
    if column in labels.RAW_KINDS:
        return labels.RAW_KINDS[column]
    if column in ("value", "baseline_value", "target_value") and value is not None:
        return formatting.figure_kind(value, unit)
    return kind_of(value)


def _raw_value(sheet: str, column: str, value):
    enum_cls = labels.RAW_ENUMS.get(column) or (labels.RAW_STATUS_ENUMS.get(sheet) if column == "status" else None)
    if column == "unit" and value is not None:
        return labels.unit_label(value)
    if column == "kind" and value is not None:
        return labels.kind_label(value)
    if enum_cls is not None and value is not None:
        return labels.enum_label(enum_cls, value)
    return value


def _write_raw(ws, sheet: str, df, rtl: bool) -> list[tuple[str, str]]:
    """A raw data sheet: labelled columns, codes as labels, values by type; returns (label, column) pairs."""
    columns = [str(c) for c in df.columns]
    shown = [str(labels.RAW_COLUMNS.get(c, c)) for c in columns]
    width: list[int] = []
    for col, title in enumerate(shown, start=1):
        _put(ws, 1, col, title, Kind.TEXT, width)
    unit_at = columns.index("unit") if "unit" in columns else None
    for r, values in enumerate(df.itertuples(index=False, name=None), start=2):
        unit = values[unit_at] if unit_at is not None else None
        for col, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            if value is None or isinstance(value, bool):
                ws.cell(row=r, column=col, value=value)
                continue
            _put(ws, r, col, _raw_value(sheet, column, value), _raw_kind(sheet, column, value, unit), width)
    _finish(ws, width, rtl)
    return list(zip(shown, columns, strict=True))


def _note_split(cover, split: list[tuple[str, int]]) -> None:
    """Says on the cover which raw sheets go on over numbered sheets (Excel's limit of rows per sheet)."""
    row = cover.max_row + 2
    for sheet, count in split:
        _put(cover, row, 1, _("La feuille « %(sheet)s » dépasse la limite d'Excel (1 048 576 lignes par feuille) : "
                              "ses lignes continuent sur les feuilles numérotées qui la suivent (%(count)s feuilles en "
                              "tout).", sheet=sheet, count=count), Kind.TEXT, [])
        row += 1


def _keys_rows(tables: dict[str, Table], sheet_names: dict[str, str], raw_keys: dict[str, list]) -> list[list]:
    rows = []
    for key, table in tables.items():
        sheet = sheet_names[key]
        rows.append([sheet, "", key])
        rows += [[sheet, c.label, c.key] for c in table.columns if c.key]
        rows += [[sheet, r.label, r.key] for r in table.rows]
    for name, pairs in raw_keys.items():
        sheet = sheet_names[f"raw.{name}"]
        rows.append([sheet, "", f"raw.{name}"])
        rows += [[sheet, shown, f"raw.{name}.{column}"] for shown, column in pairs]
    return rows


def _properties(wb, report: dict, names: Names, locale: str) -> None:
    props = wb.properties
    props.title = for_export(report_title(report, names))  # document properties are XML too
    props.subject = _("Données personnelles — loi 09-08")
    props.description = personal_data_notice()
    props.keywords = _("données personnelles; loi 09-08")
    props.category = _("Données personnelles — loi 09-08")
    props.creator = "Mowakaba"
    props.language = locale


def to_xlsx(report: dict, generated_at: dt.datetime | None = None, raw: dict | None = None, locale: str = "fr",
            names: Names | None = None) -> bytes:
    """The workbook of the module docstring, in `locale`; `raw` ({name: DataFrame}, see `raw.raw_frames`)
    adds the raw data sheets."""
    generated_at = (generated_at or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    names = names or Names()
    rtl = locale == "ar"
    wb = Workbook()
    with force_locale(locale):
        tables = report_tables(report, names, generated_at)
        taken: set[str] = set()
        sheet_names = {"filters": _sheet_name(labels.title("cover"), taken)}
        cover = wb.active
        cover.title = sheet_names["filters"]
        _write_cover(cover, report, names, tables["filters"], rtl)
        for key, table in tables.items():
            if key == "filters":
                continue
            sheet_names[key] = _sheet_name(table.title, taken)
            _write_table(wb.create_sheet(sheet_names[key]), table, rtl)
        raw_keys, split = {}, []
        for name, df in (raw or {}).items():
            title = str(labels.RAW_TITLES.get(name, name))
            parts = [df.iloc[start:start + RAW_ROWS_PER_SHEET] for start in range(0, len(df), RAW_ROWS_PER_SHEET)]
            for n, part in enumerate(parts or [df], start=1):
                sheet = _sheet_name(title if n == 1 else f"{title} {n}", taken)
                sheet_names.setdefault(f"raw.{name}", sheet)
                raw_keys[name] = _write_raw(wb.create_sheet(sheet), name, part, rtl)
            if len(parts) > 1:
                split.append((sheet_names[f"raw.{name}"], len(parts)))
        _note_split(cover, split)
        keys_sheet = wb.create_sheet(_sheet_name(labels.title("keys"), taken))
        width: list[int] = []
        for col, text in enumerate((_("Feuille"), _("Libellé"), _("Clé")), start=1):
            _put(keys_sheet, 1, col, text, Kind.TEXT, width)
        for r, values in enumerate(_keys_rows(tables, sheet_names, raw_keys), start=2):
            for col, value in enumerate(values, start=1):
                _put(keys_sheet, r, col, value, Kind.TEXT, width)
        _finish(keys_sheet, width, rtl)
        _properties(wb, report, names, locale)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
