"""Browser journey of issue 5, in French and in Arabic, on the live demo server.

A holder lands on the reports they owe, marks one of their milestones achieved with an evidence file,
fills in and submits a period report; staff return it with a comment; the holder corrects and resubmits;
staff approve it and the holder then sees it read-only. Screenshots of the holder home, the report form
(desktop and phone) and the milestone with its evidence land in tests/artifacts/screenshots/.

Each language run has its own holder, project and report, so the two runs never touch the same report
and pass in any order: the demo's holder@example.org (P01) has one report needing them (last quarter's,
returned), holder2@example.org (P10) has one too (last quarter's, an overdue draft). Once a run has
approved its report, that holder owes nothing more. The French run is holder2's (whose profile is in
Arabic) and the Arabic run holder@'s (profile in French), so both runs really switch language.
Every run types its own random tag, so nothing depends on another test.
"""

import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.test_smoke import shoot, switch_language

pytestmark = pytest.mark.browser

LANGUAGES = ["fr", "ar"]
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}
HOLDER_OF = {"fr": "holder2@example.org", "ar": "holder@example.org"}
STAFF = "staff@example.org"
MIN_TOUCH = 44
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

TEXTS = {
    "fr": {
        "file": "attestation-{tag}.pdf",
        "highlights": "Faits marquants {tag} : deux nouveaux clients professionnels.",
        "difficulties": "Trésorerie tendue en fin de trimestre.",
        "support": "Mise en relation avec un distributeur.",
        "return": "Renvoyé {tag} : les emplois créés ne collent pas avec l'équipe, corrigez la première case.",
        "approve": "Merci, rapport complet.",
    },
    "ar": {
        "file": "شهادة-{tag}.pdf",
        "highlights": "أبرز الأحداث {tag}: زبونان مهنيان جديدان.",
        "difficulties": "ضيق في السيولة في نهاية الفصل.",
        "support": "ربط الاتصال بموزع.",
        "return": "أعيد {tag}: مناصب الشغل المحدثة لا تطابق الفريق، صححوا الخانة الأولى.",
        "approve": "شكرا، التقرير كامل.",
    },
}


@dataclass(frozen=True)
class DueReport:
    url: str  # path of the report form, /period-reports/projects/<id>/<label>
    project: str
    label: str


# ---------------------------------------------------------------- helpers


def typed(code: str, number: int) -> str:
    """A number as the holder types it: Arabic-Indic digits on an Arabic keyboard."""
    return str(number).translate(ARABIC_DIGITS) if code == "ar" else str(number)


