"""CSV ZIP and XLSX exports of the §12 report: labels in the reader's language (keys only in the keys sheet),
formats, CSV dialects, formula guard in CSV, text cells in XLSX, the personal-data notice."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pandas as pd
import pytest

from tests.report_files.reading import csv_files, flatten, same_in_csv, same_in_xlsx, sheets, workbook
from tracker.reports import exporters
from tracker.reports.compute import CELLS
from tracker.reports.exporters import neutralise, to_csv_zip, to_xlsx
from tracker.reports.tables import Names

DANGEROUS = ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "\tx", "\rx", "+212600000000"]
SECTIONS = ("filters", "portfolio", "people", "trainings", "mentoring", "milestones", "indicators", "completeness",
            "trends")


def _report(province="Safi", code="jobs_created") -> dict:
    return {
        "filters": {"cohorts": ["a-cohort", "=b"], "from": dt.date(2026, 1, 1), "to": dt.date(2026, 6, 30),
                    "include_submitted": True, "reference_date": dt.date(2026, 6, 30)},
        "portfolio": {"projects": 3, "by_sector": {"agriculture": 2, "digital": 1}, "by_status": {"active": 3},
                      "by_stage": {"idea": 3}, "by_province": {province: 3}, "women_led": 1, "youth_led": 2},
        "people": {"members": 7, "women": 4, "men": 3, "sex_not_stated": 0, "youth": 5, "young_women": 3,
                   "age_unknown": 1, "leads_women": 1, "leads_men": 2},
        "trainings": {"sessions": 2, "hours": Decimal("6.50"), "participants": 5, "person_hours": Decimal("1234.50"),
                      "attendance_rate": 0.7567, "participants_by_cell": {c: 1 for c in CELLS},
                      "projects_with_business_plan_training": 2},
        "mentoring": {"sessions": 4, "hours": Decimal("1234.25"), "projects_mentored": 2,
                      "median_sessions_per_project": 1.5, "projects_without_session_60d": 1,
                      "open_action_items": 3, "overdue_action_items": 1},
        "milestones": {"planned": 5, "achieved": 2, "achieved_on_time": 1, "late": 1, "dropped": 1,
                       "achievement_rate": 0.5, "by_category": {"funding": {"planned": 2, "achieved": 1}}},
        "indicators": [
            {"code": code, "unit": "count", "kind": "flow", "baseline": Decimal("0"), "target": Decimal("185.00"),
             "actual": Decimal("-4.00"), "progress": -0.4, "projects_reporting": 2,
             "cells": {c: Decimal(i) for i, c in enumerate(CELLS)}},
            {"code": "revenue", "unit": "MAD", "kind": "stock", "baseline": None, "target": None,
             "actual": None, "progress": None, "projects_reporting": 0, "cells": {}},
            {"code": "gross_margin", "unit": "percent", "kind": "stock", "baseline": Decimal("20.00"),
             "target": Decimal("40.00"), "actual": Decimal("27.67"), "progress": 0.3835, "projects_reporting": 3,
             "cells": {}},
        ],
        "completeness": [{"period": "2026-Q1", "owed": 3, "submitted": 2, "approved": 1}],
        "trends": [{"code": code, "unit": "count", "kind": "flow", "baseline": Decimal("0"),
                    "target": Decimal("185.00"),
                    "periods": [{"period": "2026-Q1", "end": dt.date(2026, 3, 31), "value": Decimal("-4.00"),
                                 "cumulative": Decimal("-4.00"), "progress": -0.4, "projects_reporting": 2}]}],
    }


NAMES = Names({"a-cohort": "Cohorte A"}, {"jobs_created": "Emplois créés", "revenue": "Chiffre d'affaires",
                                          "gross_margin": "Marge brute"})


def _keys(report: dict) -> set[str]:
    """Every machine key of the report: section names, §12 keys, dotted paths, codes of enums."""
    out = set(SECTIONS) | {"cover", "key", "value", "code", "unit", "kind", "cells", "flow", "stock", "count",
                           "percent", "hours", "generated_at", "period", "owed", "submitted", "approved"}
    for section in SECTIONS:
        body = report[section]
        rows = body if isinstance(body, list) else [body]
        for row in rows:
            for path in flatten("", row):
                out.add(path)
                out.update(path.split("."))
                out.add(f"{section}.{path}")
    return {k for k in out if not k[:1].isdigit() and k != "MAD"}


@pytest.mark.parametrize("text", DANGEROUS)
def test_neutralise_each_dangerous_prefix(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Safi", "", "a=b", "1-2", 5, -1, Decimal("-2.5"), -0.5, None, dt.date(2026, 1, 1)])
def test_neutralise_leaves_the_rest_alone(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("locale", ["fr", "ar", "en"])
def test_no_section_sheet_nor_csv_header_holds_a_key(app, locale):
    report = _report()
    keys = _keys(report)
    wb = workbook(to_xlsx(report, raw=None, locale=locale, names=NAMES))
    *tables, keys_sheet = wb.worksheets
    for ws in tables:
        assert ws.title not in keys, ws.title
        for row in ws.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and (value in keys or re.search(r"\b[a-z]+_[a-z_]+\b", value))), (
                    locale, ws.title, value)
    assert ws.sheet_view.rightToLeft is (locale == "ar")
    # every key lives in the keys sheet, beside its label
    mapped = {row[2] for row in keys_sheet.iter_rows(min_row=2, values_only=True)}
    assert {"portfolio.by_sector.digital", "people.women", "indicators.jobs_created", "indicators[].actual",
            "trends[].cumulative", "completeness.2026-Q1", "trainings.participants_by_cell.women_youth"} <= mapped
    dialect = ";" if locale in ("fr", "ar") else ","
    for name, rows in csv_files(to_csv_zip(report, locale, names=NAMES), dialect):
        assert not any(cell in keys for cell in rows[0]), (locale, name, rows[0])
        assert not any(row[0] in keys for row in rows[1:] if row), (locale, name)
        assert not re.search(r"[a-z]+_[a-z_]+", name)


def test_labels_counts_amounts_and_rates(app):
    wb = workbook(to_xlsx(_report(), locale="fr", names=NAMES))
    tables = sheets(wb)
    trainings = tables["trainings"].rows
    assert trainings["trainings.sessions"][:2] == ["Sessions de formation", 2]
    assert wb[tables["trainings"].title]["B2"].number_format == "#,##0"
    rate = trainings["trainings.attendance_rate"]
    assert rate[0] == "Taux de présence" and rate[1] == pytest.approx(0.7567)
    ind = tables["indicators"]
    row = ind.rows["indicators.jobs_created"]
    assert row[0] == "Emplois créés" and row[1] == "Nombre" and row[2] == "Flux (somme des périodes)"
    assert row[ind.columns["indicators[].target"]] == 185 and isinstance(row[ind.columns["indicators[].target"]], int)
    margin = ind.rows["indicators.gross_margin"]
    assert margin[3] == "Moyenne des projets" and margin[ind.columns["indicators[].projects_reporting"]] == 3
    ws = wb[ind.title]
    formats = {c.value: c for c in ws[1]}
    column = {v: formats[v].column_letter for v in formats}
    assert ws[f"{column['Cible']}2"].number_format == "#,##0"  # a count: no decimals ("185", never "185.00")
    assert ws[f"{column['Progression']}2"].number_format == "0.0%"
    assert ws[f"{column['Réalisé']}4"].number_format == '0.0" %"'  # a percentage indicator
    # the CSV prints what the XLSX shows: "185", "1234,50", rates in per cent with one decimal
    files = dict(csv_files(to_csv_zip(_report(), "fr", names=NAMES), ";"))
    by_name = {name.split("-", 1)[1]: rows for name, rows in files.items()}
    assert ["Taux de présence (%)", "75,7"] in by_name["formations.csv"]
    assert ["Heures-participants", "1234,50"] in by_name["formations.csv"]
    assert by_name["indicateurs.csv"][1][6] == "185"


def test_french_csv_opens_in_pandas_with_numbers_as_numbers(app):
    data = to_csv_zip(_report(), "fr", names=NAMES)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        for name in names[1:]:  # every section after the filters: only numbers beside the labels
            frame = pd.read_csv(io.BytesIO(archive.read(name)), sep=";", decimal=",", encoding="utf-8-sig")
            assert frame.shape[1] >= 2, name
            numeric = frame.select_dtypes("number")
            text_columns = [c for c in frame.columns if c not in numeric.columns]
            for column in text_columns:  # labels, units, kinds, periods: never a number held as text
                assert not frame[column].dropna().astype(str).str.fullmatch(r"-?\d+([.,]\d+)?").any(), (name, column)
        people = pd.read_csv(io.BytesIO(archive.read(names[2])), sep=";", decimal=",", encoding="utf-8-sig")
        indicators = pd.read_csv(io.BytesIO(archive.read(names[6])), sep=";", decimal=",", encoding="utf-8-sig")
    assert people.iloc[:, 1].tolist() == [7, 4, 3, 0, 5, 3, 1, 1, 2]
    assert indicators["Réalisé"].tolist()[0] == -4.0 and pd.isna(indicators["Réalisé"].tolist()[1])
    assert indicators["Progression (%)"].tolist()[0] == -40.0


@pytest.mark.parametrize(("locale", "dialect", "sep", "mark"), [
    ("fr", None, ";", ","), ("ar", None, ";", ","), ("en", None, ",", "."),
    ("fr", "excel-en", ",", "."), ("en", "excel-fr", ";", ","),
])
def test_csv_dialect_follows_the_locale_unless_asked(app, locale, dialect, sep, mark):
    files = csv_files(to_csv_zip(_report(), locale, dialect, NAMES), sep)
    assert len(files) == 9
    trainings = dict((row[0], row[1]) for row in files[3][1][1:])
    hours = next(v for k, v in trainings.items() if k and "6" in v)
    assert hours == f"6{mark}50"
    assert all(len(row) == len(rows[0]) for _, rows in files for row in rows)  # never one column only


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_keeps_its_formula_guard(app, text):
    names = Names({}, {text: text})
    files = csv_files(to_csv_zip(_report(province=text, code=text), "fr", names=names), ";")
    portfolio, indicators = files[1][1], files[6][1]
    assert ["Par province — " + text, "3"] in portfolio  # the label starts with "Par": harmless as it is
    assert indicators[1][0] == "'" + text
    assert [files[0][1][1][0], files[0][1][2][1]] == ["Cohorte", "'=b"]


@pytest.mark.parametrize("text", DANGEROUS)
def test_xlsx_text_cells_have_no_apostrophe_and_never_run(app, text):
    names = Names({}, {text: text})
    wb = workbook(to_xlsx(_report(province=text, code=text), locale="fr", names=names))
    tables = sheets(wb)
    ws = wb[tables["indicators"].title]
    cell = ws["A2"]
    # XML turns a bare carriage return into a line feed on reading
    assert cell.value in (text, text.replace("\r", "\n")) and cell.data_type == "s"
    assert cell.quotePrefix  # stays text if edited in a spreadsheet
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate, c.value)
                assert not (isinstance(c.value, str) and c.value.startswith("'")), (sheet.title, c.value)
    cohorts = [r[1] for r in wb.worksheets[0].iter_rows(values_only=True) if r[0] == "Cohorte"]
    assert cohorts == ["a-cohort", "=b"]  # as typed: a text cell, not a formula


def test_hyperlink_project_name_is_a_text_cell_in_the_saved_file(app):
    """Read the sheet's XML itself: the name is stored as a string, with no <f> formula element."""
    from tests.report_files.test_raw import Known  # noqa: F401 (documentation of where raw names come from)

    text = '=HYPERLINK("http://example.org","clic")'
    frame = pd.DataFrame([[1, text, "+212600000001", "-Amal"]], columns=["project_id", "name", "phone", "full_name"],
                         dtype=object)
    data = to_xlsx(_report(), raw={"members": frame}, locale="fr", names=NAMES)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "HYPERLINK" in xml
    wb = workbook(data)
    raw = sheets(wb)["raw.members"]
    ws = wb[raw.title]
    values = {key: ws.cell(row=2, column=col + 1) for key, col in raw.columns.items()}
    assert values["raw.members.name"].value == text and values["raw.members.name"].data_type == "s"
    assert values["raw.members.phone"].value == "+212600000001"  # read as typed, no apostrophe
    assert values["raw.members.full_name"].value == "-Amal"
    assert [c.value for c in ws[1]] == ["N° interne du projet", "Nom", "Téléphone", "Nom complet"]


