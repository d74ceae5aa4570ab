"""The daily loop of issue 17 in a real browser, in French and in Arabic.

1. The admin invites a holder to a demo project mentored by staff@ (role chosen, project found by the picker).
2. The holder opens the link of the e-mail and chooses a password: signed in, the to-dos first.
3. The mentor logs a session with an action item for the project.
4. The holder sees the action item in the inbox (the bell counts it) and marks it done there.
5. The holder fills and submits a report; the mentor's bell counts it and the inbox says it is theirs to review.

Each run uses its own holder account (holder-daily-<tag>@example.org) and a project nobody else's journey uses.
Screenshots: tests/artifacts/screenshots/daily-<lang>-<nn>-<step>.png.
"""

import datetime as dt
import re
import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.conftest import link_in_mail, mail_to, pick
from tests.browser.test_journey_results import fill_values, first_report_due, sign_in, submit_report
from tests.browser.test_smoke import log_in, shoot, switch_language

pytestmark = pytest.mark.browser

LANGUAGES = ["fr", "ar"]
TEXTS = {
    "fr": {"name": "Hanane Invitée {tag}", "item": "Envoyer les trois devis {tag}", "highlights": "Ventes {tag}."},
    "ar": {"name": "حنان المدعوة {tag}", "item": "إرسال عروض الأسعار الثلاثة {tag}", "highlights": "المبيعات {tag}."},
}
USED: set[int] = set()  # projects already taken by a run of this module


