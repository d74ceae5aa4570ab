"""Browser journeys of issues 7 and 14, in French and in Arabic, on the live demo server.

A manager creates a fresh cohort; staff upload a copy of the forum sample CSV with its six defects, read the
preview with its errors (desktop and 375 px phone), cancel, fix the file the way the README's defect table
says, upload it again, see no error, confirm, and read the result: 32 projects created. Screenshots of the
preview with errors land in tests/artifacts/screenshots/ (`<lang>-import-preview.png`, `-phone.png`).

Each run creates its own cohort (random tag), so the two languages never import into the same one.

Issue 14: the same sample uploaded into the demo cohort (P01…P32 with other names) gives one conflict per
project; staff choose for P01 and for the rest, see the preview computed with their choices, then cancel, so
the demo data other journeys rely on stays as it was. Screenshots `<lang>-import-conflicts.png` and
`<lang>-import-conflicts-chosen.png` (and `-phone`).
"""

import csv
import io
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_smoke import log_in, shoot, switch_language

pytestmark = pytest.mark.browser

LANGUAGES = ["fr", "ar"]
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
MIN_TOUCH = 44
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "forum_cohort_sample.csv"
ERROR_ROWS = [5, 32, 33, 37, 53, 61, 77, 78]


# ---------------------------------------------------------------- the files


def read_rows(path: Path) -> list[list[str]]:
    """The sample as the forum exported it: UTF-8 with BOM, `;`, CRLF. Index 0 is spreadsheet row 1."""
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8-sig"))


def fixed_rows(rows: list[list[str]]) -> list[list[str]]:
    """What staff do with the error list (../shared/data/README.md, "Intentional defects")."""
    rows = [list(r) for r in rows]
    col = {name: i for i, name in enumerate(rows[0])}

    def cell(row: int, name: str) -> str:
        return rows[row - 1][col[name]]

    def set_cell(row: int, name: str, value: str) -> None:
        rows[row - 1][col[name]] = value

    assert cell(32, "Porteur principal").strip().lower() == cell(33, "Porteur principal").strip().lower() == "oui"
    set_cell(33, "Porteur principal", "Non")  # P13: one lead
    assert not cell(37, "Nom du projet").strip()
    set_cell(37, "Nom du projet", cell(36, "Nom du projet"))  # P14: the name its other rows carry
    assert cell(53, "Date de naissance") == "31/02/1995"
    set_cell(53, "Date de naissance", "28/02/1995")
    assert "," in cell(61, "E-mail")
    set_cell(61, "E-mail", cell(61, "E-mail").replace(",", "."))
    for row in (77, 78):
        assert cell(row, "Secteur").strip() == "Tourisme rural"
        set_cell(row, "Secteur", "Services")
    assert rows[4] == rows[3]  # row 5 is a copy of row 4
    del rows[4]
    return rows


# ---------------------------------------------------------------- helpers


def blur(page: Page) -> None:
    page.evaluate("document.activeElement && document.activeElement.blur()")


def no_sideways_scroll(page: Page, what: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{what}: the page is {overflow}px wider than a 375px phone screen"


def scrolls_sideways(page: Page, table: str) -> int:
    """How many pixels the table is wider than its .table-responsive box (0: the errors read without scrolling)."""
    return page.locator(table).evaluate("t => t.parentElement.scrollWidth - t.parentElement.clientWidth")


def touch_targets_too_small(page: Page, scope: str) -> list[str]:
    return page.locator(scope).evaluate(
        """(root, min) => Array.from(root.querySelectorAll("input:not([type=hidden]), select, button, a.btn, summary"))
            .filter(el => el.offsetParent !== null)
            .map(el => [el, el.getBoundingClientRect().height])
            .filter(([el, h]) => h < min)
            .map(([el, h]) => `${el.tagName.toLowerCase()}#${el.id || el.name}: ${h.toFixed(1)}px`)""",
        MIN_TOUCH,
    )


def create_cohort(page: Page, base_url: str, password: str, name: str) -> None:
    log_in(page, base_url, "manager", password)
    page.goto("/cohorts/new")
    page.locator("#name").fill(name)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cohorts/[a-z0-9-]+$"))
    expect(page.locator("main h1")).to_have_text(name)


def upload(page: Page, cohort: str, path: Path, shot=None) -> None:
    """From the navigation bar: choose the cohort and the file, then preview."""
    page.locator("nav a[href='/imports/']").click()
    expect(page).to_have_url(re.compile(r"/imports/$"))
    page.locator("#cohort_id").select_option(label=cohort)
    page.locator("#file").set_input_files(str(path))
    if shot:
        blur(page)
        shot()
    with page.expect_navigation():
        page.locator("#import-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/imports/[0-9a-f]{32}$"))


