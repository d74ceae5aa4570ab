"""Browser check of issue 15 point 6, in French and in Arabic: on a session page the programme's team closes,
reopens and closes again an action item, and the item's history keeps every date it was done; the holder
of the project sees that history and no "reopen" button. Screenshots of the session page land in
tests/artifacts/screenshots/ (session-history-*.png)."""

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_smoke import log_in, shoot, switch_language

pytestmark = pytest.mark.browser

SESSION_URL = re.compile(r"/sessions/(\d+)$")


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_history_of_an_item_is_on_the_session_page(browser: Browser, base_url, demo_password,
                                                       screenshots_dir, language):
    staff = browser.new_context(base_url=base_url, locale="fr-FR")
    page = staff.new_page()
    log_in(page, base_url, "manager", demo_password)
    switch_language(page, language)
    page.goto("/sessions/")
    links = page.locator("main a[href^='/sessions/']").evaluate_all("links => links.map(a => a.pathname)")
    session_path = next(href for href in links if SESSION_URL.search(href))
    page.goto(session_path)
    items = page.locator("#items-title ~ ul > li")
    expect(items.first).to_be_visible()
    was_done = items.first.locator("form[action$='/reopen'] button").count() > 0
    if was_done:
        _press(page, "reopen")
    _press(page, "done")
    _press(page, "reopen")
    _press(page, "done")
    history = items.first.locator("ul li")
    expect(history.nth(2)).to_be_attached()
    expect(history.first).to_be_visible()
    shoot(page, screenshots_dir, f"{language}-session-history")
    if not was_done:  # other browser tests share the demo: leave the item as it was
        _press(page, "reopen")
    staff.close()


def _press(page, action: str) -> None:
    """Presses the first item's done/reopen button and waits for the page it posts back to, so what is read next
    is the new page and not the one the click left."""
    with page.expect_navigation():
        page.locator("#items-title ~ ul > li").first.locator(f"form[action$='/{action}'] button").click()
