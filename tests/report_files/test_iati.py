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
from tests.periods.factories import IndicatorFactory, IndicatorValueFactory, PeriodReportFactory, TargetFactory
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
        IndicatorValueFactory(report=t2, indicator=self.jobs, cell=Cell.MEN_OTHER, value=Decimal(777))
        returned = PeriodReportFactory(project=self.b, status=ReportStatus.RETURNED)
        IndicatorValueFactory(report=returned, indicator=self.share, value=Decimal(888))
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
    target_period, t1 = jobs.findall("period")
    assert target_period.find("period-start").get("iso-date") == "2025-01-01"
    assert target_period.find("period-end").get("iso-date") == "2026-12-31"
    assert target_period.find("target").get("value") == "12" and target_period.find("actual") is None
    assert (t1.find("period-start").get("iso-date"), t1.find("period-end").get("iso-date")) == (
        "2025-01-01", "2025-03-31")
    actuals = [(x.get("value"), [(dim.get("name"), dim.get("value")) for dim in x.findall("dimension")])
               for x in t1.findall("actual")]
    assert actuals == [
        ("6.5", []),  # total = sum of the cells
        ("3", [("sex", "female"), ("age", "15-34")]),
        ("1", [("sex", "female"), ("age", "other")]),
        ("2", [("sex", "male"), ("age", "15-34")]),
        ("0.5", [("sex", "not stated")]),
    ]
    # submitted (777) and returned (888) values never leave the programme
    assert b"777" not in data and b"888" not in data
    assert share.find("baseline") is None  # no baseline value given
    assert [x.get("value") for x in share.iter("actual")] == ["33.25"]
    assert [x.get("value") for x in share.iter("target")] == ["40.5"]

    b = _activity(doc, "XM-DAC-00000-iati-test-cohort-P02")
    assert b.find("activity-status").get("code") == "4"
    assert ("4", "2026-06-30") in [(x.get("type"), x.get("iso-date")) for x in b.findall("activity-date")]
    assert b.find("result") is None  # a returned report is no result; no target either
    assert b.find("participating-org[@role='4']").get("type") is None  # no legal form: no type guessed


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
