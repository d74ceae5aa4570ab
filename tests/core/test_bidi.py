"""Arabic pages without glitches (issue 19): each mixed-direction run is isolated in the rendered HTML, the
dirham reads as each language writes it, parentheses do not break across lines."""

import re

import pytest
from flask_babel import force_locale

from tests.factories import MemberFactory
from tests.mentoring.factories import MentoringSessionFactory
from tests.trainings.factories import AttendanceFactory, TrainingFactory
from tracker.core.currency import currency_unit, money
from tracker.core.i18n import label
from tracker.extensions import db
from tracker.indicators.models import Unit


def _arabic(client):
    client.post("/language", data={"locale": "ar"})
    return client


def test_fractions_are_one_left_to_right_run_on_arabic_pages(actors, login_as):
    training = TrainingFactory(cohort=actors.cohort, title="Atelier prix de vente")
    members = [MemberFactory(project=actors.project) for _ in range(3)]
    for n, member in enumerate(members):
        AttendanceFactory(training=training, member=member, present=n < 2)
    db.session.commit()
    page = _arabic(login_as("staff")).get("/trainings/").get_data(as_text=True)
    assert '<bdi dir="ltr" class="text-nowrap">2 / 3</bdi>' in page
    assert not re.search(r"(?<!>)\b2 / 3", page.replace('<bdi dir="ltr" class="text-nowrap">2 / 3', ""))


def test_french_text_inside_an_arabic_timeline_is_isolated(actors, login_as):
    MentoringSessionFactory(project=actors.project, mentor=actors.staff, topics="Business plan, prix de vente")
    db.session.commit()
    page = _arabic(login_as("staff")).get(f"/projects/{actors.project.id}").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert '<div class="small" dir="auto">Business plan, prix de vente</div>' in page  # topics: one run
    assert "<bdi>" + actors.staff.display_name + "</bdi>" in page


def test_period_labels_on_arabic_pages_are_words_in_an_isolated_run(actors, login_as):
    from tests.periods.factories import PeriodReportFactory
    from tracker.periods.models import ReportStatus

    PeriodReportFactory(project=actors.project, status=ReportStatus.APPROVED)
    db.session.commit()
    page = _arabic(login_as("staff")).get(f"/projects/{actors.project.id}").get_data(as_text=True)
    assert "<bdi>الربع الأول 2025</bdi>" in page
    assert 'dir="ltr">2025-T1' not in page and ">2025-T1<" not in page


@pytest.mark.parametrize(("locale", "unit"), [("fr", "DH"), ("ar", "درهم"), ("en", "MAD")])
def test_the_dirham_through_babel(app, locale, unit):
    with app.test_request_context(), force_locale(locale):
        assert currency_unit("MAD") == unit
        assert label(Unit.MAD) == unit
        assert money(1234.5).replace("\u202f", " ").replace("\xa0", " ") in (
            "1 234,50 DH", "1,234.50 درهم", "MAD1,234.50")

