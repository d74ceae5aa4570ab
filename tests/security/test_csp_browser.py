"""The Content-Security-Policy in a real browser: no page of the demo trips it (no inline code anywhere,
Chart.js and the forms' scripts run under `script-src 'self'; style-src 'self'`)."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import (  # noqa: F401  (the live server on the demo, as tests/browser/ uses it)
    _db,
    _require_chromium,
    base_url,
    browser_context_args,
    browser_type_launch_args,
    demo_database,
    demo_password,
    live_app,
    live_server,
)
from tests.browser.test_smoke import log_in

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
    e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""
SKIP = re.compile(r"logout|download|export|/files?/|one-pager|format=|\.(xlsx|csv|pdf|zip|json)$", re.I)
MAX_PAGES = 60


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


@pytest.mark.parametrize("role", ["admin", "holder"])
def test_no_page_violates_the_content_security_policy(browser: Browser, base_url, demo_password, role):  # noqa: F811
    context = browser.new_context(base_url=base_url, locale="fr-FR")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on("console", lambda msg: errors.append(f"{page.url}: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    log_in(page, base_url, role, demo_password)

    queue, seen, visited, violations = ["/"], set(), [], []
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        if _shape(path) in seen:
            continue
        seen.add(_shape(path))
        try:
            response = page.goto(path)
        except PlaywrightError:  # a download slipped through the filter
            continue
        assert response is not None and response.status < 500, path
        assert "default-src 'self'" in response.headers.get("content-security-policy", ""), path
        page.wait_for_timeout(100)  # goto waited for "load"; let scripts run on DOMContentLoaded/load handlers
        visited.append(path)
        violations += [f"{path}: {v}" for v in page.evaluate("window.__cspViolations")]
        for href in page.locator("a[href]").evaluate_all("links => links.map(a => a.href)"):
            parts = urlsplit(href)
            if parts.netloc == urlsplit(base_url).netloc and not SKIP.search(href):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    context.close()
    assert len(visited) >= (20 if role == "admin" else 5), visited
    # The report pages with charts and the forms with scripts were among them.
    if role == "admin":
        assert any(p.startswith("/reports") for p in visited), visited
    assert violations == [] and errors == [], violations + errors
