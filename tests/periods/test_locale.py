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
    page = client.get(f"/reports/projects/{actors.project.id}/{report.period_label}").get_data(as_text=True)
    assert indicators.revenue.name_ar in page
    assert indicators.revenue.name_fr not in page
    assert "\u20682025-T1\u2069" in page  # the label is isolated inside the Arabic title
