"""IATI 2.03 activities file (tracker/reports/iati.py): valid against the official schema files in
../shared/data/iati/ for a factory cohort with disaggregated values and for the demo cohort; only approved
actuals leave the programme; the CLI and the download."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for
from lxml import etree

from tests import factories
from tests.indicators.factories import IndicatorFactory, TargetFactory
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tests.reports.test_services import _cohort_with
from tracker.cohorts.models import Cohort
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.indicators.models import IndicatorKind, Unit
from tracker.periods.models import Cell, ReportStatus
from tracker.projects.models import LegalForm, ProjectStatus, Sector
from tracker.reports.cli import report_cli
from tracker.reports.iati import EmptyCohortError, cohort_activities, cohort_activities_xml

IATI_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "iati"
DEMO_SLUG = "innov-impact-demo-safi"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(IATI_DIR / "iati-activities-schema.xsd")))


class Disaggregated:
    """A cohort with a disaggregated flow indicator (values in approved, submitted and returned reports),
    a percent stock indicator, and a project with nothing to report."""

    def __init__(self):
        self.cohort = factories.CohortFactory(slug="iati-test-cohort")
        self.a = factories.ProjectFactory(cohort=self.cohort, code="P 01/a", name="Coopérative fictive",
                                          summary="Huile d'argan fictive.", legal_form=LegalForm.COOPERATIVE,
                                          sector=Sector.LOCAL_PRODUCTS)
        self.b = factories.ProjectFactory(cohort=self.cohort, code="P02", status=ProjectStatus.GRADUATED,
                                          status_date=dt.date(2026, 6, 30), sector=Sector.AGRICULTURE)
        self.jobs = IndicatorFactory(code="iati_jobs", disaggregated=True, name_fr="Emplois créés",
                                     iris_ref="PI3687", sort_order=1)
        self.share = IndicatorFactory(code="iati_share", unit=Unit.PERCENT, kind=IndicatorKind.STOCK,
                                      sort_order=2)
        TargetFactory(project=self.a, indicator=self.jobs, baseline_value=Decimal(2),
                      baseline_date=dt.date(2025, 1, 1), target_value=Decimal(12), target_date=dt.date(2026, 12, 31))
        TargetFactory(project=self.a, indicator=self.share, baseline_value=None, target_value=Decimal("40.5"))
        t1 = PeriodReportFactory(project=self.a, status=ReportStatus.APPROVED)
        for cell, value in ((Cell.WOMEN_YOUTH, 3), (Cell.WOMEN_OTHER, 1), (Cell.MEN_YOUTH, 2),
                            (Cell.NOT_STATED, "0.5")):
            IndicatorValueFactory(report=t1, indicator=self.jobs, cell=cell, value=Decimal(value))
        IndicatorValueFactory(report=t1, indicator=self.share, value=Decimal("33.25"))
        t2 = PeriodReportFactory(project=self.a, status=ReportStatus.SUBMITTED, period_label="2025-T2",
                                 period_start=dt.date(2025, 4, 1), period_end=dt.date(2025, 6, 30))
        IndicatorValueFactory(report=t2, indicator=self.jobs, cell=Cell.MEN_OTHER, value=Decimal(777001))
        returned = PeriodReportFactory(project=self.b, status=ReportStatus.RETURNED)
        IndicatorValueFactory(report=returned, indicator=self.share, value=Decimal(888001))
        db.session.flush()


def _activity(root, identifier):
    return next(a for a in root.iter("iati-activity") if a.findtext("iati-identifier") == identifier)


def test_factory_cohort_is_valid_and_carries_approved_figures(app, schema):
    d = Disaggregated()
    data = cohort_activities_xml(d.cohort, dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    doc = etree.fromstring(data)
    schema.assertValid(doc)
    assert doc.get("version") == "2.03" and doc.get("generated-datetime") == "2026-01-02T03:04:05Z"
    assert len(doc.findall("iati-activity")) == 2

    a = _activity(doc, "XM-DAC-00000-iati-test-cohort-P-01-a")  # the code's space and slash replaced
    assert a.get(XML_LANG) == "fr" and a.get("default-currency") == "MAD"
    assert a.find("reporting-org").get("ref") == "XM-DAC-00000"
    assert a.findtext("title/narrative") == "Coopérative fictive"
    assert a.findtext("description/narrative") == "Huile d'argan fictive."
    assert [(p.get("role"), p.get("type")) for p in a.findall("participating-org")] == [("3", "22"), ("4", "72")]
    assert a.find("activity-status").get("code") == "2"
    assert [(d_.get("type"), d_.get("iso-date")) for d_ in a.findall("activity-date")] == [
        ("2", "2025-01-01"), ("3", "2026-12-31")]
    assert a.find("sector").get("code") == "32130" and a.find("sector").get("vocabulary") == "1"

    jobs, share = a.findall("result/indicator")
    assert jobs.find("reference").get("code") == "iati_jobs"
    assert (jobs.get("measure"), jobs.get("ascending")) == ("1", "1") and share.get("measure") == "2"
    assert [n.get(XML_LANG) for n in jobs.findall("title/narrative")] == [None, "ar", "en"]
    assert jobs.findtext("title/narrative") == "Emplois créés" and "PI3687" in jobs.findtext("description/narrative")
    baseline = jobs.find("baseline")
    assert (baseline.get("year"), baseline.get("iso-date"), baseline.get("value")) == ("2025", "2025-01-01", "2")
    # one period per year of the target span (2025-01-01 → 2026-12-31), each with its share of the target
    y2025, y2026 = jobs.findall("period")
    assert [(p.find("period-start").get("iso-date"), p.find("period-end").get("iso-date")) for p in (y2025, y2026)] \
        == [("2025-01-01", "2025-12-31"), ("2026-01-01", "2026-12-31")]
    assert [p.find("target").get("value") for p in (y2025, y2026)] == ["6", "6"]  # 12 by days: 365 of 730
    assert y2026.find("actual") is None  # nothing approved in 2026 yet
    actuals = [(x.get("value"), [(dim.get("name"), dim.get("value")) for dim in x.findall("dimension")])
               for x in y2025.findall("actual")]
    assert actuals == [
        ("6.5", []),  # total = sum of the cells
        ("3", [("sex", "female"), ("age", "15-34")]),
        ("1", [("sex", "female"), ("age", "other")]),
        ("2", [("sex", "male"), ("age", "15-34")]),
        ("0.5", [("sex", "not stated")]),
    ]
    # submitted (777001) and returned (888001) values never leave the programme (six digits: factory sequence
    # numbers in names and codes never reach them)
    assert b"777001" not in data and b"888001" not in data
    assert share.find("baseline") is None  # no baseline value given
    assert [x.get("value") for x in share.iter("actual")] == ["33.25"]
    assert {x.get("value") for x in share.iter("target")} == {"40.5"}  # a level: the target itself each year
    _every_actual_has_a_target(doc)

    b = _activity(doc, "XM-DAC-00000-iati-test-cohort-P02")
    assert b.find("activity-status").get("code") == "4"
    assert ("4", "2026-06-30") in [(x.get("type"), x.get("iso-date")) for x in b.findall("activity-date")]
    assert b.find("result") is None  # a returned report is no result; no target either
    assert b.find("participating-org[@role='4']").get("type") is None  # no legal form: no type guessed


def _every_actual_has_a_target(doc) -> int:
    periods = doc.findall(".//indicator/period")
    for period in periods:
        if period.find("actual") is not None:
            assert period.find("target") is not None, etree.tostring(period)
    return sum(1 for p in periods if p.find("actual") is not None)


def test_yearly_targets_of_a_flow_and_a_stock():
    """The target is spread over the calendar years by days; a stock's target is the level at each year's end."""
    from types import SimpleNamespace as NS

    from tracker.reports.iati_periods import yearly_periods

    cohort = NS(start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 12, 31), forum_date=None)
    target = NS(baseline_value=Decimal(10), baseline_date=dt.date(2025, 7, 1), target_value=Decimal(100),
                target_date=dt.date(2027, 6, 30))
    q = {(dt.date(2025, 7, 1), dt.date(2025, 9, 30), "2025-T3"): {Cell.TOTAL: Decimal(4)},
         (dt.date(2025, 10, 1), dt.date(2025, 12, 31), "2025-T4"): {Cell.TOTAL: Decimal(6)},
         (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "2026-T1"): {Cell.TOTAL: Decimal(5)}}
    flow = yearly_periods("flow", target, cohort, q)
    assert [(p.start, p.end) for p in flow] == [(dt.date(2025, 7, 1), dt.date(2025, 12, 31)),
                                                (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
                                                (dt.date(2027, 1, 1), dt.date(2027, 6, 30))]
    assert sum(p.target for p in flow) == Decimal(100)  # the shares add up to the target exactly
    assert [p.actual for p in flow] == [Decimal(10), Decimal(5), None]  # a flow sums its year
    stock = yearly_periods("stock", target, cohort, q)
    assert [p.actual for p in stock] == [Decimal(6), Decimal(5), None]  # a stock takes the year's latest
    assert stock[-1].target == Decimal(100) and stock[0].target < stock[1].target < Decimal(100)
    assert yearly_periods("flow", None, cohort, q) == []  # no target: no period to pair an actual with


def test_without_iati_org_ref_there_is_no_file_and_a_clear_message(app, login_as, tmp_path):
    from tracker.reports.iati import IatiNotConfiguredError

    d = Disaggregated()
    old = app.config["IATI_ORG_REF"]
    app.config["IATI_ORG_REF"] = None
    try:
        with pytest.raises(IatiNotConfiguredError):
            cohort_activities(d.cohort)
        result = app.test_cli_runner().invoke(report_cli, ["iati", "--cohort", d.cohort.slug, "--output",
                                                           str(tmp_path / "x.xml")])
        client = login_as("manager")
        with app.test_request_context():
            download = client.get(url_for("report_files.iati_file", cohort=d.cohort.id))
            page = client.get(url_for("reports.cohort_report", cohort=d.cohort.id)).get_data(as_text=True)
    finally:
        app.config["IATI_ORG_REF"] = old
    assert result.exit_code == 1 and "IATI_ORG_REF is not set" in result.output
    assert not (tmp_path / "x.xml").exists()
    assert download.status_code == 400 and "IATI_ORG_REF" in download.get_data(as_text=True)
    assert 'data-format="iati"' not in page and "IATI_ORG_REF" in page  # the page says what to set


def test_dates_from_the_cohort_and_languages_from_the_script(app, schema, tmp_path):
    from tracker.reports.iati import UndatedCohortError

    cohort = factories.CohortFactory(slug="iati-dates", start_date=None, end_date=None, forum_date=None)
    factories.ProjectFactory(cohort=cohort, code="P1", name="تعاونية الأركان النسوية",
                             summary="Huile d'argan et savon.")
    imported = factories.ProjectFactory(cohort=cohort, code="P2", name="Atelier fictif")
    db.session.flush()
    # no programme nor forum date: IATI needs one, and the day the rows were imported is not one
    with pytest.raises(UndatedCohortError):
        cohort_activities(cohort)
    result = app.test_cli_runner().invoke(report_cli, ["iati", "--cohort", cohort.slug, "--output",
                                                       str(tmp_path / "x.xml")])
    assert result.exit_code == 1 and "no start, forum or end date" in result.output
    cohort.end_date = dt.date(2026, 12, 31)
    db.session.flush()
    doc = cohort_activities(cohort).getroot()
    schema.assertValid(doc)
    for activity in doc.findall("iati-activity"):  # only the planned end: no start is made up
        assert [(x.get("type"), x.get("iso-date")) for x in activity.findall("activity-date")] == [
            ("3", "2026-12-31")]
    a = _activity(doc, "XM-DAC-00000-iati-dates-P1")
    assert a.get(XML_LANG) == "fr"
    assert a.find("title/narrative").get(XML_LANG) == "ar"  # an Arabic name is tagged Arabic
    assert a.find("description/narrative").get(XML_LANG) is None  # French text in a French file
    assert a.find("participating-org[@role='4']/narrative").get(XML_LANG) == "ar"
    assert _activity(doc, "XM-DAC-00000-iati-dates-P2").find("title/narrative").get(XML_LANG) is None
    cohort.forum_date = dt.date(2024, 11, 20)
    db.session.flush()
    doc = cohort_activities(cohort).getroot()
    assert [(x.get("type"), x.get("iso-date")) for x in doc.find("iati-activity").findall("activity-date")] == [
        ("2", "2024-11-20"), ("3", "2026-12-31")]
    assert imported.created_at.date().isoformat() not in {x.get("iso-date") for x in doc.iter("activity-date")}


def test_organisation_settings_come_from_config(app, schema):
    d = Disaggregated()
    old = {k: app.config[k] for k in ("IATI_ORG_REF", "IATI_ORG_NAME", "IATI_LANGUAGE")}
    app.config.update(IATI_ORG_REF="MA-RC-12345", IATI_ORG_NAME="Fictive Foundation", IATI_LANGUAGE="en")
    try:
        doc = cohort_activities(d.cohort).getroot()
    finally:
        app.config.update(old)
    schema.assertValid(doc)
    a = doc.find("iati-activity")
    assert a.findtext("iati-identifier").startswith("MA-RC-12345-iati-test-cohort-")
    assert a.findtext("reporting-org/narrative") == "Fictive Foundation" and a.get(XML_LANG) == "en"
    titles = [(n.get(XML_LANG), n.text) for n in doc.find(".//indicator/title")]
    assert titles[0] == (None, d.jobs.name_en) and ("fr", "Emplois créés") in titles


def test_empty_cohort_has_no_file(app):
    with pytest.raises(EmptyCohortError):
        cohort_activities(factories.CohortFactory())


def test_demo_cohort_from_the_cli_is_valid(app, runner, schema, tmp_path):
    assert runner.invoke(args=["demo", "load", "--password", "x-long-password"]).exit_code == 0
    out = tmp_path / "demo.xml"
    result = app.test_cli_runner().invoke(report_cli, ["iati", "--cohort", DEMO_SLUG, "--output", str(out)])
    assert result.exit_code == 0, result.output
    doc = etree.parse(str(out))
    schema.assertValid(doc)
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.slug == DEMO_SLUG))
    activities = doc.getroot().findall("iati-activity")
    assert len(activities) == len(cohort.projects) == 32
    assert len({a.findtext("iati-identifier") for a in activities}) == 32
    assert doc.getroot().find(".//actual/dimension[@name='sex']") is not None
    assert doc.getroot().find(".//period/target") is not None
    assert _every_actual_has_a_target(doc.getroot()) > 50  # and they pair: target and actual in one period


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--cohort", "nope", "--output", "x.xml"], 1, "no cohort with the slug 'nope'"),
    (["--cohort", "{slug}", "--output", "{tmp}/x.xml"], 1, "has no project"),
    (["--cohort", "{slug}"], 2, "Missing option '--output'"),
    (["--output", "x.xml"], 2, "Missing option '--cohort'"),
    (["--cohort", "{slug}", "--output", "{tmp}/missing/dir/x.xml"], 1, "cannot write"),
])
def test_cli_errors(app, tmp_path, args, code, message):
    cohort = factories.CohortFactory()
    if "missing" in " ".join(args):
        factories.ProjectFactory(cohort=cohort)
        db.session.flush()
    result = app.test_cli_runner().invoke(report_cli, ["iati", *[a.format(slug=cohort.slug, tmp=tmp_path)
                                                                 for a in args]])
    assert result.exit_code == code, result.output
    assert message in result.output


def test_download(app, login_as, schema):
    d = Disaggregated()
    client = login_as("manager")
    with app.test_request_context():
        response = client.get(url_for("report_files.iati_file", cohort=d.cohort.id))
        missing = client.get(url_for("report_files.iati_file", cohort=d.cohort.id + 10_000))
        empty = client.get(url_for("report_files.iati_file", cohort=factories.CohortFactory().id))
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"] == "attachment; filename=mowakaba-iati-test-cohort-iati.xml"
    assert response.headers["Cache-Control"] == "no-store"
    schema.assertValid(etree.fromstring(response.data))
    assert missing.status_code == 404
    assert empty.status_code == 400 and "aucun projet" in empty.get_data(as_text=True)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "report.export")).one()
    assert (event.entity_type, event.entity_id) == ("cohort", d.cohort.id)
    assert event.changes == {"format": "iati", "personal_data": False, "filters": {"cohorts": ["iati-test-cohort"]}}


def test_query_count_does_not_grow_with_projects(count_queries, schema):
    cohorts = [_cohort_with(5), _cohort_with(50)]
    db.session.expire_all()
    counts = []
    for cohort in cohorts:
        cohort = db.session.get(Cohort, cohort.id)
        with count_queries() as queries:
            doc = cohort_activities(cohort, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        counts.append(len(queries))
        schema.assertValid(doc)
    assert counts[0] == counts[1] == 4
    assert len(doc.getroot().findall("iati-activity")) == 50
