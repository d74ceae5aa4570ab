"""axe-core on the key pages, in French and in Arabic: no violation of impact "serious" or "critical".

axe-core is vendored in tests/browser/assets/axe-core/ (from the npm registry; see its README.md) and injected
into each page, so the check needs no network. The rule sets are WCAG 2.0/2.1 A and AA plus axe's best practices.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import make_holder_owe_a_report
from tests.browser.test_smoke import ACCOUNTS, log_in, project_ids

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "assets" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
LANGUAGES = ["fr", "ar"]


def axe_violations(page: Page) -> list[dict]:
    """Runs axe-core on the whole document; returns every violation (all impacts), nodes included."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                          summary: (n.failureSummary || '').slice(0, 400)})),
            }));
        }""",
        AXE_TAGS,
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            lines.append(f"    {node['target']}\n        {node['html']}\n        {node['summary']}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more nodes")
    return "\n".join(lines)


def assert_no_blocking_violations(page: Page, what: str) -> None:
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, f"{what}: {len(blocking)} serious/critical axe violation(s)\n{describe(blocking)}"


def ensure_language(page: Page, code: str) -> None:
    """The language bar posts the choice (kept in the profile or the session) and reloads the same page."""
    if page.locator("html").get_attribute("lang") != code:
        with page.expect_navigation():  # what is read next (counts, axe) must be the new page, fully loaded
            page.locator(f"button[name=locale][value={code}]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")


@dataclass(frozen=True)
class KeyPage:
    role: str | None  # None: not signed in
    url: str


@pytest.fixture(scope="module")
def sessions(browser: Browser, base_url, demo_password, tmp_path_factory) -> dict[str, str]:
    """One sign-in per role, kept as a Playwright storage state file (cookies), reused by every test."""
    folder = tmp_path_factory.mktemp("axe-states")
    states = {}
    for role in ACCOUNTS:
        context = browser.new_context(base_url=base_url, locale="fr-FR")
        try:
            log_in(context.new_page(), base_url, role, demo_password)
            states[role] = str(folder / f"{role}.json")
            context.storage_state(path=states[role])
        finally:
            context.close()
    yield states
    # The language is kept in each profile: leave every demo account in French for the other modules.
    for state in states.values():
        context = browser.new_context(base_url=base_url, storage_state=state)
        try:
            page = context.new_page()
            page.goto("/")
            ensure_language(page, "fr")
        finally:
            context.close()


@pytest.fixture(scope="module")
def key_pages(browser: Browser, base_url, sessions, demo_database) -> dict[str, KeyPage]:
    """The URLs of the key pages, found by following links the way users do; the holder owes a report
    whichever tests ran before."""
    make_holder_owe_a_report(demo_database)
    context = browser.new_context(base_url=base_url, storage_state=sessions["holder"])
    try:
        page = context.new_page()
        page.goto("/")
        holder_project = project_ids(page)[0]
        report_links = page.locator("#reports-due a[href*='/period-reports/projects/']")
        assert report_links.count(), "the demo holder has no report to fill"
        report_form = report_links.first.evaluate("a => a.pathname")
    finally:
        context.close()
    context = browser.new_context(base_url=base_url, storage_state=sessions["staff"])
    try:
        page = context.new_page()
        page.goto("/trainings/")
        sheets = page.locator("main a[href$='/attendance']")
        assert sheets.count(), "the demo training list links to no attendance sheet"
        # the oldest on the page: a training already held, whose sheet takes attendance (a future one does not)
        attendance = sheets.last.evaluate("a => a.pathname")
        has_cohort_report = page.request.get("/reports/cohort").status != 404
    finally:
        context.close()
    pages = {
        "login": KeyPage(None, "/login"),
        "home-admin": KeyPage("admin", "/"),
        "home-manager": KeyPage("manager", "/"),
        "home-staff": KeyPage("staff", "/"),
        "home-holder": KeyPage("holder", "/"),
        "project-list": KeyPage("staff", "/projects/"),
        "project-page": KeyPage("staff", f"/projects/{holder_project}"),
        "holder-project-page": KeyPage("holder", f"/projects/{holder_project}"),
        "session-form": KeyPage("staff", "/sessions/new"),
        "attendance-sheet": KeyPage("staff", attendance),
        "report-form": KeyPage("holder", report_form),
        "review-queue": KeyPage("staff", "/period-reports/review"),
        "api-tokens": KeyPage("manager", "/account/tokens/"),
        "api-docs": KeyPage(None, "/api/v1/docs"),
    }
    if has_cohort_report:
        pages["cohort-report"] = KeyPage("manager", "/reports/cohort")
    return pages


PAGE_KEYS = [
    "login", "home-admin", "home-manager", "home-staff", "home-holder", "project-list", "project-page",
    "holder-project-page", "session-form", "attendance-sheet", "report-form", "review-queue", "cohort-report",
    "api-tokens", "api-docs",
]


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("key", PAGE_KEYS)
def test_key_page_has_no_serious_accessibility_violation(browser: Browser, base_url, sessions, key_pages, key, code):
    if key not in key_pages:
        # The cohort report page comes with the reports issue; until its route exists there is nothing to check.
        assert key == "cohort-report"
        return
    target = key_pages[key]
    state = sessions[target.role] if target.role else None
    context = browser.new_context(base_url=base_url, storage_state=state, locale="fr-FR", bypass_csp=True,
                                  viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        response = page.goto(target.url)
        assert response is not None and response.status == 200, f"{key}: GET {target.url} → {response.status}"
        ensure_language(page, code)
        expect(page.locator("main h1").first).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert_no_blocking_violations(page, f"{key} ({code}, {target.url})")
    finally:
        context.close()


@pytest.mark.parametrize("code", LANGUAGES)
def test_form_errors_shown_after_a_bad_submit_are_accessible(browser: Browser, base_url, sessions, code):
    """Error states matter too: the session form sent empty shows its messages without new violations."""
    context = browser.new_context(base_url=base_url, storage_state=sessions["staff"], locale="fr-FR", bypass_csp=True)
    try:
        page = context.new_page()
        page.goto("/sessions/new")
        ensure_language(page, code)
        page.locator("#session-form").evaluate("f => f.noValidate = true")
        page.locator("#session-form button[name=submit]:not(.visually-hidden)").first.click()
        expect(page.locator("main .invalid-feedback, main .alert-danger").first).to_be_visible()
        assert_no_blocking_violations(page, f"session form with errors ({code})")
    finally:
        context.close()


def test_axe_itself_reports_a_known_violation(browser: Browser, base_url):
    """The check is not vacuous: a page with an unlabelled input and poor contrast fails it."""
    context = browser.new_context(base_url=base_url, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto("/login")
        page.evaluate(
            """() => {
                const input = document.createElement('input');
                input.type = 'text';
                document.querySelector('main').appendChild(input);
                const p = document.createElement('p');
                p.textContent = 'pale';
                p.style.color = '#ddd';
                document.querySelector('main').appendChild(p);
            }"""
        )
        ids = {v["id"] for v in axe_violations(page) if v["impact"] in BLOCKING}
        assert {"label", "color-contrast"} <= ids, json.dumps(sorted(ids))
    finally:
        context.close()


def test_every_page_declares_language_direction_and_landmarks(browser: Browser, base_url, sessions):
    """lang/dir on <html>, one <main>, a labelled main navigation, one h1 (checked in Arabic on the holder home)."""
    context = browser.new_context(base_url=base_url, storage_state=sessions["holder"], locale="fr-FR", bypass_csp=True)
    try:
        page = context.new_page()
        page.goto("/")
        ensure_language(page, "ar")
        assert page.locator("main").count() == 1
        assert page.locator("main h1").count() == 1
        assert re.fullmatch(r".+", page.locator("nav.navbar").get_attribute("aria-label") or "")
        ensure_language(page, "fr")
    finally:
        context.close()
