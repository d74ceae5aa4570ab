"""The main forms filled and sent with the keyboard alone (Tab, Shift+Tab, arrows, Space, Enter, typing; no
click after signing in), and a focus ring you can see on every stop (issue 10, point 2).

The effect is checked in the demo database the live server writes to, not only on the page.
"""

import re
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.test_smoke import log_in, switch_language

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "forum_cohort_sample.csv"
MAX_STOPS = 250

FOCUS_STYLE = """el => {
    // A .btn-check radio or checkbox is visually hidden: its ring is drawn on its label. The typing box of a
    // picker (Tom Select) sits inside its control, which draws the ring around both.
    const shown = el.matches('input.btn-check') ? document.querySelector(`label[for="${el.id}"]`)
        : (el.closest('.ts-control') || el);
    const style = getComputedStyle(shown);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const shadow = style.boxShadow && style.boxShadow !== 'none';
    return {outline, shadow, tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
            text: (el.innerText || el.value || '').trim().slice(0, 40)};
}"""


@pytest.fixture(scope="module")
def demo_db(demo_database):
    engine = sa.create_engine(demo_database)
    yield engine
    engine.dispose()


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page: Page, selector: str, backwards: bool = False) -> None:
    """Presses Tab (or Shift+Tab) until the focused element matches `selector`."""
    for _ in range(MAX_STOPS):
        if focused(page, selector):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{selector} was never reached with {'Shift+' if backwards else ''}Tab")


