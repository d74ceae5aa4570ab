"""Browser journey of issue 4, in French and in Arabic, on the live demo server.

A mentor logs a session with two action items in one form; the holder sees the shared summary but never
the staff-only notes; the mentor marks one action item done from "my portfolio". Screenshots of the session
form, the portfolio and the project timeline land in tests/artifacts/screenshots/, desktop and phone.

Every run types its own random texts, so the tests do not depend on each other or on their order.
"""

import datetime as dt
import re
import uuid
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import pick
from tests.browser.test_smoke import log_in, project_ids, shoot, switch_language

pytestmark = pytest.mark.browser

LANGUAGES = ["fr", "ar"]
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}

# What a mentor would type, in the language of the run (Arabic text exercises bidi in the screenshots).
TEXTS = {
    "fr": {
        "summary": "Résumé partagé {tag} : prix de vente revu, fiche produit à refaire avant le salon.",
        "note": "Note interne {tag} : équipe fatiguée, à suivre de près.",
        "overdue": "Envoyer les trois devis fournisseurs {tag}",
        "future": "Préparer le dossier de financement {tag}",
        "topics": "prix de vente, salon régional",
    },
    "ar": {
        "summary": "ملخص مشترك {tag}: مراجعة سعر البيع وإعادة بطاقة المنتج قبل المعرض.",
        "note": "ملاحظة داخلية {tag}: الفريق متعب، يجب المتابعة عن قرب.",
        "overdue": "إرسال عروض الأسعار الثلاثة {tag}",
        "future": "إعداد ملف التمويل {tag}",
        "topics": "سعر البيع، المعرض الجهوي",
    },
}


@dataclass(frozen=True)
class HolderProject:
    id: int
    name: str


@dataclass(frozen=True)
class Story:
    summary: str
    note: str
    note_tag: str  # appears only in the note: its absence from a page is the real check
    overdue: str
    future: str
    topics: str


def new_story(code: str) -> Story:
    tag, note_tag = uuid.uuid4().hex[:8], uuid.uuid4().hex[:8]
    texts = TEXTS[code]
    return Story(
        summary=texts["summary"].format(tag=tag),
        note=texts["note"].format(tag=note_tag),
        note_tag=note_tag,
        overdue=texts["overdue"].format(tag=tag),
        future=texts["future"].format(tag=tag),
        topics=texts["topics"],
    )


@pytest.fixture(scope="module")
def holder_project(browser: Browser, base_url, demo_password) -> HolderProject:
    """The demo holder's project, found the way the holder finds it: from their home page."""
    context = browser.new_context(base_url=base_url, locale="fr-FR")
    try:
        page = context.new_page()
        log_in(page, base_url, "holder", demo_password)
        ids = project_ids(page)
        assert ids, "the demo holder's home links to no project"
        page.goto(f"/projects/{ids[0]}")
        name = page.locator("main h1 bdi").first.inner_text().strip()
        assert name, "the holder's project page shows no project name"
        return HolderProject(ids[0], name)
    finally:
        context.close()