# ---------------------------------------------------------------- the journey


@pytest.mark.parametrize("code", LANGUAGES)
def test_staff_upload_see_errors_fix_the_file_and_import_the_cohort(
    browser: Browser, new_context, base_url, demo_password, screenshots_dir, tmp_path, code
):
    tag = uuid.uuid4().hex[:6]
    cohort = f"Forum Safi {code} {tag}"
    create_cohort(new_context().new_page(), base_url, demo_password, cohort)

    rows = read_rows(SAMPLE)
    with_defects = tmp_path / f"forum-{tag}.csv"
    write_rows(with_defects, rows)
    fixed = tmp_path / f"forum-{tag}-corrige.csv"
    write_rows(fixed, fixed_rows(rows))

    page = new_context().new_page()
    log_in(page, base_url, "staff", demo_password)
    switch_language(page, code)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")

    # 1. The file with its defects: the preview lists them, by spreadsheet row; nothing is offered whole.
    upload(page, cohort, with_defects, shot=lambda: shoot(page, screenshots_dir, f"{code}-import-upload"))
    preview_url = page.url
    expect(page.locator("main .alert-danger[role=alert]")).to_be_visible()
    for row in (5, 37, 53, 61):
        expect(page.locator(f"#row-errors tr[data-lines='{row}'] th > bdi[dir=ltr]")).to_have_text(str(row))
    expect(page.locator("#project-errors")).to_contain_text("P13")
    expect(page.locator("#project-errors")).to_contain_text("P31")
    cited = {int(n) for value in page.locator("[data-lines]").evaluate_all("rows => rows.map(r => r.dataset.lines)")
             for n in value.split()}
    assert set(ERROR_ROWS) <= cited
    expect(page.locator("#confirm-all")).to_have_count(0)
    expect(page.locator("#confirm-valid")).to_be_visible()
    expect(page.locator("#download-rejected")).to_be_visible()
    expect(page.locator("#changes details")).to_have_count(0)  # every change visible without a click (issue 14)
    blur(page)
    shoot(page, screenshots_dir, f"{code}-import-preview")

    # The same preview on a phone: nothing wider than the screen, every choice easy to tap.
    phone = browser.new_context(base_url=base_url, locale="fr-FR", **PHONE)
    try:
        small = phone.new_page()
        log_in(small, base_url, "staff", demo_password)
        switch_language(small, code)
        small.goto(preview_url)
        expect(small.locator("#row-errors")).to_be_visible()
        shoot(small, screenshots_dir, f"{code}-import-preview-phone")
        no_sideways_scroll(small, "import preview")
        for table in ("#project-errors", "#row-errors"):
            assert scrolls_sideways(small, table) <= 0, f"{table} must be read without scrolling sideways"
        too_small = touch_targets_too_small(small, "#choices") + touch_targets_too_small(small, "#changes")
        assert not too_small, f"import controls under {MIN_TOUCH}px high on a phone: {too_small}"
    finally:
        phone.close()

    # 2. Cancel: the stored file goes, nothing was imported.
    with page.expect_navigation():
        page.locator("#cancel-import").click()
    expect(page).to_have_url(re.compile(r"/imports/\?cohort=\d+$"))
    expect(page.locator("main .alert-info[role=status]").first).to_be_visible()
    assert page.goto(preview_url).status == 404

    # 3. The corrected file: no error, one button imports it all.
    page.goto("/")
    upload(page, cohort, fixed)
    expect(page.locator("main .alert-success#import-status")).to_be_visible()
    expect(page.locator("#errors")).to_have_count(0)
    expect(page.locator("[data-count=projects-created]")).to_have_text("32")
    expect(page.locator("[data-count=members-created]")).to_have_text("79")
    with page.expect_navigation():
        page.locator("#confirm-all").click()

    # 4. The result: 32 projects created, the way to them.
    expect(page).to_have_url(re.compile(r"/imports/[0-9a-f]{32}/result$"))
    expect(page.locator("main .alert-success[role=status]")).to_contain_text("32")
    expect(page.locator("[data-count=projects-created]")).to_have_text("32")
    expect(page.locator("[data-count=projects-rejected]")).to_have_text("0")
    shoot(page, screenshots_dir, f"{code}-import-result")
    page.locator("main a[href*='/projects/?cohort=']").click()
    expect(page.locator("main")).to_contain_text("SafiCode Academy")


