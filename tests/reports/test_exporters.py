"""CSV ZIP and XLSX exports of the §12 report: shape, BOM, formats and formula neutralisation."""

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tracker.reports import exporters
from tracker.reports.compute import CELLS
from tracker.reports.exporters import neutralise, to_csv_zip, to_xlsx

DANGEROUS = ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\tx", "\rx", "+212600000000"]


def _report(province="Safi", code="jobs_created") -> dict:
    return {
        "filters": {"cohorts": ["a-cohort", "=b"], "from": dt.date(2026, 1, 1), "to": dt.date(2026, 6, 30),
                    "include_submitted": True, "reference_date": dt.date(2026, 6, 30)},
        "portfolio": {"projects": 3, "by_sector": {"agri": 2, "tech": 1}, "by_status": {"active": 3},
                      "by_stage": {"idea": 3}, "by_province": {province: 3}, "women_led": 1, "youth_led": 2},
        "people": {"members": 7, "women": 4, "men": 3, "sex_not_stated": 0, "youth": 5, "young_women": 3,
                   "age_unknown": 1, "leads_women": 1, "leads_men": 2},
        "trainings": {"sessions": 2, "hours": Decimal("6.50"), "participants": 5, "person_hours": Decimal("20.00"),
                      "attendance_rate": 0.75, "participants_by_cell": {c: 1 for c in CELLS},
                      "projects_with_business_plan_training": 2},
        "mentoring": {"sessions": 4, "hours": Decimal("1234.25"), "projects_mentored": 2,
                      "median_sessions_per_project": 1.5, "projects_without_session_60d": 1,
                      "open_action_items": 3, "overdue_action_items": 1},
        "milestones": {"planned": 5, "achieved": 2, "achieved_on_time": 1, "late": 1, "dropped": 1,
                       "achievement_rate": 0.5, "by_category": {"sales": {"planned": 2, "achieved": 1}}},
        "indicators": [
            {"code": code, "unit": "count", "kind": "flow", "baseline": Decimal("0"), "target": Decimal("10"),
             "actual": Decimal("-4.00"), "progress": -0.4, "cells": {c: Decimal(i) for i, c in enumerate(CELLS)}},
            {"code": "revenue", "unit": "mad", "kind": "stock", "baseline": None, "target": None,
             "actual": None, "progress": None, "cells": {}},
        ],
        "completeness": [{"period": "2026-Q1", "owed": 3, "submitted": 2, "approved": 1}],
    }