def no_sideways_scroll(page: Page, what: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{what}: the page is {overflow}px wider than a 375px phone screen"


def blur(page: Page) -> None:
    """No caret or focus ring in the screenshots."""
    page.evaluate("document.activeElement && document.activeElement.blur()")


def open_items(page: Page):
    """The "open action items" list: of the portfolio (a section) or of the project page (an aside)."""
    return page.locator(":is(section, aside)[aria-labelledby=items-title]")


# ---------------------------------------------------------------- steps


def log_the_session(page: Page, base_url: str, project: HolderProject, story: Story, code: str, shots) -> None:
    """Staff: portfolio button → form → search the project → fill everything → two action items → save once."""
    today = dt.date.today()
    page.locator("main a[href$='/sessions/new']").click()
    expect(page).to_have_url(re.compile(r"/sessions/new$"))
    form = page.locator("#session-form")

    # Project: type its name in the picker, the server finds it (issue 17), pick it.
    select = form.locator("#project_id")
    pick(page, "project_id", project.name)
    expect(select).to_have_value(str(project.id))

    # The date is today unless changed. An action item may not be due before its session, so for one to be
    # overdue already the mentor logs last week's call: the session date moves back a week.
    session_date = form.locator("#date")
    expect(session_date).to_have_value(today.isoformat())
    session_date.fill((today - dt.timedelta(days=7)).isoformat())
    duration = form.locator("#duration_minutes")
    duration.fill("")
    duration.press_sequentially("45")

    phone_mode = form.locator("input[name=mode][value=phone]")
    form.locator(f"label[for='{phone_mode.get_attribute('id')}']").click()
    expect(phone_mode).to_be_checked()

    form.locator("#topics").fill(story.topics)
    form.locator("#shared_summary").fill(story.summary)
    form.locator("#staff_notes").fill(story.note)

    # The two empty rows offered by default: one for the project, overdue; one for the mentor, ahead.
    rows = form.locator("[data-items] [data-item-row]")
    expect(rows).to_have_count(2)
    form.locator("#items-0-description").fill(story.overdue)
    form.locator("#items-0-owner_kind").select_option("project")
    expect(form.locator("#items-0-owner_user_id")).to_be_hidden()
    form.locator("#items-0-due_date").fill((today - dt.timedelta(days=3)).isoformat())

    form.locator("#items-1-description").fill(story.future)
    form.locator("#items-1-owner_kind").select_option("staff")
    owner = form.locator("#items-1-owner_user_id")
    expect(owner).to_be_visible()
    expect(owner).to_have_value("")  # "the mentor of the session": the one logging it
    form.locator("#items-1-due_date").fill((today + dt.timedelta(days=14)).isoformat())
    blur(page)
    shoot(page, shots, f"{code}-session-form")

    # Submit once, with the visible "save" button.
    with page.expect_navigation():
        form.locator("button[name=submit]:not([aria-hidden=true])").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(base_url)}/projects/{project.id}(#timeline)?$"))
    expect(page.locator(".alert-success[role=status]").filter(has_text=project.name)).to_be_visible()

    timeline = page.locator("#timeline")
    event = timeline.locator("li.timeline-event", has_text=story.summary)
    expect(event).to_have_count(1)
    expect(event).to_contain_text(story.overdue)
    expect(event).to_contain_text(story.future)
    expect(event).to_contain_text(story.note)  # staff read their own notes: the holder check below means something
    aside = open_items(page)
    expect(aside.locator("li", has_text=story.overdue)).to_have_count(1)
    expect(aside.locator("li", has_text=story.future)).to_have_count(1)


def holder_sees_the_summary_not_the_note(
    page: Page, base_url: str, password: str, project: HolderProject, story: Story, code: str
) -> None:
    log_in(page, base_url, "holder", password)
    switch_language(page, code)
    response = page.goto(f"/projects/{project.id}")
    assert response is not None and response.status == 200
    event = page.locator("#timeline li.timeline-event", has_text=story.summary)
    expect(event).to_be_visible()
    assert story.note_tag not in page.content(), "the staff note reached the holder's project page"

    details = event.locator("a[href*='/sessions/']")
    expect(details).to_have_count(1)
    details.click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+$"))
    expect(page.locator("main")).to_contain_text(story.summary)
    assert story.note_tag not in page.content(), "the staff note reached the holder's session page"

    response = page.goto(page.url + "/edit")
    assert response is not None and response.status in (403, 404), "a holder may open the session edit form"


def mark_one_done_from_portfolio(page: Page, project: HolderProject, story: Story, code: str, shots) -> None:
    page.goto("/")
    items = open_items(page)
    overdue = items.locator("li", has_text=story.overdue)
    expect(overdue).to_have_count(1)
    expect(overdue).to_contain_text(project.name)
    with page.expect_navigation():
        overdue.get_by_role("button").click()
    expect(page.locator(".alert-success[role=status]")).to_be_visible()
    expect(page.locator("main h1")).to_be_visible()
    items = open_items(page)
    expect(items.locator("li", has_text=story.overdue)).to_have_count(0)
    expect(items.locator("li", has_text=story.future)).to_have_count(1)
    shoot(page, shots, f"{code}-portfolio")

    page.goto(f"/projects/{project.id}")
    expect(open_items(page).locator("li", has_text=story.overdue)).to_have_count(0)
    expect(open_items(page).locator("li", has_text=story.future)).to_have_count(1)
    expect(page.locator("#timeline li.timeline-action_done", has_text=story.overdue)).to_have_count(1)
    page.locator("#timeline").scroll_into_view_if_needed()
    shoot(page, shots, f"{code}-project-timeline")


# ---------------------------------------------------------------- tests


@pytest.mark.parametrize("code", LANGUAGES)
def test_mentor_logs_a_session_holder_sees_summary_only_mentor_closes_an_item_from_portfolio(
    new_context, base_url, demo_password, screenshots_dir, holder_project, code
):
    story = new_story(code)

    staff = new_context().new_page()
    log_in(staff, base_url, "staff", demo_password)
    switch_language(staff, code)
    expect(staff.locator("html")).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")
    log_the_session(staff, base_url, holder_project, story, code, screenshots_dir)

    holder = new_context().new_page()
    holder_sees_the_summary_not_the_note(holder, base_url, demo_password, holder_project, story, code)

    mark_one_done_from_portfolio(staff, holder_project, story, code, screenshots_dir)


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.browser_context_args(**PHONE)
def test_session_form_portfolio_and_timeline_fit_a_phone(
    page: Page, base_url, demo_password, screenshots_dir, holder_project, code
):
    log_in(page, base_url, "staff", demo_password)
    switch_language(page, code)

    page.goto(f"/sessions/new?project={holder_project.id}")
    expect(page.locator("#project_id")).to_have_value(str(holder_project.id))
    page.locator("#items-0-description").fill(TEXTS[code]["overdue"].format(tag="…"))
    page.locator("#items-0-owner_kind").select_option("staff")
    expect(page.locator("#items-0-owner_user_id")).to_be_visible()
    blur(page)
    shoot(page, screenshots_dir, f"{code}-session-form-phone")
    no_sideways_scroll(page, "session form")

    page.goto("/")
    expect(open_items(page)).to_be_visible()
    shoot(page, screenshots_dir, f"{code}-portfolio-phone")
    no_sideways_scroll(page, "portfolio")

    page.goto(f"/projects/{holder_project.id}#timeline")
    expect(page.locator("#timeline")).to_be_visible()
    shoot(page, screenshots_dir, f"{code}-project-timeline-phone")
    no_sideways_scroll(page, "project page")