DEMO_COHORT = "Innov Impact Démo — Safi"


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_sample_into_the_demo_cohort_shows_conflicts_to_choose(
    browser: Browser, new_context, base_url, demo_password, screenshots_dir, code
):
    page = new_context().new_page()
    log_in(page, base_url, "staff", demo_password)
    switch_language(page, code)

    # 1. Every project of the file carries the number of another demo project: conflicts first, no import yet.
    upload(page, DEMO_COHORT, SAMPLE)
    preview_url = page.url
    expect(page.locator("#import-status.alert-warning")).to_be_visible()
    expect(page.locator("#conflicts [data-conflict-for]")).to_have_count(30)
    expect(page.locator("[data-conflict-for=P01]")).to_contain_text("SafiCode Academy")
    expect(page.locator("[data-conflict-for=P01]")).to_contain_text("Souk Abda en ligne")
    expect(page.locator("#choose-first")).to_be_visible()
    expect(page.locator("#confirm-valid")).to_have_count(0)
    expect(page.locator("#confirm-all")).to_have_count(0)
    first_rows = page.locator("#changes tbody tr").evaluate_all("rows => rows.slice(0, 30).map(r => r.dataset.action)")
    assert first_rows == ["conflict"] * 30  # listed first
    blur(page)
    shoot(page, screenshots_dir, f"{code}-import-conflicts")

    # 2. P01 as a new project, every other conflict skipped: the preview follows the choices.
    page.locator("input[name='conflict-p01'][value=new]").check()
    page.locator("#apply_all").select_option("skip")
    with page.expect_navigation():
        page.locator("#apply-choices-top").click()
    expect(page.locator("input[name='conflict-p01'][value=new]")).to_be_checked()
    expect(page.locator("input[name='conflict-p02'][value=skip]")).to_be_checked()
    expect(page.locator("#changes tr[data-project=P01] [data-new-code]")).to_have_text("P33")
    expect(page.locator("#changes tr[data-project=P01]")).to_have_attribute("data-action", "create")
    expect(page.locator("#changes tr[data-project=P02]")).to_have_attribute("data-action", "skipped")
    expect(page.locator("#confirm-valid")).to_be_visible()
    blur(page)
    shoot(page, screenshots_dir, f"{code}-import-conflicts-chosen")

    # 3. The same on a phone: nothing wider than the screen.
    phone = browser.new_context(base_url=base_url, locale="fr-FR", **PHONE)
    try:
        small = phone.new_page()
        log_in(small, base_url, "staff", demo_password)
        switch_language(small, code)
        small.goto(preview_url)
        expect(small.locator("#conflicts")).to_be_visible()
        shoot(small, screenshots_dir, f"{code}-import-conflicts-phone")
        no_sideways_scroll(small, "conflict preview")
        too_small = touch_targets_too_small(small, "#choices")
        assert not too_small, f"import controls under {MIN_TOUCH}px high on a phone: {too_small}"
    finally:
        phone.close()

    # 4. Cancel: nothing was written to the demo cohort.
    with page.expect_navigation():
        page.locator("#cancel-import").click()
    assert page.goto(preview_url).status == 404
    page.goto("/projects/?q=SafiCode")  # other journeys import the sample into their own cohorts, never this one
    expect(page.locator("main tbody tr", has_text="SafiCode Academy").filter(has_text=DEMO_COHORT)).to_have_count(0)
    page.goto("/projects/?q=Souk+Abda")
    expect(page.locator("main tbody tr", has_text="Souk Abda en ligne")).to_have_count(1)
