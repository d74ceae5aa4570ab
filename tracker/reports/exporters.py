"""The cohort report (`services.cohort_report`, DESIGN §12) as CSV (a ZIP) and XLSX files.

Both are built from the same dict, so their figures are those of the JSON form; the column names are
the §12 keys (machine-stable, not translated).

CSV shape — one UTF-8-with-BOM file per section in a ZIP:
- filters.csv, portfolio.csv, people.csv, trainings.csv, mentoring.csv, milestones.csv: long
  "key,value" tables; nested maps are flattened with dots (`by_sector.agri`,
  `by_category.training.planned`); the cohort slugs of filters.csv are one `cohorts` row each;
- indicators.csv: one row per indicator (code, unit, kind, baseline, target, actual, progress, then
  one `cells.<cell>` column per §12 cell, empty when the indicator is not disaggregated);
- completeness.csv: one row per period (period, owed, submitted, approved).
Values are written as in the JSON: decimals exactly ("12.50"), rates as fractions, dates ISO,
booleans true/false, null as an empty cell.

XLSX raw data sheets (`raw.raw_frames`: projects, members, attendance, sessions without staff notes,
action items, milestones, targets, indicator values) follow the section sheets, named `raw_<name>`.
They hold personal data, so they are in the XLSX only: the CSV ZIP keeps to the sections (the
download of an XLSX is audited as personal data).

Every text cell starting with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with an
apostrophe (`neutralise`) in both formats, so spreadsheet programs never read it as a formula.
Numbers are not text: a negative figure stays a number.
"""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from tracker.reports.compute import CELLS

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SCALAR_SECTIONS = ("portfolio", "people", "trainings", "mentoring", "milestones")
INDICATOR_COLUMNS = ("code", "unit", "kind", "baseline", "target", "actual", "progress",
                     *(f"cells.{c}" for c in CELLS))
COMPLETENESS_COLUMNS = ("period", "owed", "submitted", "approved")
CSV_FILES = ("filters.csv", *(f"{s}.csv" for s in SCALAR_SECTIONS), "indicators.csv", "completeness.csv")
RATE_KEYS = ("progress", "attendance_rate", "achievement_rate")

FORMAT_INTEGER = "0"
FORMAT_AMOUNT = "#,##0.00"
FORMAT_RATE = "0.0%"
FORMAT_FLOAT = "0.0"
FORMAT_DATE = "yyyy-mm-dd"
FORMAT_DATETIME = "yyyy-mm-dd hh:mm"
BOM = "\ufeff"