def type_into(page: Page, selector: str, text: str) -> None:
    """Tab to a text box, select what it holds (Ctrl+A), type over it."""
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def start(page: Page) -> None:
    """Keyboard focus at the top of the document, as after loading a page."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.locator("body").focus()


def test_log_a_session_with_the_keyboard_only(page: Page, base_url, demo_password, demo_db):
    log_in(page, base_url, "staff", demo_password)
    switch_language(page, "fr")
    page.goto("/sessions/new")
    tag = uuid.uuid4().hex[:8]
    start(page)

    tab_to(page, "#project_id-ts-control")  # the project picker (issue 17: it searches on the server)
    expect(page.locator("#project_id")).to_have_value("")  # nothing chosen for the mentor
    with page.expect_response(lambda r: "/pickers/projects" in r.url and "q=a&" in r.url):
        page.keyboard.type("a")
    expect(page.locator("#project_id-ts-dropdown .option[data-value]:not([data-value=''])").first).to_be_visible()
    with page.expect_response(lambda r: "/sessions/milestones" in r.url):  # the form follows the project
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")  # a match from the server
    expect(page.locator("#project_id")).not_to_have_value("")
    expect(page.locator("#project_id-ts-dropdown")).to_be_hidden()
    project_id = int(page.locator("#project_id").input_value())
    type_into(page, "#duration_minutes", "٩٠")  # Arabic-Indic digits are read too
    tab_to(page, "input[name=mode]")
    page.keyboard.press("Space")
    type_into(page, "#topics", f"clavier {tag}")
    type_into(page, "#shared_summary", f"Résumé saisi au clavier {tag}.")
    tab_to(page, "#items-0-description")
    page.keyboard.type(f"Action au clavier {tag}")
    tab_to(page, "button[name=submit]:not(.visually-hidden)")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/projects/{project_id}(#timeline)?$"))
    expect(page.locator("main")).to_contain_text(f"Résumé saisi au clavier {tag}.")
    with demo_db.connect() as db:
        row = db.execute(sa.text("SELECT id, project_id, duration_minutes FROM mentoring_sessions "
                                 "WHERE topics = :t"), {"t": f"clavier {tag}"}).one()
        items = db.execute(sa.text("SELECT description FROM action_items WHERE session_id = :s"),
                           {"s": row.id}).scalars().all()
    assert (row.project_id, row.duration_minutes) == (project_id, 90)
    assert items == [f"Action au clavier {tag}"]


def test_holder_fills_the_period_report_with_the_keyboard_only(page: Page, base_url, demo_password, demo_db,
                                                               holder_owes_a_report):
    log_in(page, base_url, "holder", demo_password)
    switch_language(page, "fr")
    start(page)
    # From the home page to the report: Tab to the "fill the report" button, Enter.
    tab_to(page, "#reports-due a[href*='/period-reports/projects/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    match = re.search(r"/period-reports/projects/(\d+)/([^/?#]+)$", page.url)
    assert match, page.url
    project_id, label = int(match.group(1)), match.group(2)

    first = page.locator("#report-form input[data-cell]").first
    name, unit = first.get_attribute("name"), first.get_attribute("data-unit")
    indicator_id, cell = re.fullmatch(r"v_(\d+)_(\w+)", name).groups()
    typed, expected = ("١٢", Decimal("12")) if unit in ("count", "hours") else ("1 234,5", Decimal("1234.5"))
    type_into(page, f"#report-form [name='{name}']", typed)
    highlights = f"Faits marquants au clavier {uuid.uuid4().hex[:8]}"
    type_into(page, "#highlights", highlights)
    # Back up with Shift+Tab to check the value is still there, then on to "save as draft" (never submit:
    # the other browser tests need this report still due).
    tab_to(page, f"#report-form [name='{name}']", backwards=True)
    assert page.locator(f"#report-form [name='{name}']").input_value() == typed
    tab_to(page, "button[name=action][value=save]:not(.visually-hidden)")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main .alert").first).to_be_visible()

    with demo_db.connect() as db:
        report = db.execute(sa.text("SELECT id, highlights FROM period_reports "
                                    "WHERE project_id = :p AND period_label = :l"),
                            {"p": project_id, "l": label}).one()
        value = db.execute(sa.text("SELECT value FROM indicator_values WHERE report_id = :r "
                                   "AND indicator_id = :i AND cell = :c"),
                           {"r": report.id, "i": int(indicator_id), "c": cell}).scalar_one()
    assert report.highlights == highlights
    assert Decimal(str(value)) == expected


def test_attendance_sheet_with_the_keyboard_only(page: Page, base_url, demo_password, demo_db):
    log_in(page, base_url, "staff", demo_password)
    switch_language(page, "fr")
    page.goto("/trainings/")
    # The first sheet that takes attendance: a training dated in the future does not yet (issue 19).
    sheets = page.locator("main a[href$='/attendance']").evaluate_all("links => links.map(a => a.pathname)")
    for sheet in sheets:
        page.goto(sheet)
        if page.locator("input[type=radio][name^='m-']").count():
            break
    training_id = int(re.search(r"/trainings/(\d+)/attendance", sheet).group(1))
    start(page)

    tab_to(page, "input[type=radio][name^='m-']")
    member_id = int(page.evaluate("document.activeElement.name").removeprefix("m-"))
    group = f"input[name='m-{member_id}']"
    checked = page.locator(f"{group}:checked")
    before = checked.get_attribute("value") if checked.count() else None
    if before is None:
        page.keyboard.press("Space")  # an unanswered member: Space marks the focused choice (present)
        wanted = "present"
    else:
        wanted = "absent" if before == "present" else "present"
        for _ in range(2):  # arrows move within the radio group and check the choice they land on
            if page.locator(f"{group}:checked").get_attribute("value") == wanted:
                break
            page.keyboard.press("ArrowDown")
    assert page.locator(f"{group}:checked").get_attribute("value") == wanted
    tab_to(page, "form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    with demo_db.connect() as db:
        present = db.execute(sa.text("SELECT present FROM attendances WHERE training_id = :t AND member_id = :m"),
                             {"t": training_id, "m": member_id}).scalar_one()
    assert bool(present) is (wanted == "present")


def test_import_upload_with_the_keyboard(page: Page, base_url, demo_password):
    """The file chooser is the browser's own dialog: the file is set directly, everything else is keyboard."""
    log_in(page, base_url, "staff", demo_password)
    switch_language(page, "fr")
    page.goto("/imports/")
    start(page)
    tab_to(page, "#cohort_id")
    page.keyboard.press("ArrowDown")
    assert page.locator("#cohort_id").input_value()
    page.locator("#file").set_input_files(str(SAMPLE))
    tab_to(page, "#file")
    tab_to(page, "#import-form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/imports/[0-9a-f]{32}$"))
    expect(page.locator("main h1")).to_be_visible()
    # Nothing is written before confirming: leave with the keyboard through "cancel".
    cancel = page.locator("main form[action$='/cancel'] button[type=submit]")
    if cancel.count():
        start(page)
        tab_to(page, "main form[action$='/cancel'] button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page).not_to_have_url(re.compile(r"/imports/[0-9a-f]{32}$"))


@pytest.mark.parametrize(("role", "url"), [("staff", "/sessions/new"), ("holder", "report"), ("staff", "attendance")])
def test_every_keyboard_stop_shows_a_visible_focus_ring(page: Page, base_url, demo_password, role, url,
                                                       holder_owes_a_report):
    log_in(page, base_url, role, demo_password)
    switch_language(page, "fr")
    if url == "report":
        url = page.locator("#reports-due a[href*='/period-reports/projects/']").first.evaluate("a => a.pathname")
    elif url == "attendance":
        page.goto("/trainings/")
        url = page.locator("main a[href$='/attendance']").first.evaluate("a => a.pathname")
    page.goto(url)
    # Bootstrap animates the focus ring (box-shadow transition) unless the user asks for reduced motion:
    # read the final style, not a frame of the animation.
    page.emulate_media(reduced_motion="reduce")
    start(page)
    seen, invisible = 0, []
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.body"):
            break
        style = page.evaluate(f"({FOCUS_STYLE})(document.activeElement)")
        seen += 1
        if not (style["outline"] or style["shadow"]):
            invisible.append(style)
    assert seen >= 10, f"only {seen} keyboard stops on {url}"
    assert not invisible, f"focus not visible on {url}: {invisible}"
