"""One report, five readings: for the demo cohort, a window cutting the first period and "include submitted
values" off and on, the JSON download, the XLSX section sheets, the CSV files, the PDF text and the screen
page (`data-metric` / `data-value` cells, see tracker/reports/views.py) all give the same figures — the
trends of every indicator included — and the PDF's per-project annex adds up to the report's figures."""

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import url_for
from flask_babel import force_locale
from lxml import html
from pypdf import PdfReader

from tests.report_files.reading import csv_files, is_rate, same_in_xlsx, workbook
from tests.reports.test_cli import compare_files
from tracker.cohorts.models import Cohort
from tracker.core.formatting import Kind, figure, text
from tracker.core.period_names import period_name
from tracker.extensions import db
from tracker.reports import annex
from tracker.reports.services import cohort_report_and_rows

DEMO_SLUG = "innov-impact-demo-safi"
# figures the screen must show (besides every indicator's actual, every period's counts and every trend)
KEY_FIGURES = ("portfolio.projects", "portfolio.women_led", "portfolio.youth_led", "people.members",
               "people.women", "people.youth", "trainings.sessions", "trainings.participants", "mentoring.sessions",
               "milestones.achieved", "milestones.late")
# small counts printed as they are in every locale; the PDF text must contain each of them
PDF_FIGURES = ("portfolio.projects", "people.members", "trainings.sessions", "mentoring.sessions",
               "milestones.planned", "milestones.achieved")
TREND_FIELDS = ("value", "cumulative", "progress", "projects_reporting")


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
    """The JSON value at a screen `data-metric` path (indicators by code, completeness by period, trends by
    code and period)."""
    section, *rest = path.split(".")
    node = report[section]
    if section == "trends":
        trend = next(t for t in node if t["code"] == rest[0])
        return next(p for p in trend["periods"] if p["period"] == rest[1])[rest[2]]
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


def _same_on_screen(json_value, value: str) -> bool:
    if json_value is None:
        return value == ""
    if isinstance(json_value, bool):
        return value == str(json_value).lower()
    if isinstance(json_value, float):
        return float(value) == json_value
    return value == str(json_value)


