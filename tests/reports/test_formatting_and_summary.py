"""One way to show a figure (tracker/core/formatting.py) on every page and in every file, and the written
summary the report opens with (tracker/reports/summary.py): its figures are the JSON's, in every language,
with Arabic plural forms."""

import datetime as dt
import html
import json
import re
from decimal import Decimal

import pytest
from flask_babel import force_locale

from tests.indicators.factories import IndicatorFactory, TargetFactory
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tracker.core import formatting
from tracker.core.formatting import Kind
from tracker.extensions import db
from tracker.reports.services import cohort_report, to_json
from tracker.reports.summary import job_shares, summary

DEMO_SLUG = "innov-impact-demo-safi"


@pytest.mark.parametrize(("value", "kind", "fr", "en"), [
    (185, Kind.COUNT, "185", "185"),
    (Decimal("185.00"), Kind.COUNT, "185", "185"),
    (Decimal("1234.5"), Kind.AMOUNT, "1\u202f234,50", "1,234.50"),
    (0.5665, Kind.RATE, "56,7\xa0%", "56.7%"),  # half away from zero, as spreadsheets show it
    (0.5, Kind.RATE, "50,0\xa0%", "50.0%"),
    (1.5, Kind.RATE, "150,0\xa0%", "150.0%"),  # progress is not capped
    (Decimal("33.25"), Kind.POINTS, "33,3\xa0%", "33.3%"),
    (1.25, Kind.DECIMAL, "1,3", "1.3"),
    (None, Kind.RATE, "—", "—"),
])
def test_one_formatting_for_every_kind(app, value, kind, fr, en):
    with app.test_request_context():
        assert formatting.text(value, kind, "fr") == fr
        assert formatting.text(value, kind, "en") == en


def test_csv_and_xlsx_values_read_as_the_text_does():
    fr, en = formatting.DIALECTS["excel-fr"], formatting.DIALECTS["excel-en"]
    assert formatting.csv_text(0.5665, Kind.RATE, fr) == "56,7"
    assert formatting.csv_text(Decimal("1234.5"), Kind.AMOUNT, fr) == "1234,50"
    assert formatting.csv_text(Decimal("1234.5"), Kind.AMOUNT, en) == "1234.50"
    assert formatting.csv_text(Decimal("185.00"), Kind.COUNT, fr) == "185"
    assert formatting.xlsx_value(Decimal("185.00"), Kind.COUNT) == (185, "#,##0")
    assert formatting.xlsx_value(0.5665, Kind.RATE) == (0.5665, "0.0%")  # the exact number, shown rounded
    assert formatting.dialect_for("ar") == fr and formatting.dialect_for("en") == en
    assert formatting.dialect_for("en", "excel-fr") == fr


def test_holder_home_and_indicator_page_show_the_same_percentage(actors, login_as):
    """56 % on the holder home (floored) and 57 % on the indicators page (rounded) for the same figure:
    both now print the formatting module's "56,7 %"."""
    indicator = IndicatorFactory(name_fr="Clients fictifs")
    TargetFactory(project=actors.project, indicator=indicator, baseline_value=Decimal(0), target_value=Decimal(30))
    report = PeriodReportFactory(project=actors.project, period_label="2025-T1", period_start=dt.date(2025, 1, 1),
                                 period_end=dt.date(2025, 3, 31), status="approved")
    IndicatorValueFactory(report=report, indicator=indicator, value=Decimal(17))  # 17 / 30 = 56.67 %
    db.session.flush()
    client = login_as("holder")
    home = html.unescape(client.get("/").get_data(as_text=True))
    page = html.unescape(client.get(f"/indicators/projects/{actors.project.id}").get_data(as_text=True))
    assert "56,7\xa0%" in home and "56,7\xa0%" in page
    assert not re.search(r"\b5[67]\xa0?%", home + page)


@pytest.fixture
def demo(runner):
    result = runner.invoke(args=["demo", "load", "--password", "x-long-password"])
    assert result.exit_code == 0, result.output
    from tracker.cohorts.services import get_by_slug

    return get_by_slug(DEMO_SLUG)