def tiny_pdf(text: str) -> bytes:
    """A small but well-formed one-page PDF (header, objects, xref with true offsets, trailer)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    # wait_for_load_state() after the click returned at once (the login page was loaded): wait for the page
    # the sign-in posts back to, or a language switch clicked next lands on the login page's own bar.
    with page.expect_navigation():
        page.locator("main form button[type=submit], main form input[type=submit]").first.click()


def holder_signs_in(page: Page, base_url: str, email: str, password: str) -> None:
    """A holder who owes a report lands on it, with a warning (issue 5 §6)."""
    sign_in(page, base_url, email, password)
    expect(page).to_have_url(f"{base_url}/#reports-due")
    expect(page.locator("main .alert-warning[role=alert]")).to_have_count(1)
    expect(page.locator("#reports-due")).to_be_visible()


def staff_signs_in(page: Page, base_url: str, password: str, code: str) -> None:
    sign_in(page, base_url, STAFF, password)
    expect(page).to_have_url(f"{base_url}/")
    switch_language(page, code)


def direction(page: Page, code: str) -> None:
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")


def blur(page: Page) -> None:
    page.evaluate("document.activeElement && document.activeElement.blur()")


def no_sideways_scroll(page: Page, what: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{what}: the page is {overflow}px wider than a 375px phone screen"


def first_report_due(page: Page) -> DueReport:
    """The first report of the "reports to fill" card: the most urgent one, never a submitted one."""
    card = page.locator("#reports-due")
    expect(card.locator("li").first).to_be_visible()
    row = card.locator("li").first
    link = row.locator("a.btn")
    url = link.evaluate("a => a.pathname")
    assert re.fullmatch(r"/period-reports/projects/\d+/[\w-]+", url), url
    project = row.locator("bdi").nth(0).inner_text().strip()
    # The period as the page words it ("T3 2026", "الربع الثالث 2026"); the address keeps the stored code.
    label = row.locator("bdi").nth(1).inner_text().strip()
    assert re.search(r"/\d{4}-(T[1-4]|S[12]|\d{2})$", url), url
    return DueReport(url, project, label)


def indicator_cards(page: Page) -> list[Locator]:
    cards = page.locator("#report-form [data-indicator]")
    expect(cards.first).to_be_visible()
    return [cards.nth(i) for i in range(cards.count())]


def fill_values(page: Page, code: str, base: int) -> dict[str, list[int]]:
    """Five cells for a disaggregated indicator (the live total must show their sum), one value otherwise.
    Returns {total output id: the five numbers typed}."""
    totals = {}
    for n, card in enumerate(indicator_cards(page)):
        group = card.locator("[data-cells]")
        if group.count():
            cells = group.locator("input[data-cell]")
            expect(cells).to_have_count(5)
            numbers = [base + n + k for k in range(5)]
            for k, number in enumerate(numbers):
                cells.nth(k).fill(typed(code, number))
            output_id = group.get_attribute("data-total")
            expect(page.locator(f"output#{output_id}")).to_have_text(str(sum(numbers)))
            totals[output_id] = numbers
        else:
            value = card.locator("input[data-cell]")
            expect(value).to_have_count(1)
            value.fill(typed(code, 1000 * (base + n)))
    return totals


def fill_narrative(page: Page, code: str, tag: str) -> None:
    texts = TEXTS[code]
    page.locator("#highlights").fill(texts["highlights"].format(tag=tag))
    page.locator("#difficulties").fill(texts["difficulties"])
    page.locator("#support_needed").fill(texts["support"])


def submit_button(page: Page) -> Locator:
    return page.locator("#report-form button[name=action][value=submit]:not([data-confirmed])")


def submit_report(page: Page, base_url: str, due: DueReport) -> None:
    """Submit, then confirm in the dialog that says what happens next (issue 19)."""
    submit_button(page).click()
    dialog = page.locator("dialog#submit-confirm")
    expect(dialog).to_be_visible()
    with page.expect_navigation():
        dialog.locator("button[data-confirmed]").click()
    expect(page).to_have_url(f"{base_url}{due.url}")
    expect(page.locator("main .alert-success[role=status]").filter(has_text=due.label)).to_be_visible()
    read_only(page)
    expect(page.locator("main .alert-info[role=status]")).to_be_visible()  # "submitted on … by …"


def read_only(page: Page) -> None:
    expect(page.locator("#report-form")).to_have_count(0)
    expect(page.locator("main button[name=action]")).to_have_count(0)
    expect(page.locator("main input[data-cell]")).to_have_count(0)


def open_in_review_queue(page: Page, due: DueReport) -> None:
    """Staff: "to review" in the menu, every mentor's projects, the row of this report, "review"."""
    page.locator("nav a[href='/period-reports/review']").click()
    expect(page).to_have_url(re.compile(r"/period-reports/review$"))
    page.locator("main a[href$='/period-reports/review?mentor=all']").click()
    # The mentor's own queue may list the same row: wait for every mentor's, or the click below lands on the
    # page being left.
    expect(page).to_have_url(re.compile(r"/period-reports/review\?mentor=all$"))
    row = page.locator("main tbody tr").filter(has_text=due.project).filter(has_text=due.label)
    expect(row).to_have_count(1)
    row.locator("a[href$='/review']").click()
    expect(page).to_have_url(re.compile(r"/period-reports/\d+/review$"))
    expect(page.locator("main h1")).to_contain_text(due.label)


