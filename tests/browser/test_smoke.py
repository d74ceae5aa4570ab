"""Smoke tests in a real browser on the demo data: sign-in per role, language switch with RTL, screenshots.

Screenshots land in tests/artifacts/screenshots/ for a human to look at (French and Arabic, desktop and phone).
"""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ACCOUNTS = {
    "admin": "admin@example.org",
    "manager": "manager@example.org",
    "staff": "staff@example.org",
    "holder": "holder@example.org",
}
PROJECT_URL = re.compile(r"/projects/(\d+)$")


def log_in(page: Page, base_url: str, role: str, password: str) -> None:
    page.goto("/login")
    page.locator("input[name=email]").fill(ACCOUNTS[role])
    page.locator("input[name=password]").fill(password)
    # Wait for the page the sign-in posts back to, loaded: callers read it (links, counts) without waiting.
    with page.expect_navigation():
        page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    # Holders with a report due land on it (#reports-due); everyone else on the home page.
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/(#reports-due)?$"))


def switch_language(page: Page, code: str) -> None:
    """The language bar at the top of every page posts the choice and comes back to the same page.

    Waits for that page, loaded: when the page is already in `code` (the profile kept it), the `lang` check
    alone passes on the page the click leaves, and what the caller reads or clicks next would land on it."""
    with page.expect_navigation():
        page.locator(f"button[name=locale][value={code}]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def project_ids(page: Page) -> list[int]:
    hrefs = page.locator("main a[href*='/projects/']").evaluate_all("links => links.map(a => a.pathname)")
    ids = []
    for href in hrefs:
        match = PROJECT_URL.search(href)
        if match and int(match.group(1)) not in ids:
            ids.append(int(match.group(1)))
    return ids


def shoot(page: Page, folder, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("role", ["admin", "manager", "staff", "holder"])
def test_each_role_signs_in_and_reaches_the_home_page(page: Page, base_url, demo_password, role):
    log_in(page, base_url, role, demo_password)
    switch_language(page, "fr")

    expect(page.locator("main h1").first).to_be_visible()
    headings = {"holder": "Bonjour", "staff": "Mon portefeuille", "admin": "Portefeuilles", "manager": "Portefeuilles"}
    heading = headings[role]
    expect(page.locator("main h1").first).to_contain_text(heading)
    expect(page).to_have_url(re.compile(rf"^{re.escape(base_url)}/(#reports-due)?$"))


def test_language_bar_switches_to_arabic_right_to_left_and_back(page: Page, base_url, demo_password):
    log_in(page, base_url, "staff", demo_password)
    page.goto("/projects/")

    switch_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page).to_have_url(re.compile(r"/projects/"))
    expect(page.locator("button[name=locale][value=ar]")).to_have_attribute("aria-current", "true")

    switch_language(page, "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("button[name=locale][value=fr]")).to_have_attribute("aria-current", "true")


def test_the_language_choice_before_signing_in_is_kept(page: Page):
    page.goto("/login")
    switch_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    switch_language(page, "fr")


@pytest.mark.parametrize("code", ["fr", "ar"])
def test_screenshots_of_project_list_and_project_page_as_staff(
    page: Page, base_url, demo_password, screenshots_dir, code
):
    log_in(page, base_url, "staff", demo_password)
    page.goto("/projects/")
    switch_language(page, code)
    expect(page.locator("main h1")).to_be_visible()
    shoot(page, screenshots_dir, f"{code}-staff-project-list")

    ids = project_ids(page)
    assert ids, "the demo project list shows no project link"
    page.locator(f"main a[href$='/projects/{ids[0]}']").first.click()
    expect(page).to_have_url(f"{base_url}/projects/{ids[0]}")
    expect(page.locator("main h1")).to_be_visible()
    shoot(page, screenshots_dir, f"{code}-staff-project-page")


@pytest.mark.parametrize("code", ["fr", "ar"])
def test_screenshot_of_holder_home(page: Page, base_url, demo_password, screenshots_dir, code):
    log_in(page, base_url, "holder", demo_password)
    switch_language(page, code)
    expect(page.locator("main h1")).to_be_visible()
    assert project_ids(page), "the demo holder's home links to no project"
    shoot(page, screenshots_dir, f"{code}-smoke-holder-home")


@pytest.mark.browser_context_args(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
def test_holder_home_on_a_phone_in_arabic(page: Page, base_url, demo_password, screenshots_dir):
    log_in(page, base_url, "holder", demo_password)
    switch_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("main h1")).to_be_visible()
    shoot(page, screenshots_dir, "ar-smoke-holder-home-phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 375px phone screen"


def test_holder_gets_404_on_another_project(new_context, base_url, demo_password):
    staff = new_context().new_page()
    log_in(staff, base_url, "staff", demo_password)
    staff.goto("/projects/")
    all_ids = project_ids(staff)

    holder = new_context().new_page()
    log_in(holder, base_url, "holder", demo_password)
    own = set(project_ids(holder))
    assert own, "the demo holder's home links to no project"
    others = [pid for pid in all_ids if pid not in own]
    assert others, "the staff project list shows no project besides the holder's"

    response = holder.goto(f"/projects/{others[0]}")
    assert response is not None and response.status == 404
    expect(holder.locator("main")).to_contain_text("404")

    response = holder.goto(f"/projects/{min(own)}")
    assert response is not None and response.status == 200


@pytest.mark.parametrize("code", ["fr", "ar"])
@pytest.mark.browser_context_args(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
def test_holder_project_page_fits_a_phone(page: Page, base_url, demo_password, screenshots_dir, code):
    """Tables scroll inside their container; the page itself never scrolls sideways."""
    log_in(page, base_url, "holder", demo_password)
    switch_language(page, code)
    own = project_ids(page)
    page.goto(f"/projects/{own[0]}")
    expect(page.locator("main h1")).to_be_visible()
    shoot(page, screenshots_dir, f"{code}-holder-project-page-phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a 375px phone screen"