def _pdf_text(data: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    pages = [re.sub("[\u2068\u2069\u200e\u200f]", "", p.extract_text()).replace("\u202f", " ").replace("\xa0", " ")
             for p in reader.pages]
    return reader, pages


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
    wb = workbook(_download(app, client, "report_files.cohort_file", fmt="xlsx", **args).data)
    files = csv_files(_download(app, client, "report_files.cohort_file", fmt="csv", **args).data, ";")
    pdf, pages = _pdf_text(_download(app, client, "report_files.cohort_file", fmt="pdf", **args).data)
    screen = _screen(_download(app, client, "reports.cohort_report", **args).data)

    # XLSX and CSV: every figure of every table, trends included (French: ";" and decimal commas)
    checked = compare_files(report, wb, files, ",")
    assert any(f"trends.{t['code']}" for t in report["trends"])

    # the include-submitted option is stated in every file and on the page
    cover = {row[0]: row[1] for row in wb.worksheets[0].iter_rows(values_only=True) if row[0]}
    assert cover["Valeurs soumises incluses"] is submitted
    assert ["Valeurs soumises incluses", "Oui" if submitted else "Non"] in files[0][1]
    assert screen["filters.include_submitted"] == str(submitted).lower()

    # the screen: every figure it shows equals the JSON one, and the key ones are all there
    assert screen["filters.cohorts"] == DEMO_SLUG
    must_show = set(KEY_FIGURES)
    must_show |= {f"indicators.{i['code']}.actual" for i in report["indicators"]}
    must_show |= {f"completeness.{c['period']}.{k}" for c in report["completeness"] for k in ("owed", "approved")}
    must_show |= {f"trends.{t['code']}.{p['period']}.{f}" for t in report["trends"] for p in t["periods"]
                  for f in TREND_FIELDS}
    assert must_show <= set(screen), sorted(must_show - set(screen))
    for metric, value in screen.items():
        if metric == "filters.cohorts":
            continue
        assert _same_on_screen(_metric(report, metric), value), (metric, value)
        checked += 1

    # the PDF text: the key counts appear as numbers, and every trend row as the reader sees it
    text_all = "\n".join(pages)
    numbers = set(re.findall(r"\d+", text_all))
    for metric in PDF_FIGURES:
        assert str(_metric(report, metric)) in numbers, (metric, _metric(report, metric))
    lines = set(text_all.splitlines())
    with app.test_request_context(), force_locale("fr"):
        for trend in report["trends"]:
            for p in trend["periods"]:
                row = " ".join([period_name(p["period"]), figure(_decimal(p["value"]), trend["unit"]),
                                figure(_decimal(p["cumulative"]), trend["unit"]), text(p["progress"], Kind.RATE),
                                str(p["projects_reporting"])])
                assert row.replace("\u202f", " ").replace("\xa0", " ") in lines, row
                checked += 1
    assert checked > 500


def _decimal(value):
    return None if value is None else Decimal(value)


def test_the_annex_adds_up_to_the_report(app, demo, login_as):
    """One annex page per project, laid out as the one-pager: its team counts, milestones and indicator figures
    are printed, and they add up to the report's (percentages: their mean)."""
    client = login_as("manager")
    args = {"cohort": demo.id, "to": dt.date.today().isoformat(), "annex": "1"}
    report = json.loads(_download(app, client, "report_files.cohort_file", fmt="json", **args).data)
    reader, pages = _pdf_text(_download(app, client, "report_files.cohort_file", fmt="pdf", **args).data)
    outline = reader.outline
    projects = outline[outline.index(next(o for o in outline if getattr(o, "title", "") == "Annexe : fiches projets"))
                       + 1]
    assert len(projects) == report["portfolio"]["projects"] == 32

    start = next(i for i, page in enumerate(pages) if "Annexe : fiches projets" in page)
    annex_text = "\n".join(pages[start:])
    teams = re.findall(r"Équipe\n(\d+)\nMembres\n(\d+)\nFemmes\n(\d+)\nHommes\n(\d+)\nJeunes", annex_text)
    assert len(teams) == 32
    for i, key in enumerate(("members", "women", "men", "youth")):
        assert sum(int(t[i]) for t in teams) == report["people"][key], key

    # the annex's figures come from the report's own rows, window and rules
    full, rows = cohort_report_and_rows([demo.id], None, dt.date.today())
    config = app.config
    figures = annex.project_figures(rows, None, full["filters"]["reference_date"], False,
                                    config["YOUTH_MIN_AGE"], config["YOUTH_MAX_AGE"])
    assert sum(len(f.milestones) for f in figures) == report["milestones"]["planned"]
    assert sum(m["late"] for f in figures for m in f.milestones) == report["milestones"]["late"]
    with app.test_request_context(), force_locale("fr"):
        for ind in report["indicators"]:
            per_project = [i for f in figures for i in f.indicators if i["code"] == ind["code"]]
            actuals = [i["actual"] for i in per_project if i["actual"] is not None]
            assert len(actuals) == ind["projects_reporting"]
            if ind["unit"] == "percent":
                mean = sum(actuals, Decimal(0)) / len(actuals)
                assert abs(mean - Decimal(ind["actual"])) <= Decimal("0.005"), ind["code"]
            elif actuals:
                assert sum(actuals, Decimal(0)) == Decimal(ind["actual"]), ind["code"]
            for i in per_project:  # each project's row prints its baseline, target, actual and progress
                shown = " ".join(figure(i[k], i["unit"]) for k in ("baseline", "target", "actual"))
                shown = f"{shown} {text(i['progress'], Kind.RATE)}".replace("\u202f", " ").replace("\xa0", " ")
                assert shown in annex_text, (ind["code"], shown)


def test_figures_in_the_english_files_too(app, demo, login_as):
    from tests.conftest import login
    from tests.factories import UserFactory

    user = UserFactory(role="manager", locale="en")
    db.session.flush()
    client = login(app.test_client(), user)
    args = {"cohort": demo.id, "to": dt.date.today().isoformat()}
    report = json.loads(_download(app, client, "report_files.cohort_file", fmt="json", **args).data)
    wb = workbook(_download(app, client, "report_files.cohort_file", fmt="xlsx", **args).data)
    files = csv_files(_download(app, client, "report_files.cohort_file", fmt="csv", **args).data, ",")
    assert compare_files(report, wb, files, ".") > 300
    assert wb.worksheets[1].title == "Portfolio" and files[1][1][0] == ["Measure", "Value"]
    rate = next(row for row in files[3][1] if row[0].startswith("Attendance rate"))
    assert is_rate("trainings.attendance_rate") and rate[0].endswith("(%)")
    assert same_in_xlsx(report["portfolio"]["projects"], wb.worksheets[1]["B2"].value)