@pytest.mark.parametrize("locale", ["fr", "ar", "en"])
def test_personal_data_notice_on_the_cover_and_in_the_properties(app, locale):
    wb = workbook(to_xlsx(_report(), locale=locale, names=NAMES))
    cover = [c for row in wb.worksheets[0].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("09-08" in line for line in cover[:3])
    assert "09-08" in wb.properties.subject and "09-08" in wb.properties.description
    assert "09-08" in wb.properties.keywords and wb.properties.language == locale


def test_xlsx_figures_equal_the_report_cell_by_cell(app):
    report = _report()
    tables = sheets(workbook(to_xlsx(report, generated_at=dt.datetime(2026, 7, 1, 9, 30), locale="en", names=NAMES)))
    from tests.report_files.reading import json_value

    checked = 0
    for section in ("portfolio", "people", "trainings", "mentoring", "milestones"):
        for key, row in tables[section].rows.items():
            assert same_in_xlsx(_plain(json_value(report, key)), row[1]), (key, row)
            checked += 1
    for section in ("indicators", "completeness", "trends"):
        sheet = tables[section]
        for row_key, row in sheet.rows.items():
            for column_key, index in sheet.columns.items():
                value = json_value(report, row_key, column_key)
                if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                    assert same_in_xlsx(_plain(value), row[index]), (row_key, column_key, row[index])
                    checked += 1
    assert checked > 60


def test_csv_figures_equal_the_report_rounded_as_shown(app):
    report = _report()
    rows = csv_files(to_csv_zip(report, "fr", names=NAMES), ";")
    assert same_in_csv(0.7567, dict(rows[3][1][1:])["Taux de présence (%)"], ",", rate=True)
    assert same_in_csv(Decimal("1234.25"), dict(rows[4][1][1:])["Heures de mentorat"], ",", rate=False)
    assert same_in_csv(1.5, dict(rows[4][1][1:])["Séances par projet (médiane)"], ",", rate=False)


def _plain(value):
    """A report value as the JSON gives it (decimals as strings, dates ISO)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def test_raw_sheets_above_excel_row_limit_go_on_over_numbered_sheets(app, monkeypatch):
    """Issue 20: a raw sheet never passes Excel's row limit (here lowered to 2 rows); the cover says so."""
    from openpyxl import load_workbook

    from tracker.reports.frames import frame

    monkeypatch.setattr(exporters, "RAW_ROWS_PER_SHEET", 2)
    members = frame([(n, n % 2 == 0) for n in range(5)], ["member_id", "is_lead"])
    projects = frame([(1,)], ["project_id"])
    with app.test_request_context():
        data = exporters.to_xlsx(_report(), raw={"members": members, "projects": projects}, locale="fr")
    wb = load_workbook(io.BytesIO(data))
    member_sheets = [ws for ws in wb.worksheets if ws.title.startswith("Données — membres")]
    assert [ws.max_row for ws in member_sheets] == [3, 3, 2]  # header + 2, header + 2, header + 1
    assert [ws.cell(row=2, column=1).value for ws in member_sheets] == [0, 2, 4]
    cover = "\n".join(str(c.value) for row in wb.worksheets[0].iter_rows() for c in row if c.value)
    assert "limite d'Excel" in cover and "3 feuilles" in cover
    assert "limite d'Excel" not in "".join(str(c.value) for c in wb.worksheets[0]["A"][:3])