def decide(page: Page, due: DueReport, decision: str, comment: str) -> None:
    page.locator("#comment").fill(comment)
    with page.expect_navigation():
        page.locator(f"main button[name=decision][value={decision}]").click()
    expect(page).to_have_url(re.compile(r"/period-reports/review$"))
    expect(page.locator("main .alert-success[role=status]").filter(has_text=due.label)).to_be_visible()
    page.goto("/period-reports/review?mentor=all")
    expect(page.locator("main tbody tr").filter(has_text=due.project).filter(has_text=due.label)).to_have_count(0)


def touch_targets_too_small(page: Page, scope: str) -> list[str]:
    """Visible inputs, text areas and buttons of `scope` under MIN_TOUCH px high, described."""
    return page.locator(scope).evaluate(
        """(root, min) => Array.from(root.querySelectorAll(
                "input:not([type=hidden]), textarea, select, button"))
            .filter(el => el.offsetParent !== null && !el.classList.contains("visually-hidden"))
            .map(el => [el, el.getBoundingClientRect().height])
            .filter(([el, h]) => h < min)
            .map(([el, h]) => `${el.tagName.toLowerCase()}#${el.id || el.name}: ${h.toFixed(1)}px`)""",
        MIN_TOUCH,
    )


# ---------------------------------------------------------------- steps


def milestone_achieved_with_evidence(page: Page, base_url: str, code: str, tag: str, folder: Path, shots) -> None:
    """Home → all milestones of the project → the first one still open → "achieved today" → upload a PDF."""
    page.locator("main a[href*='/milestones/projects/']").first.click()
    expect(page).to_have_url(re.compile(r"/milestones/projects/\d+$"))
    open_one = page.locator("main li.list-group-item").filter(has=page.locator("form[action$='/achieved']"))
    expect(open_one.first).to_be_visible()
    title = open_one.first.locator("h2 a").inner_text().strip()
    open_one.first.locator("h2 a").click()
    expect(page).to_have_url(re.compile(r"/milestones/\d+$"))
    expect(page.locator("main h1")).to_have_text(title)

    with page.expect_navigation():
        page.locator("main form[action$='/achieved'] button[type=submit]").click()
    expect(page.locator("main .alert-success[role=status]").filter(has_text=title)).to_be_visible()
    expect(page.locator("main form[action$='/achieved']")).to_have_count(0)
    expect(page.locator("main h1 + p .badge.text-bg-success")).to_be_visible()

    name = TEXTS[code]["file"].format(tag=tag)
    path = folder / name
    path.write_bytes(tiny_pdf(f"Mowakaba evidence {tag}"))
    form = page.locator("#evidence-form")
    form.locator("input[type=file]").set_input_files(str(path))
    expect(form.locator("[data-file-status]")).to_have_text("")  # the browser-side check finds nothing wrong
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/milestones/\d+#evidence$"))
    expect(page.locator("main .alert-success[role=status]")).to_be_visible()
    listed = page.locator("#evidence li.list-group-item a[download]", has_text=name)
    expect(listed).to_have_count(1)
    expect(listed).to_have_text(name)
    blur(page)
    shoot(page, shots, f"{code}-milestone-evidence")


def phone_holder_home_and_report_form(
    browser: Browser, base_url: str, email: str, password: str, code: str, due: DueReport, shots
) -> None:
    """The same holder on a 375×812 phone: home and report form fit, every control is easy to tap.
    Values are typed for the screenshot, never saved."""
    context = browser.new_context(base_url=base_url, locale="fr-FR", **PHONE)
    try:
        page = context.new_page()
        holder_signs_in(page, base_url, email, password)
        switch_language(page, code)
        direction(page, code)
        expect(page.locator("#reports-due")).to_be_visible()
        shoot(page, shots, f"{code}-holder-home-phone")
        no_sideways_scroll(page, "holder home")

        page.locator(f"#reports-due a[href='{due.url}']").click()
        expect(page).to_have_url(f"{base_url}{due.url}")
        fill_values(page, code, base=3)
        fill_narrative(page, code, "phone")
        blur(page)
        shoot(page, shots, f"{code}-report-form-phone")
        no_sideways_scroll(page, "report form")
        expect(submit_button(page)).to_be_visible()
        small = touch_targets_too_small(page, "#report-form")
        assert not small, f"report form controls under {MIN_TOUCH}px high on a phone: {small}"
    finally:
        context.close()