def neutralise(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; anything else as is."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


# ---------------------------------------------------------------- rows shared by both formats

def _flatten(prefix: str, value) -> list[tuple[str, object]]:
    if isinstance(value, dict):
        out = []
        for key, sub in value.items():
            out.extend(_flatten(f"{prefix}.{key}" if prefix else str(key), sub))
        return out
    return [(prefix, value)]


def _filter_rows(filters: dict) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [("cohorts", slug) for slug in filters.get("cohorts", [])]
    rows += [(k, v) for k, v in filters.items() if k != "cohorts"]
    return rows


def _indicator_rows(indicators: list[dict]) -> list[list]:
    rows = []
    for ind in indicators:
        cells = ind.get("cells") or {}
        rows.append([ind.get(k) for k in INDICATOR_COLUMNS[:7]] + [cells.get(c) for c in CELLS])
    return rows


def _completeness_rows(completeness: list[dict]) -> list[list]:
    return [[row.get(k) for k in COMPLETENESS_COLUMNS] for row in completeness]


def sections(report: dict) -> dict[str, tuple[tuple[str, ...], list[list]]]:
    """Each section as (header, rows), in §12 order; values still typed (int, Decimal, float, date)."""
    out = {"filters": (("key", "value"), [list(r) for r in _filter_rows(report["filters"])])}
    for name in SCALAR_SECTIONS:
        out[name] = (("key", "value"), [list(r) for r in _flatten("", report[name])])
    out["indicators"] = (INDICATOR_COLUMNS, _indicator_rows(report["indicators"]))
    out["completeness"] = (COMPLETENESS_COLUMNS, _completeness_rows(report["completeness"]))
    return out


# ---------------------------------------------------------------- CSV

def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return neutralise(str(value))


def to_csv_zip(report: dict) -> bytes:
    """A ZIP holding one UTF-8-with-BOM CSV per section (shape in the module docstring)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (header, rows) in sections(report).items():
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow([neutralise(h) for h in header])
            for row in rows:
                writer.writerow([_csv_text(v) for v in row])
            archive.writestr(f"{name}.csv", (BOM + text.getvalue()).encode("utf-8"))
    return buffer.getvalue()


# ---------------------------------------------------------------- XLSX

def _is_rate(key: str) -> bool:
    return key in RATE_KEYS or key.endswith("_rate")


def _number_format(key: str, value) -> str | None:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, int):
        return FORMAT_INTEGER
    if isinstance(value, Decimal):
        return FORMAT_AMOUNT
    if isinstance(value, float):
        return FORMAT_RATE if _is_rate(key) else FORMAT_FLOAT
    if isinstance(value, dt.datetime):
        return FORMAT_DATETIME
    if isinstance(value, dt.date):
        return FORMAT_DATE
    return None


def _write_cell(ws, row: int, col: int, key: str, value, width: list[int]) -> None:
    if isinstance(value, str):
        value = neutralise(value)
    cell = ws.cell(row=row, column=col, value=value)
    fmt = _number_format(key, value)
    if fmt:
        cell.number_format = fmt
    shown = len(value) if isinstance(value, str) else (10 if isinstance(value, dt.date) else len(str(value)))
    width[col - 1] = max(width[col - 1], shown)


def _write_table(ws, header: tuple[str, ...], rows: list[list], long_shape: bool) -> None:
    width = [len(h) for h in header]
    for col, title in enumerate(header, start=1):
        ws.cell(row=1, column=col, value=neutralise(title))
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            # the key drives the format: the row's key in the long shape, else the column's name
            key = values[0] if long_shape else header[col - 1]
            _write_cell(ws, r, col, str(key).rsplit(".", 1)[-1], value, width)
    for col, w in enumerate(width, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(w + 2, 10), 60)
    ws.freeze_panes = "A2"


def _write_frame(ws, df) -> None:
    """A raw sheet: header from the frame's columns, formats by value type (never by key: a raw Decimal
    is an amount, an int a count), frozen header, widths from the longest cell."""
    header = [str(c) for c in df.columns]
    width = [len(h) for h in header]
    for col, title in enumerate(header, start=1):
        ws.cell(row=1, column=col, value=neutralise(title))
    for r, values in enumerate(df.itertuples(index=False, name=None), start=2):
        for col, value in enumerate(values, start=1):
            if value is None or isinstance(value, bool):
                ws.cell(row=r, column=col, value=value)
                continue
            _write_cell(ws, r, col, "", value, width)
    for col, w in enumerate(width, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(max(w + 2, 8), 60)
    ws.freeze_panes = "A2"


def to_xlsx(report: dict, generated_at: dt.datetime | None = None, raw: dict | None = None) -> bytes:
    """A workbook: a `cover` sheet (filters and generation date), then one sheet per §12 section named
    after its key, each with a frozen header row, number/date formats and column widths; then, when
    `raw` ({name: DataFrame}, see `raw.raw_frames`) is given, one `raw_<name>` sheet per frame."""
    generated_at = (generated_at or dt.datetime.now()).replace(microsecond=0, tzinfo=None)
    parts = sections(report)
    wb = Workbook()
    cover = wb.active
    cover.title = "cover"
    header, rows = parts["filters"]
    _write_table(cover, header, [*rows, ["generated_at", generated_at]], long_shape=True)
    for name, (header, rows) in parts.items():
        if name == "filters":
            continue
        _write_table(wb.create_sheet(name), header, rows, long_shape=name in SCALAR_SECTIONS)
    for name, df in (raw or {}).items():
        _write_frame(wb.create_sheet(f"raw_{name}"), df)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