def _project_for_a_new_holder(database_url: str) -> tuple[int, str]:
    """An active demo project mentored by staff@ alone (so staff@ reviews its reports), with no holder account
    and a draft report to finish."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT p.id, p.name FROM projects p JOIN project_staff ps ON ps.project_id = p.id "
                "JOIN users u ON u.id = ps.user_id JOIN cohorts c ON c.id = p.cohort_id "
                "WHERE u.email = 'staff@example.org' AND p.status = 'active' AND c.slug = 'innov-impact-demo-safi' "
                "AND NOT EXISTS (SELECT 1 FROM project_holders ph WHERE ph.project_id = p.id) "
                "AND NOT EXISTS (SELECT 1 FROM project_staff o WHERE o.project_id = p.id AND o.user_id <> u.id) "
                "AND EXISTS (SELECT 1 FROM period_reports r WHERE r.project_id = p.id AND r.status = 'draft') "
                "ORDER BY p.code")).all()
    finally:
        engine.dispose()
    for project_id, name in rows:
        if project_id not in USED:
            USED.add(project_id)
            return project_id, name
    pytest.fail("the demo has no project left for a new holder")


class Shots:
    def __init__(self, folder, code):
        self.folder, self.code, self.count = folder, code, 0

    def __call__(self, page: Page, step: str) -> None:
        self.count += 1
        shoot(page, self.folder, f"daily-{self.code}-{self.count:02d}-{step}")


def bell_count(page: Page) -> int:
    badge = page.locator("#bell [data-unread]")
    return int(badge.get_attribute("data-unread")) if badge.count() else 0


@pytest.mark.parametrize("code", LANGUAGES)
def test_invited_holder_sets_a_password_finishes_an_action_item_and_submits_a_report(
        new_context, base_url, demo_password, demo_database, live_app, screenshots_dir, code):
    tag = uuid.uuid4().hex[:6]
    shots = Shots(screenshots_dir, code)
    email = f"holder-daily-{tag}@example.org"
    password = f"daily-password-{tag}"
    project_id, project_name = _project_for_a_new_holder(demo_database)
    texts = {k: v.format(tag=tag) for k, v in TEXTS[code].items()}

    # 1. The admin invites the holder: the role must be chosen, the project is searched on the server.
    admin = new_context().new_page()
    log_in(admin, base_url, "admin", demo_password)
    switch_language(admin, code)
    try:
        admin.goto("/admin/users/new")
        expect(admin.locator("#role")).to_have_value("")  # no default role
        expect(admin.locator("#role option").nth(1)).to_have_attribute("value", "holder")  # holders first
        expect(admin.locator("#password")).to_have_count(0)  # nobody types anyone's password
        admin.locator("#email").fill(email)
        admin.locator("#display_name").fill(texts["name"])
        admin.locator("#role").select_option("holder")
        admin.locator("#locale").select_option(code)
        pick(admin, "project_ids", project_name)
        shots(admin, "admin-invites")
        admin.locator("main form button[type=submit]").first.click()
        expect(admin).to_have_url(re.compile(r"/admin/users$"))
        row = admin.locator("main tbody tr", has_text=email)
        expect(row.locator(".badge")).to_be_visible()  # invitation pending
        shots(admin, "admin-users-pending")
    finally:
        admin.goto("/")
        switch_language(admin, "fr")  # the demo admin is shared by every browser test
        admin.context.close()

    # 2. The holder opens the e-mailed link, chooses a password and lands signed in, to-dos first.
    message = mail_to(live_app, email)
    assert message["Content-Language"] == code
    holder = new_context().new_page()
    holder.goto(link_in_mail(message))
    expect(holder.locator("html")).to_have_attribute("lang", code)
    shots(holder, "holder-chooses-password")
    holder.locator("#password").fill(password)
    holder.locator("#confirm").fill(password)
    holder.locator("main form button[type=submit]").click()
    expect(holder).to_have_url(f"{base_url}/")
    expect(holder.locator("#todo")).to_be_visible()
    expect(holder.locator("#reports-due")).to_be_visible()
    shots(holder, "holder-home")

    # 3. The mentor logs a session with an action item for the project.
    mentor = new_context().new_page()
    sign_in(mentor, base_url, "staff@example.org", demo_password)
    switch_language(mentor, code)
    bell_before = bell_count(mentor)
    mentor.goto(f"/sessions/new?project={project_id}")
    form = mentor.locator("#session-form")
    expect(mentor.locator("#project_id")).to_have_value(str(project_id))
    form.locator("#duration_minutes").fill("45")
    phone = form.locator("input[name=mode][value=phone]")
    form.locator(f"label[for='{phone.get_attribute('id')}']").click()
    form.locator("#shared_summary").fill(texts["highlights"])
    form.locator("#items-0-description").fill(texts["item"])
    form.locator("#items-0-due_date").fill((dt.date.today() + dt.timedelta(days=10)).isoformat())
    with mentor.expect_navigation():
        form.locator("button[name=submit]:not(.visually-hidden)").click()
    expect(mentor).to_have_url(re.compile(rf"/projects/{project_id}(#timeline)?$"))

    # 4. The holder: the bell counts the new notices, the inbox shows the action item, done in one tap.
    holder.goto("/")
    assert bell_count(holder) >= 2  # the session and its action item
    holder.locator("#bell").click()
    expect(holder).to_have_url(re.compile(r"/notifications/$"))
    notice = holder.locator("#inbox li[data-kind=action_item_assigned]", has_text=texts["item"])
    expect(notice).to_have_count(1)
    expect(holder.locator("#inbox li[data-kind=session_logged]")).to_have_count(1)
    shots(holder, "holder-inbox")
    notice.locator("button[type=submit]").click()
    expect(holder.locator("main .alert-success[role=status]")).to_be_visible()
    expect(holder.locator("#inbox li[data-kind=action_item_assigned]", has_text=texts["item"]).locator(
        ".badge.text-bg-success")).to_be_visible()
    with holder.expect_navigation():  # the bell of the page the click leaves may already count nothing
        holder.locator("#mark-all-read").click()
    expect(holder.locator("#bell [data-unread]")).to_have_count(0)
    shots(holder, "holder-inbox-done")

    # 5. The holder submits the report; the mentor's bell counts it, theirs to review.
    holder.goto("/")
    expect(holder.locator("#todo-items")).not_to_contain_text(texts["item"])
    due = first_report_due(holder)
    holder.goto(due.url)
    fill_values(holder, code, 3)
    holder.locator("#highlights").fill(texts["highlights"])
    submit_report(holder, base_url, due)
    shots(holder, "holder-report-submitted")

    mentor.goto("/")
    assert bell_count(mentor) == bell_before + 1
    shots(mentor, "mentor-bell")
    mentor.locator("#bell").click()
    submitted = mentor.locator("#inbox li[data-kind=report_submitted]", has_text=project_name).first
    expect(submitted).to_contain_text(due.label)
    shots(mentor, "mentor-inbox")
    submitted.locator("a").click()
    expect(mentor).to_have_url(re.compile(r"/period-reports/\d+/review$"))
    mentor.goto("/period-reports/review")
    expect(mentor.locator("#yours")).to_contain_text(project_name)
    shots(mentor, "mentor-review-queue")