# ---------------------------------------------------------------- the journey


@pytest.mark.parametrize("code", LANGUAGES)
def test_holder_milestone_evidence_and_report_returned_corrected_approved(
    new_context, browser: Browser, base_url, demo_password, screenshots_dir, tmp_path, code
):
    tag = uuid.uuid4().hex[:8]
    texts = TEXTS[code]
    email = HOLDER_OF[code]

    # 1. The holder signs in, lands on the reports they owe, switches language, updates a milestone.
    holder = new_context().new_page()
    holder_signs_in(holder, base_url, email, demo_password)
    switch_language(holder, code)
    direction(holder, code)
    due = first_report_due(holder)
    blur(holder)
    shoot(holder, screenshots_dir, f"{code}-holder-home")
    milestone_achieved_with_evidence(holder, base_url, code, tag, tmp_path, screenshots_dir)

    # Phone: the holder home and this report's form, before anything is submitted.
    phone_holder_home_and_report_form(browser, base_url, email, demo_password, code, due, screenshots_dir)

    # 2. From the "reports to fill" card: values, live totals, narrative, submit.
    holder.goto("/")
    holder.locator(f"#reports-due a[href='{due.url}']").click()
    expect(holder).to_have_url(f"{base_url}{due.url}")
    direction(holder, code)
    totals = fill_values(holder, code, base=2)
    assert totals, "the report has no disaggregated indicator: the live total was not exercised"
    fill_narrative(holder, code, tag)
    blur(holder)
    shoot(holder, screenshots_dir, f"{code}-report-form")
    submit_report(holder, base_url, due)

    # 3. Staff return it with a comment.
    staff = new_context().new_page()
    staff_signs_in(staff, base_url, demo_password, code)
    open_in_review_queue(staff, due)
    expect(staff.locator("main")).to_contain_text(texts["highlights"].format(tag=tag))
    decide(staff, due, "return", texts["return"].format(tag=tag))

    # 4. The holder sees the comment first (home card and top of the form), corrects a value, resubmits.
    holder.goto("/")
    row = holder.locator("#reports-due li").filter(has=holder.locator(f"a[href='{due.url}']"))
    expect(row).to_contain_text(texts["return"].format(tag=tag))
    row.locator("a.btn").click()
    expect(holder).to_have_url(f"{base_url}{due.url}")
    note = holder.locator("main [role=note]")
    expect(note).to_contain_text(texts["return"].format(tag=tag))
    assert note.bounding_box()["y"] < holder.locator("#report-form").bounding_box()["y"], (
        "the review comment is not above the form"
    )
    output_id, numbers = next(iter(totals.items()))
    group = holder.locator(f"[data-cells][data-total='{output_id}']")
    first_cell = group.locator("input[data-cell]").first
    expect(group.locator("input[data-cell]").last).not_to_have_value("")  # the submitted values came back
    first_cell.fill(typed(code, 40))
    corrected = 40 + sum(numbers[1:])
    expect(holder.locator(f"output#{output_id}")).to_have_text(str(corrected))
    submit_report(holder, base_url, due)

    # 5. Staff approve it: the holder did the submitting, so staff may.
    open_in_review_queue(staff, due)
    expect(staff.locator("main button[name=decision][value=approve]")).to_be_visible()
    decide(staff, due, "approve", texts["approve"])

    holder.goto(due.url)
    read_only(holder)
    expect(holder.locator("main .alert-success[role=status]")).to_contain_text(texts["approve"])
    ind_id = output_id.removeprefix("total-")
    expect(holder.locator(f"section[aria-labelledby='ro-{ind_id}']")).to_contain_text(str(corrected))
    holder.goto("/")
    expect(holder.locator(f"#reports-due a[href='{due.url}']")).to_have_count(0)
