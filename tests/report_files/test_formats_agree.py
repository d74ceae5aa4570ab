"""One report, five readings: for the demo cohort, a window cutting the first period and "include submitted
values" off and on, the JSON download, the XLSX section sheets, the CSV files, the PDF text and the screen
page (`data-metric` / `data-value` cells, see tracker/reports/views.py) all give the same figures."""

import csv
import datetime as dt
import io
import json
import re
import zipfile

import pytest
import sqlalchemy as sa
from flask import url_for
from lxml import html
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.reports.test_cli import _flatten, _same
from tracker.cohorts.models import Cohort
from tracker.extensions import db
from tracker.reports.exporters import COMPLETENESS_COLUMNS, INDICATOR_COLUMNS, SCALAR_SECTIONS

DEMO_SLUG = "innov-impact-demo-safi"
# figures the screen must show (besides every indicator's actual and every period's counts)
KEY_FIGURES = ("portfolio.projects", "portfolio.women_led", "portfolio.youth_led", "people.members",
               "people.women", "people.youth", "trainings.sessions", "trainings.participants", "mentoring.sessions",
               "milestones.achieved", "milestones.late")
# small counts printed as they are in every locale; the PDF text must contain each of them
PDF_FIGURES = ("portfolio.projects", "people.members", "trainings.sessions", "mentoring.sessions",
               "milestones.planned", "milestones.achieved")


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo", "load", "--password", "x-long-password"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(sa.select(Cohort).where(Cohort.slug == DEMO_SLUG))


def _download(app, client, endpoint, **kwargs):
    with app.test_request_context():
        url = url_for(endpoint, **kwargs)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def _metric(report: dict, path: str):
    """The JSON value at a screen `data-metric` path (indicators by code, completeness by period)."""
    section, *rest = path.split(".")
    node = report[section]
    if section in ("indicators", "completeness"):
        key = "code" if section == "indicators" else "period"
        node = next(row for row in node if row[key] == rest[0])
        rest = rest[1:]
    for part in rest:
        node = node[part]
    return node


def _screen(page: bytes) -> dict[str, str]:
    tree = html.fromstring(page)
    shown: dict[str, str] = {}
    for element in tree.xpath("//*[@data-metric]"):
        metric, value = element.get("data-metric"), element.get("data-value")
        assert shown.setdefault(metric, value) == value, f"{metric} shown with two values"
    return shown


def _csv_files(data: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"), newline="")))
                for name in archive.namelist()}


@pytest.mark.parametrize("submitted", [False, True], ids=["approved-only", "with-submitted"])
def test_every_format_gives_the_same_figures(app, demo, login_as, submitted):
    client = login_as("manager")
    today = dt.date.today()
    args = {"cohort": demo.id, "from": (demo.start_date + dt.timedelta(days=30)).isoformat(), "to": today.isoformat()}
    if submitted:
        args["submitted"] = "1"

    report = json.loads(_download(app, client, "report_files.cohort_file", fmt="json", **args).data)
    assert report["filters"] == {"cohorts": [DEMO_SLUG], "from": args["from"], "to": args["to"],
                                 "include_submitted": submitted, "reference_date": args["to"]}
    assert report["portfolio"]["projects"] == 32
    wb = load_workbook(io.BytesIO(_download(app, client, "report_files.cohort_file", fmt="xlsx", **args).data))
    files = _csv_files(_download(app, client, "report_files.cohort_file", fmt="csv", **args).data)
    pdf = PdfReader(io.BytesIO(_download(app, client, "report_files.cohort_file", fmt="pdf", **args).data))
    screen = _screen(_download(app, client, "reports.cohort_report", **args).data)

    checked = 0
    # scalar sections: XLSX and CSV long tables, key for key
    for section in SCALAR_SECTIONS:
        expected = _flatten("", report[section], {})
        from_csv = dict(files[f"{section}.csv"][1:])
        from_xlsx = {row[0]: row[1] for row in wb[section].iter_rows(min_row=2, values_only=True)}
        assert list(expected) == list(from_csv) == list(from_xlsx), section
        for key, value in expected.items():
            assert _same(value, from_csv[key]) and _same(value, from_xlsx[key]), (section, key, value)
            checked += 1

    # indicators and completeness tables
    for section, columns in (("indicators", INDICATOR_COLUMNS), ("completeness", COMPLETENESS_COLUMNS)):
        csv_rows = files[f"{section}.csv"][1:]
        xlsx_rows = list(wb[section].iter_rows(min_row=2, values_only=True))
        assert len(report[section]) == len(csv_rows) == len(xlsx_rows) > 0
        for row, csv_row, xlsx_row in zip(report[section], csv_rows, xlsx_rows, strict=True):
            flat = _flatten("", row, {})
            for col, key in enumerate(columns):
                value = flat.get(key)
                assert _same(value, csv_row[col]) and _same(value, xlsx_row[col]), (section, key, value)
                checked += 1

    # the include-submitted option is stated in every file and on the page
    cover = {row[0]: row[1] for row in wb["cover"].iter_rows(min_row=2, values_only=True)}
    assert cover["include_submitted"] is submitted
    assert ["include_submitted", str(submitted).lower()] in files["filters.csv"]
    assert screen["filters.include_submitted"] == str(submitted).lower()

    # the screen: every figure it shows equals the JSON one, and the key ones are all there
    assert screen["filters.cohorts"] == DEMO_SLUG
    must_show = set(KEY_FIGURES)
    must_show |= {f"indicators.{i['code']}.actual" for i in report["indicators"]}
    must_show |= {f"completeness.{c['period']}.{k}" for c in report["completeness"] for k in ("owed", "approved")}
    assert must_show <= set(screen), sorted(must_show - set(screen))
    for metric, value in screen.items():
        if metric == "filters.cohorts":
            continue
        assert _same(_metric(report, metric), value), (metric, value)
        checked += 1

    # the PDF text: the key counts appear as numbers
    text = " ".join(page.extract_text() for page in pdf.pages)
    numbers = set(re.findall(r"\d+", text))
    for metric in PDF_FIGURES:
        assert str(_metric(report, metric)) in numbers, (metric, _metric(report, metric))
    assert checked > 100
