"""The period report form on a 375 px phone, in French and Arabic (issue 19, point 1).

A benchmark-style check: the demo holder's report is measured and its height printed (run with `-s` to see
it); it must stay under MAX_HEIGHT. Also: no sideways scroll, the live total shows no number for a value the
server would refuse, the error summary links to each field in error, and "Submit" asks first and says what
happens next. Screenshots: tests/artifacts/screenshots/phone-<code>-report-form-compact.png.

Named to run before the journeys (tests/browser runs in file order on one live demo database): they submit,
return and correct the same report, whose page then carries their history; this measures the demo's own.
"""

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_smoke import log_in, shoot, switch_language

pytestmark = pytest.mark.browser

WIDTH = 375
MAX_HEIGHT = 1800
PHONE = {"viewport": {"width": WIDTH, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
INVALID = {"fr": "à vérifier", "ar": "يجب التحقق"}
CONFIRM = {"fr": "ne pourrez plus le modifier", "ar": "لن يكون بإمكانك تعديله"}


@pytest.fixture
def holder_phone(browser: Browser, base_url, demo_password, holder_owes_a_report):
    context = browser.new_context(base_url=base_url, locale="fr-FR", **PHONE)
    page = context.new_page()
    log_in(page, base_url, "holder", demo_password)
    yield page
    switch_language(page, "fr")
    context.close()


def _open_report(page) -> str:
    page.goto("/")
    path = page.locator("#reports-due a[href*='/period-reports/projects/']").first.evaluate("a => a.pathname")
    page.goto(path)
    expect(page.locator("#report-form")).to_be_visible()
    return path


@pytest.mark.parametrize("code", ["fr", "ar"])
def test_report_form_fits_a_phone(holder_phone, screenshots_dir, code):
    page = holder_phone
    switch_language(page, code)
    path = _open_report(page)
    page.wait_for_load_state("networkidle")
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"\nreport form {path} at {WIDTH} px ({code}): {height} px high (limit {MAX_HEIGHT})")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, "no sideways scroll"
    assert height < MAX_HEIGHT, f"the demo report is {height} px high at {WIDTH} px ({code})"
    # A disaggregated indicator is one compact grid, the previous period's value under its fields.
    grid = page.locator(".cell-grid").first
    expect(grid.locator("input[data-cell]")).to_have_count(5)
    shoot(page, screenshots_dir, f"phone-{code}-report-form-compact")

    # Submit asks first, says what happens next, and going back submits nothing.
    page.locator("#report-form button[data-confirm]").click()
    dialog = page.locator("dialog#submit-confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(CONFIRM[code])
    shoot(page, screenshots_dir, f"phone-{code}-report-submit-confirm")
    dialog.locator("[data-close]").click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


@pytest.mark.parametrize("code", ["fr", "ar"])
def test_live_total_and_error_summary(holder_phone, code):
    page = holder_phone
    switch_language(page, code)
    _open_report(page)
    grid = page.locator(".cell-grid").first
    cells = grid.locator("input[data-cell]")
    output = grid.locator("output")
    for k, number in enumerate(["2", "3", "", "0", ""]):
        cells.nth(k).fill(number)
    expect(output).to_have_text("5")
    for wrong in ("abc", "-1", "1,5"):  # unreadable, negative, not a whole number of people
        cells.nth(1).fill(wrong)
        expect(output).to_have_text(INVALID[code])
        assert not re.search(r"\d", output.inner_text())

    # Saving keeps the figures out and lists the field in error at the top, linked to it.
    cells.nth(1).fill("abc")
    with page.expect_navigation():
        page.locator("#report-form button[name=action][value=save]:not(.visually-hidden)").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    link = summary.locator("a").first
    target = link.get_attribute("href")
    assert target.startswith("#") and page.locator(target).count() == 1
    expect(page.locator(target)).to_have_attribute("aria-invalid", "true")
    expect(grid.locator("output")).to_have_text(INVALID[code])
    link.click()
    expect(page.locator(target)).to_be_focused()
