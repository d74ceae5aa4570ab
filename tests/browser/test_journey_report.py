"""Browser journey of issue 6: a manager opens the cohort report of the demo, sets a date window, toggles
"include submitted values", sees the banner, downloads the XLSX and the PDF with the same filters.

Issue 18: the page opens with the written summary and shows each indicator's trend (a line chart and a table);
the "annex" box adds one page per project to the PDF; the "projects to follow" list shows the 10 most urgent
first, ranked by score.

Screenshots: report-fr.png, report-ar.png (desktop), report-summary-{fr,ar}.png, report-trends-{fr,ar}.png,
report-attention-fr.png and report-ar-phone.png (375 px wide) in tests/artifacts/screenshots/. On the phone
the page must not scroll sideways: wide tables scroll inside their `.table-responsive` box. The manager's
language is set back to French at the end.
"""

import datetime as dt
import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_smoke import log_in, shoot, switch_language

pytestmark = pytest.mark.browser

DEMO_COHORT = "Innov Impact Démo — Safi"
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
CHARTS = ("chart-sector", "chart-status", "chart-people", "chart-trainings", "chart-mentoring", "chart-milestones",
          "chart-indicators", "chart-completeness", "chart-trends")


def _window() -> tuple[str, str]:
    today = dt.date.today()
    return (today - dt.timedelta(days=365)).isoformat(), today.isoformat()


def _charts_drawn(page: Page) -> list[str]:
    return page.evaluate(
        "ids => ids.filter(id => window.Chart && Chart.getChart(id) && document.getElementById(id).width > 0)",
        list(CHARTS),
    )


def _show_report(page: Page) -> None:
    """"Show the report" sends the filter form (GET): wait for the page it loads, so that the links, boxes and
    banner read or clicked next are the new page's, not those of the page the click leaves."""
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher le rapport").click()


# The annex PDF of the 32-project demo takes ~17 s on a quiet 2-core machine; a busy one may double it.
DOWNLOAD_TIMEOUT_MS = 180_000


def _download(page: Page, fmt: str, folder) -> bytes:
    with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as info:
        page.locator(f"a[data-format={fmt}]").click(timeout=DOWNLOAD_TIMEOUT_MS)
    download = info.value
    assert download.failure() is None
    path = folder / download.suggested_filename
    download.save_as(path)
    return path.read_bytes()


def test_manager_sets_a_window_toggles_submitted_values_and_downloads(
    page: Page, base_url, demo_password, screenshots_dir, tmp_path
):
    log_in(page, base_url, "manager", demo_password)
    switch_language(page, "fr")
    page.locator("nav a[href='/reports/cohort']").click()
    expect(page.locator("main h1")).to_have_text("Rapport de cohorte")

    start, end = _window()
    page.locator("#rf-cohort").select_option(label=DEMO_COHORT)
    page.locator("#rf-from").fill(start)
    page.locator("#rf-to").fill(end)
    expect(page.locator("#submitted-banner")).to_have_count(0)
    page.locator("#rf-submitted").check()
    _show_report(page)

    expect(page.locator("#submitted-banner")).to_be_visible()
    expect(page.locator("#submitted-banner")).to_contain_text("pas encore été approuvées")
    query = parse_qs(urlparse(page.url).query)
    assert query["from"] == [start] and query["to"] == [end] and query["submitted"] == ["1"]
    expect(page.locator("[data-metric='filters.cohorts']")).to_have_attribute("data-value", "innov-impact-demo-safi")
    assert int(page.locator("[data-metric='portfolio.projects']").first.get_attribute("data-value")) == 32
    page.wait_for_load_state("networkidle")
    assert sorted(_charts_drawn(page)) == sorted(CHARTS)

    # the files carry the same filters as the page
    xlsx_href = page.locator("a[data-format=xlsx]").get_attribute("href")
    assert f"from={start}" in xlsx_href and f"to={end}" in xlsx_href and "submitted=1" in xlsx_href
    assert _download(page, "xlsx", tmp_path).startswith(b"PK")
    without_annex = _download(page, "pdf", tmp_path)
    assert without_annex.startswith(b"%PDF")

    # the summary opens the page; the trends show every indicator period by period
    expect(page.locator("#summary p").first).to_contain_text("Sur la période, le programme a accompagné 32 projets")
    assert page.locator("#trends table.trends-table tbody tr").count() == len(
        page.locator("#indicators table").first.locator("tbody tr").all())
    page.locator("#summary").screenshot(path=str(screenshots_dir / "report-summary-fr.png"))
    page.locator("#trends").screenshot(path=str(screenshots_dir / "report-trends-fr.png"))
    # the 10 most urgent projects first, by score, the others folded
    scores = [int(s) for s in page.locator("ol.attention-top > li").evaluate_all(
        "items => items.map(i => i.dataset.score)")]
    assert len(scores) == 10 and scores == sorted(scores, reverse=True)
    expect(page.locator("details.attention-others")).to_be_visible()
    page.locator("#attention").screenshot(path=str(screenshots_dir / "report-attention-fr.png"))

    # the annex box: the PDF gets one more page per project
    page.locator("#rf-annex").check()
    _show_report(page)
    assert "annex=1" in page.locator("a[data-format=pdf]").get_attribute("href")
    with_annex = _download(page, "pdf", tmp_path)
    assert with_annex.count(b"/Type /Page\n") >= without_annex.count(b"/Type /Page\n") + 32 or \
        len(with_annex) > len(without_annex) * 2
    page.locator("#rf-annex").uncheck()
    _show_report(page)

    # switching the submitted values off removes the banner
    page.locator("#rf-submitted").uncheck()
    _show_report(page)
    expect(page.locator("#submitted-banner")).to_have_count(0)
    page.locator("#rf-submitted").check()
    _show_report(page)
    expect(page.locator("#submitted-banner")).to_be_visible()
    shoot(page, screenshots_dir, "report-fr")

    switch_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page).to_have_url(re.compile(r"/reports/cohort\?"))
    expect(page.locator("#submitted-banner")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert sorted(_charts_drawn(page)) == sorted(CHARTS)
    shoot(page, screenshots_dir, "report-ar")
    page.locator("#summary").screenshot(path=str(screenshots_dir / "report-summary-ar.png"))
    page.locator("#trends").screenshot(path=str(screenshots_dir / "report-trends-ar.png"))
    switch_language(page, "fr")


def test_report_on_a_phone_in_arabic_does_not_scroll_sideways(browser: Browser, base_url, demo_password,
                                                               screenshots_dir):
    context = browser.new_context(base_url=base_url, locale="fr-FR", **PHONE)
    page = context.new_page()
    try:
        log_in(page, base_url, "manager", demo_password)
        start, end = _window()
        page.goto(f"/reports/cohort?from={start}&to={end}&submitted=1")
        switch_language(page, "ar")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("#submitted-banner")).to_be_visible()
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the report is {overflow}px wider than a 375px phone screen"
        # the wide grid scrolls inside its own box
        grid = page.locator("table.completeness-grid")
        expect(grid).to_be_visible()
        assert grid.evaluate("t => t.closest('.table-responsive') !== null")
        assert sorted(_charts_drawn(page)) == sorted(CHARTS)
        shoot(page, screenshots_dir, "report-ar-phone")
        switch_language(page, "fr")
    finally:
        context.close()
