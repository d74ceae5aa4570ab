"""The audit log on a 375 px phone, in French and Arabic (issue 19, point 5): events read as sentences of the
app (translated action, the entity by its name, labelled fields), no raw JSON until "details" is opened."""

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_smoke import log_in, shoot, switch_language

pytestmark = pytest.mark.browser

WIDTH = 375
PHONE = {"viewport": {"width": WIDTH, "height": 740}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
DETAILS = {"fr": "Détails", "ar": "التفاصيل"}


@pytest.mark.parametrize("code", ["fr", "ar"])
def test_audit_log_reads_without_raw_json(browser: Browser, base_url, demo_password, screenshots_dir, code):
    context = browser.new_context(base_url=base_url, locale="fr-FR", **PHONE)
    page = context.new_page()
    try:
        log_in(page, base_url, "admin", demo_password)
        switch_language(page, code)
        page.goto("/admin/audit/")
        events = page.locator("article.audit-event")
        expect(events.first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
        # no raw JSON nor action codes in sight: the stored event waits behind "details"
        expect(page.locator("article.audit-event pre").first).to_be_hidden()
        assert "{" not in events.first.locator(".card-header").inner_text()
        summary = events.first.locator("details summary")
        expect(summary).to_have_text(DETAILS[code])
        shoot(page, screenshots_dir, f"phone-{code}-audit-log")
        summary.click()
        expect(events.first.locator("pre")).to_be_visible()
        expect(events.first.locator("pre")).to_contain_text('"action"')
    finally:
        switch_language(page, "fr")
        context.close()
