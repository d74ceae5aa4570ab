"""Period labels read in each language's words; the stored code never changes (issue 19)."""

import pytest
from flask_babel import force_locale

from tracker.core.period_names import period_name


@pytest.mark.parametrize(("code", "fr", "ar", "en"), [
    ("2026-T3", "T3 2026", "الربع الثالث 2026", "Q3 2026"),
    ("2026-T1", "T1 2026", "الربع الأول 2026", "Q1 2026"),
    ("2025-S2", "S2 2025", "النصف الثاني 2025", "H2 2025"),
    ("2026-03", "mars 2026", "مارس 2026", "March 2026"),
])
def test_period_labels_in_three_languages(app, code, fr, ar, en):
    with app.test_request_context():
        for locale, expected in (("fr", fr), ("ar", ar), ("en", en)):
            with force_locale(locale):
                assert period_name(code) == expected


@pytest.mark.parametrize("code", ["2026-T9", "2026-S3", "T3", "", "2026-13"])
def test_an_unknown_code_is_shown_as_stored(app, code):
    with app.test_request_context(), force_locale("ar"):
        assert period_name(code) == code


def test_pages_show_the_words_and_keep_the_code_in_the_address(app, actors, login_as):
    from tests.periods.factories import PeriodReportFactory
    from tracker.extensions import db
    from tracker.periods.models import ReportStatus

    report = PeriodReportFactory(project=actors.project, status=ReportStatus.APPROVED)
    db.session.commit()
    client = login_as("holder")
    client.post("/language", data={"locale": "en"})
    page = client.get(f"/projects/{actors.project.id}").get_data(as_text=True)
    assert report.period_label == "2025-T1"
    assert "Q1 2025" in page and "/2025-T1" in page
