from decimal import Decimal

from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tracker.extensions import db
from tracker.periods.models import ReportStatus


def test_read_only_report_shows_indicator_names_and_period_in_the_reader_language(actors, indicators, login_as):
    report = PeriodReportFactory(project=actors.project, status=ReportStatus.APPROVED)
    IndicatorValueFactory(report=report, indicator=indicators.revenue, value=Decimal("1200"))
    db.session.commit()
    client = login_as("holder")
    client.post("/language", data={"locale": "ar"})
    page = client.get(f"/period-reports/projects/{actors.project.id}/{report.period_label}").get_data(as_text=True)
    assert indicators.revenue.name_ar in page
    assert indicators.revenue.name_fr not in page
    # The period reads in Arabic words (the stored code stays in the address), isolated inside the title.
    assert "\u2068الربع الأول 2025\u2069" in page
    assert f"/period-reports/projects/{actors.project.id}/2025-T1" in page or report.period_label == "2025-T1"


def test_units_in_parentheses_never_break_and_the_dirham_reads_per_language(actors, indicators, login_as):
    report = PeriodReportFactory(project=actors.project, status=ReportStatus.APPROVED)
    IndicatorValueFactory(report=report, indicator=indicators.revenue, value=Decimal("1200"))
    db.session.commit()
    client = login_as("holder")
    url = f"/period-reports/projects/{actors.project.id}/{report.period_label}"
    assert '<span class="text-nowrap">(DH)</span>' in client.get(url).get_data(as_text=True)
    client.post("/language", data={"locale": "ar"})
    assert '<span class="text-nowrap">(درهم)</span>' in client.get(url).get_data(as_text=True)