def _numbers(text: str) -> list[Decimal]:
    """The numbers of a sentence in reading order ("1 234,50" and "1,234.50" are one number)."""
    found = re.findall(r"\d[\d\u202f\xa0 ,.]*\d|\d", text)
    out = []
    for raw in found:
        raw = raw.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        if "," in raw and "." in raw:
            raw = raw.replace(",", "")
        elif "," in raw:
            raw = raw.replace(",", ".")
        out.append(Decimal(raw))
    return out


def _expected(report: dict, path: str):
    """A summary figure from the JSON: a §12 path, or the shares of jobs (women cells / total)."""
    if path.startswith("jobs."):
        jobs = next(r for r in report["indicators"] if r["code"] == "jobs_created")
        cells = {k: Decimal(v) for k, v in jobs["cells"].items()}
        total = Decimal(jobs["actual"])
        women = (cells["women_youth"] + cells["women_other"]) / total
        youth = (cells["women_youth"] + cells["men_youth"]) / total
        return float(women if path == "jobs.women_share" else youth)
    if path.startswith("completeness."):
        return sum(row[path.split(".")[1]] for row in report["completeness"])
    section, *rest = path.split(".")
    node = report[section]
    if section == "indicators":
        node = next(r for r in node if r["code"] == rest[0])
        rest = rest[1:]
    for part in rest:
        node = node[part]
    return node


@pytest.mark.parametrize("locale", ["fr", "en", "ar"])
def test_summary_figures_are_the_json_figures(app, demo, locale):
    report = cohort_report([demo.id], None, dt.date.today())
    data = json.loads(to_json(report))
    with app.test_request_context(), force_locale(locale):
        sentences = summary(report)
    assert len(sentences) >= 4
    checked = 0
    for sentence in sentences:
        shown = _numbers(sentence.text)
        expected = []
        for path, value in sentence.figures:
            from_json = _expected(data, path)
            assert Decimal(str(from_json)) == Decimal(str(value)), path  # the figure the text is made of
            is_rate = path.endswith(("_share", "_rate"))
            expected.append((Decimal(str(from_json)) * 100).quantize(Decimal("0.1")) if is_rate else
                            Decimal(str(from_json)))
        # every figure of the sentence is printed, in that order (Arabic reads them in the same order too)
        assert [n for n in shown if n in expected] == expected, (sentence.text, expected)
        checked += len(expected)
    assert checked >= 10
    jobs = job_shares(report)
    assert jobs is not None and 0 < jobs["women_share"] < 1


def test_the_summary_text_in_each_language(app, demo):
    report = cohort_report([demo.id], None, dt.date.today())
    pf = report["portfolio"]
    with app.test_request_context():
        with force_locale("fr"):
            fr = summary(report)[0].text
        with force_locale("en"):
            en = summary(report)[0].text
        with force_locale("ar"):
            ar = summary(report)[0].text
    assert fr.startswith(f"Sur la période, le programme a accompagné {pf['projects']} projets (dont ")
    assert en.startswith(f"Over the period, the programme supported {pf['projects']} projects (")
    assert ar.startswith("خلال الفترة، رافق البرنامج 32 مشروعًا")  # 11–99: accusative singular


@pytest.mark.parametrize(("n", "projects", "sessions"), [
    (0, "0 مشروع", "0 دورة تكوينية"),
    (1, "مشروعًا واحدًا", "دورة تكوينية واحدة"),
    (2, "مشروعين اثنين", "دورتين تكوينيتين"),
    (3, "3 مشاريع", "3 دورات تكوينية"),
    (10, "10 مشاريع", "10 دورات تكوينية"),
    (11, "11 مشروعًا", "11 دورة تكوينية"),
    (100, "100 مشروع", "100 دورة تكوينية"),
    (103, "103 مشاريع", "103 دورات تكوينية"),
])
def test_arabic_plural_forms(app, n, projects, sessions):
    report = {
        "filters": {"include_submitted": False},
        "portfolio": {"projects": n, "women_led": n, "youth_led": n},
        "indicators": [],
        "trainings": {"sessions": n, "participants": n},
        "mentoring": {"sessions": n},
        "milestones": {"planned": n, "achieved": n, "achievement_rate": None},
        "completeness": [],
    }
    with app.test_request_context(), force_locale("ar"):
        sentences = [s.text for s in summary(report)]
    assert f"رافق البرنامج {projects} (" in sentences[0]
    assert f"تابعت الفرق {sessions} (" in sentences[1]
