"""Reading the report files back as a reader would, and comparing them with the JSON (§12) figures.

The XLSX says which §12 key each label stands for in its last sheet ("keys": sheet, label, key); that is the
only place the tests learn the keys of the section sheets, whose cells hold labels. The CSV files hold the
same tables, in the same order, as the XLSX sheets that follow the cover.
"""

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from openpyxl import load_workbook

RATE_FIELDS = ("progress",)


def is_rate(key: str) -> bool:
    leaf = key.rsplit(".", 1)[-1]
    return leaf.endswith("_rate") or leaf in RATE_FIELDS


def flatten(prefix, value, out=None) -> dict:
    out = {} if out is None else out
    if isinstance(value, dict):
        for key, sub in value.items():
            flatten(f"{prefix}.{key}" if prefix else key, sub, out)
    else:
        out[prefix] = value
    return out


def csv_files(data: bytes, delimiter: str) -> list[tuple[str, list[list[str]]]]:
    """The CSV files of the ZIP in order: (name, rows); each must start with a UTF-8 BOM."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            raw = archive.read(name)
            assert raw.startswith(b"\xef\xbb\xbf"), name
            out.append((name, list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""),
                                              delimiter=delimiter))))
    return out


@dataclass
class Sheet:
    section: str
    title: str
    header: list = field(default_factory=list)  # labels of the first row of the table
    columns: dict = field(default_factory=dict)  # column key -> index
    rows: dict = field(default_factory=dict)  # row key -> values of that row (label first)


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def sheets(wb) -> dict[str, Sheet]:
    """Every table of the workbook by section key, its rows by §12 key (through the keys sheet)."""
    keys = list(wb.worksheets[-1].iter_rows(min_row=2, values_only=True))
    by_title: dict[str, Sheet] = {}
    for title, label, key in keys:
        if not label:
            by_title[title] = Sheet(key, title)
    out = {}
    for title, sheet in by_title.items():
        ws = wb[title]
        values = [list(r) for r in ws.iter_rows(values_only=True)]
        entries = [(label, key) for t, label, key in keys if t == title and label]
        column_keys = [(label, key) for label, key in entries if "[]" in key]
        row_keys = [(label, key) for label, key in entries if "[]" not in key]
        position = 0
        if column_keys or sheet.section.startswith("raw."):
            sheet.header = values[0]
            for label, key in column_keys:
                sheet.columns[key] = sheet.header.index(label)
            position = 1
        for label, key in row_keys:
            if sheet.section.startswith("raw."):
                sheet.columns[key] = values[0].index(label)
                continue
            while position < len(values) and values[position][0] != label:
                position += 1
            assert position < len(values), (title, label, key)
            sheet.rows[key] = values[position]
            position += 1
        out[sheet.section] = sheet
    return out


def json_value(report: dict, row_key: str, column_key: str | None = None):
    """The §12 value a table cell stands for: a path for the long tables; for the table sections the row's
    id (indicator code, period label, trend code and period) and the column's field."""
    section, _, rest = row_key.partition(".")
    if section in ("indicators", "completeness"):
        id_key = "code" if section == "indicators" else "period"
        row = next(r for r in report[section] if r[id_key] == rest)
        return flatten("", row).get(column_key.split("[].", 1)[1])  # unit, kind, aggregation: labels
    if section == "trends":
        trend = next(t for t in report["trends"] if rest.startswith(t["code"] + "."))
        period = next(p for p in trend["periods"] if p["period"] == rest[len(trend["code"]) + 1:])
        field_name = column_key.split("[].", 1)[1]
        return trend.get(field_name) if field_name in ("target", "code") else period.get(field_name)
    if section == "generated_at":
        return None
    node = report[section]
    for part in rest.split("."):
        node = node[part]
    return node


def same_in_xlsx(json_value, cell) -> bool:
    """A JSON figure (int, "12.50" decimal string, float rate, ISO date, bool, null) equals an XLSX cell."""
    if json_value is None:
        return cell is None
    if isinstance(json_value, bool):
        return cell is json_value
    if isinstance(json_value, int):
        return cell == json_value and isinstance(cell, int)
    if isinstance(json_value, float):
        return cell == pytest.approx(json_value, rel=1e-15)
    if isinstance(json_value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", json_value):
        return isinstance(cell, dt.datetime) and cell.date().isoformat() == json_value
    if isinstance(json_value, str):
        try:
            return Decimal(json_value) == Decimal(str(cell))
        except ArithmeticError:
            return cell == json_value
    return cell == json_value


def csv_number(text: str, decimal: str) -> Decimal:
    assert re.fullmatch(r"-?\d+(" + re.escape(decimal) + r"\d+)?", text), text  # no grouping, the dialect's mark
    return Decimal(text.replace(decimal, "."))


def same_in_csv(json_value, text: str, decimal: str, rate: bool) -> bool:
    """A JSON figure equals a CSV cell as shown: rates in per cent, numbers rounded to the digits written."""
    if json_value is None:
        return text == ""
    if isinstance(json_value, bool):
        return text in ("Oui", "Non", "Yes", "No", "نعم", "لا") and bool(text in ("Oui", "Yes", "نعم")) is json_value
    if isinstance(json_value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", json_value):
        return text == json_value
    if isinstance(json_value, int):
        return text == str(json_value)
    number = csv_number(text, decimal)
    expected = Decimal(str(json_value)) * (100 if rate else 1)
    digits = -number.as_tuple().exponent
    return abs(number - expected) <= Decimal(5).scaleb(-digits - 1) + Decimal("1e-9")
