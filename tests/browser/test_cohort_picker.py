"""The list pages' cohort filter is a server-searched picker (issue 20): "all" and the page's own choices come
first in its list, whatever is typed, before the cohorts the server sends; a chosen cohort filters the page."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import pick
from tests.browser.test_journey_report import DEMO_COHORT
from tests.browser.test_smoke import log_in, switch_language

pytestmark = pytest.mark.browser


def test_the_trainings_cohort_filter(page: Page, base_url, demo_password):
    log_in(page, base_url, "staff", demo_password)
    switch_language(page, "fr")
    page.goto("/trainings/")
    with page.expect_response(lambda r: "/pickers/cohorts" in r.url and "q=&" in r.url):
        page.locator(".ts-wrapper:has(#f-cohort-ts-control) .ts-control").click()
    options = page.locator("#f-cohort-ts-dropdown .option")
    expect(options.first).to_have_text("Toutes")
    expect(options.nth(1)).to_have_text("Tout le programme (sans cohorte)")
    expect(options.nth(2)).to_contain_text(DEMO_COHORT)
    # The page's own choices stay first whatever is typed; the server's answer follows.
    with page.expect_response(lambda r: "/pickers/cohorts" in r.url and "q=zzz&" in r.url):
        page.locator("#f-cohort-ts-control").fill("zzz")
    expect(options).to_have_count(2)
    expect(options.nth(1)).to_have_text("Tout le programme (sans cohorte)")
    page.locator("#f-cohort-ts-control").fill("")
    page.keyboard.press("Escape")

    pick(page, "f-cohort", DEMO_COHORT)
    page.locator("main form[role=search] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/trainings/\?cohort=\d+"))
    expect(page.locator("#f-cohort option:checked")).to_have_text(DEMO_COHORT)
    cells = page.locator("main tbody tr td:nth-child(4)")
    expect(cells.first).to_be_visible()
    assert set(cells.all_inner_texts()) <= {DEMO_COHORT, "Tout le programme"}


def test_on_a_phone_the_picker_is_as_tall_as_the_selects_beside_it(page: Page, base_url, demo_password):
    page.set_viewport_size({"width": 390, "height": 800})
    log_in(page, base_url, "staff", demo_password)
    page.goto("/")
    picker = page.locator(".ts-wrapper:has(#pf-cohort-ts-control) .ts-control").bounding_box()
    status = page.locator("#pf-status").bounding_box()
    assert picker["height"] >= 44 and abs(picker["height"] - status["height"]) < 1
    assert abs((picker["y"] + picker["height"]) - (status["y"] + status["height"])) <= 1  # lined up
