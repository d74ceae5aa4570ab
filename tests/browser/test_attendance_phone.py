"""The attendance sheet of a whole cohort on a 375 px phone, in French and Arabic (issue 19, point 4): the
name filter narrows the rows as one types, "mark the rest absent" leaves nobody unmarked, the save bar's
counts follow the marks, and a training dated in the future is refused with a clear message."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from tests.browser.test_smoke import log_in, shoot, switch_language

pytestmark = pytest.mark.browser

WIDTH = 375
PHONE = {"viewport": {"width": WIDTH, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
REFUSED = {"fr": "la présence se note à partir de ce jour-là", "ar": "يُسجَّل الحضور ابتداءً من ذلك اليوم"}


@pytest.fixture
def trainings(live_app):
    """A training of the demo cohort held yesterday, and one next week (ids)."""
    from tracker.cohorts.models import Cohort
    from tracker.extensions import db
    from tracker.trainings.models import Topic, Training, TrainingMode

    tag = uuid.uuid4().hex[:6]
    today = dt.date.today()
    with live_app.app_context():
        cohort = db.session.scalar(sa.select(Cohort).where(Cohort.slug == "innov-impact-demo-safi"))
        held, coming = (Training(cohort_id=cohort.id, title=f"Atelier fictif {tag} {n}", topic=Topic.MARKETING,
                                 date=day, duration_hours=Decimal(2), mode=TrainingMode.IN_PERSON)
                        for n, day in enumerate((today - dt.timedelta(days=1), today + dt.timedelta(days=7))))
        db.session.add_all([held, coming])
        db.session.commit()
        ids = held.id, coming.id
    yield ids
    # Gone again: the other browser tests open the newest training of the list.
    with live_app.app_context():
        for training in db.session.scalars(sa.select(Training).where(Training.id.in_(ids))):
            db.session.delete(training)
        db.session.commit()


@pytest.fixture
def staff_phone(browser: Browser, base_url, demo_password):
    context = browser.new_context(base_url=base_url, locale="fr-FR", **PHONE)
    page = context.new_page()
    log_in(page, base_url, "staff", demo_password)
    yield page
    switch_language(page, "fr")
    context.close()


def _count(page, key: str) -> int:
    return int(page.locator(f"[data-count={key}]").inner_text())


@pytest.mark.parametrize("code", ["fr", "ar"])
def test_attendance_sheet_filter_rest_absent_and_future_refused(staff_phone, trainings, screenshots_dir, code):
    page = staff_phone
    switch_language(page, code)
    held, coming = trainings
    page.goto(f"/trainings/{held}/attendance")
    rows = page.locator("[data-attendance-member]")
    total = rows.count()
    assert total > 20, total
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert _count(page, "unrecorded") == total

    # The filter narrows the rows to one person as the name is typed.
    name = rows.nth(5).get_attribute("data-name")
    page.locator("[data-attendance-filter]").fill(name)
    visible = page.locator("[data-attendance-member]:not(.d-none)")
    expect(visible.first).to_be_visible()
    assert 1 <= visible.count() < total
    assert all(name.lower() in visible.nth(i).get_attribute("data-name").lower() for i in range(visible.count()))
    visible.first.locator("label[for$='-present']").click()
    expect(page.locator("[data-count=present]")).to_have_text("1")
    shoot(page, screenshots_dir, f"phone-{code}-attendance-filtered")
    page.locator("[data-attendance-filter]").fill("")
    expect(page.locator("[data-attendance-member].d-none")).to_have_count(0)

    # "Mark the rest absent": everybody else is recorded absent, the one present stays present.
    with page.expect_navigation():
        page.locator("button[data-rest-absent]").click()
    expect(page.locator("main .alert-success[role=status]")).to_be_visible()
    assert _count(page, "present") == 1 and _count(page, "absent") == total - 1 and _count(page, "unrecorded") == 0

    # A training dated next week takes no attendance yet, and says from when.
    page.goto(f"/trainings/{coming}/attendance")
    expect(page.locator("#attendance-refused")).to_contain_text(REFUSED[code])
    expect(page.locator("[data-attendance-member]")).to_have_count(0)
    shoot(page, screenshots_dir, f"phone-{code}-attendance-future")