def _csv(data: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        out = {}
        for name in archive.namelist():
            raw = archive.read(name)
            assert raw.startswith(b"\xef\xbb\xbf"), name
            out[name] = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        return out


def _xlsx(data: bytes):
    return load_workbook(io.BytesIO(data))


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_each_dangerous_prefix(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Safi", "", "a=b", "1-2", 5, -1, Decimal("-2.5"), -0.5, None, dt.date(2026, 1, 1)])
def test_neutralise_leaves_the_rest_alone(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_neutralises_text_cells(text):
    files = _csv(to_csv_zip(_report(province=text, code=text)))
    # a province is the tail of a flattened key, which starts with "by_": harmless as it is
    assert ["by_province." + text, "3"] in files["portfolio.csv"]
    assert files["indicators.csv"][1][0] == "'" + text
    assert ["cohorts", "'=b"] in files["filters.csv"]
    # numbers are not text: the negative actual and progress stay numbers
    assert files["indicators.csv"][1][5:7] == ["-4.00", "-0.4"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_xlsx_neutralises_text_cells(text):
    wb = _xlsx(to_xlsx(_report(code=text)))
    ws = wb["indicators"]
    # XML turns a bare carriage return into a line feed on reading; the apostrophe is what matters
    assert ws["A2"].value in ("'" + text, "'" + text.replace("\r", "\n"))
    assert ws["A2"].data_type == "s"
    assert ws["F2"].value == Decimal("-4") or ws["F2"].value == -4
    assert ws["F2"].data_type == "n"
    cover = {r[0]: r[1] for r in wb["cover"].iter_rows(min_row=2, values_only=True) if r[0] != "cohorts"}
    cohorts = [r[1] for r in wb["cover"].iter_rows(min_row=2, values_only=True) if r[0] == "cohorts"]
    assert cohorts == ["a-cohort", "'=b"]
    assert cover["include_submitted"] is True


def test_text_keys_are_neutralised_too():
    # a province name is a key of by_province; in the long shape it is the tail of the key column
    report = _report()
    report["portfolio"]["by_province"] = {"x": 1}
    report["portfolio"]["by_sector"] = {}
    report["milestones"]["by_category"] = {}
    report["people"] = {"=cmd": 1}
    files = _csv(to_csv_zip(report))
    assert files["people.csv"][1] == ["'=cmd", "1"]
    assert _xlsx(to_xlsx(report))["people"]["A2"].value == "'=cmd"


def test_csv_zip_shape():
    files = _csv(to_csv_zip(_report()))
    assert sorted(files) == sorted(exporters.CSV_FILES)
    for name in ("filters.csv", "portfolio.csv", "people.csv", "trainings.csv", "mentoring.csv", "milestones.csv"):
        assert files[name][0] == ["key", "value"], name
    assert files["filters.csv"][1:] == [["cohorts", "a-cohort"], ["cohorts", "'=b"], ["from", "2026-01-01"],
                                        ["to", "2026-06-30"], ["include_submitted", "true"],
                                        ["reference_date", "2026-06-30"]]
    trainings = dict(files["trainings.csv"][1:])
    assert trainings["hours"] == "6.50" and trainings["attendance_rate"] == "0.75"
    assert trainings["participants_by_cell.women_youth"] == "1"
    assert dict(files["milestones.csv"][1:])["by_category.sales.planned"] == "2"
    assert files["indicators.csv"][0] == list(exporters.INDICATOR_COLUMNS)
    assert files["indicators.csv"][2] == ["revenue", "mad", "stock", "", "", "", ""] + [""] * len(CELLS)
    assert files["completeness.csv"] == [["period", "owed", "submitted", "approved"], ["2026-Q1", "3", "2", "1"]]


def test_xlsx_sheets_frozen_headers_and_formats():
    wb = _xlsx(to_xlsx(_report(), generated_at=dt.datetime(2026, 7, 1, 9, 30, 15)))
    assert wb.sheetnames == ["cover", "portfolio", "people", "trainings", "mentoring", "milestones",
                             "indicators", "completeness"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.column_dimensions["A"].width >= 10
    cover = {r[0].value: r[1:] for r in wb["cover"].iter_rows(min_row=2)}
    assert cover["from"][0].value == dt.datetime(2026, 1, 1)
    assert cover["from"][0].number_format == "yyyy-mm-dd"
    assert cover["generated_at"][0].value == dt.datetime(2026, 7, 1, 9, 30, 15)
    assert cover["generated_at"][0].number_format == "yyyy-mm-dd hh:mm"
    trainings = {r[0].value: r[1] for r in wb["trainings"].iter_rows(min_row=2)}
    assert trainings["sessions"].value == 2 and trainings["sessions"].number_format == "0"
    assert trainings["hours"].value == 6.5 and trainings["hours"].number_format == "#,##0.00"
    assert trainings["attendance_rate"].value == 0.75 and trainings["attendance_rate"].number_format == "0.0%"
    mentoring = {r[0].value: r[1] for r in wb["mentoring"].iter_rows(min_row=2)}
    assert mentoring["median_sessions_per_project"].number_format == "0.0"
    ind = wb["indicators"]
    header = [c.value for c in ind[1]]
    assert header == list(exporters.INDICATOR_COLUMNS)
    row = dict(zip(header, ind[2], strict=True))
    assert row["target"].value == 10 and row["target"].number_format == "#,##0.00"
    assert row["progress"].value == -0.4 and row["progress"].number_format == "0.0%"
    assert row["cells.men_other"].value == 3
    empty = dict(zip(header, ind[3], strict=True))
    assert empty["actual"].value is None and empty["cells.women_youth"].value is None
    comp = wb["completeness"]
    assert [c.value for c in comp[2]] == ["2026-Q1", 3, 2, 1]
    assert comp["B2"].number_format == "0"
