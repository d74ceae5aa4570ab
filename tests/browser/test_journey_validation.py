"""Browser journey of issue 14 item 7, in French and in Arabic: a warning the holder corrects, and the review
page with the earlier periods, the warnings and what changed since the report was returned.

1. The demo holder opens the report they owe and types a revenue ten times the limit the page states
   (a zero too many): the hint appears while typing; saved as a draft, the page shows the warning next to
   the figure (screenshot `validation-form-warning-<code>`).
2. The holder corrects the figure: the hint goes away as they type; they submit.
3. Staff return the report; the holder then reports an exceptional quarter above the limit, explained in the
   comment, and submits again (a warning never blocks).
4. Staff open the review page: the warning, the earlier periods side by side and the change since the return
   (screenshot `validation-review-<code>`), and return the report, so the holder still owes it afterwards.
"""

import re
import uuid
from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.test_journey_results import (
    STAFF,
    DueReport,
    blur,
    direction,
    first_report_due,
    holder_signs_in,
    open_in_review_queue,
    read_only,
    sign_in,
    submit_report,
    typed,
)
from tests.browser.test_smoke import shoot, switch_language

pytestmark = pytest.mark.browser

HOLDER = "holder@example.org"
TEXTS = {
    "fr": {"title": "Plus de cinq fois la période précédente", "comment": "Commande exceptionnelle d'un hôtel {tag}.",
           "return": "Renvoyé {tag} : vérifiez le chiffre d'affaires.", "since": "Modifié depuis le renvoi"},
    "ar": {"title": "أكثر من خمسة أضعاف الفترة السابقة", "return": "أعيد {tag}: تحقّقوا من رقم المعاملات.",
           "comment": "طلبية استثنائية من فندق {tag}.", "since": "ما تغيّر منذ الإرجاع"},
}


def revenue_card(page: Page) -> Locator:
    """The card of the first amount (MAD) whose flow has an earlier value: it carries a "five times" hint."""
    cards = page.locator("#report-form [data-indicator]").filter(
        has=page.locator("[data-limit=flow_jump]")).filter(has=page.locator("input[data-cell][data-unit=MAD]"))
    expect(cards.first).to_be_visible()
    return cards.first


def limit_of(card: Locator) -> Decimal:
    return Decimal(card.locator("[data-limit=flow_jump]").get_attribute("data-above"))


def save_draft(page: Page) -> None:
    with page.expect_navigation():
        page.locator("#report-form button[name=action][value=save]:not(.visually-hidden)").click()
    expect(page.locator("main .alert-success[role=status]")).to_be_visible()


def staff_returns(staff: Page, due: DueReport, comment: str) -> None:
    open_in_review_queue(staff, due)
    staff.locator("#comment").fill(comment)
    with staff.expect_navigation():
        staff.locator("main button[name=decision][value=return]").click()
    expect(staff.locator("main .alert-success[role=status]").filter(has_text=due.label)).to_be_visible()


@pytest.mark.parametrize("code", ["fr", "ar"])
def test_holder_corrects_a_warning_and_the_reviewer_sees_what_changed(
    new_context, base_url, demo_password, screenshots_dir, holder_owes_a_report, code
):
    tag = uuid.uuid4().hex[:6]
    texts = TEXTS[code]
    holder = new_context().new_page()
    holder_signs_in(holder, base_url, HOLDER, demo_password)
    switch_language(holder, code)
    due = first_report_due(holder)
    holder.goto(due.url)
    direction(holder, code)

    # 1. A zero too many: the hint shows while typing, and again next to the figure once saved.
    card = revenue_card(holder)
    indicator_id = re.fullmatch(r"v_(\d+)_total", card.locator("input[data-cell]").get_attribute("name")).group(1)
    limit = limit_of(card)
    hint = card.locator("[data-limit=flow_jump]")
    value = card.locator("input[data-cell]")
    value.fill(typed(code, int(limit * 10)))
    expect(hint).to_be_visible()
    expect(hint).to_contain_text(texts["title"])
    save_draft(holder)
    card = revenue_card(holder)
    hint = card.locator("[data-limit=flow_jump]")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text(texts["title"])
    expect(hint.locator("[data-limit-text]")).not_to_be_empty()
    card.scroll_into_view_if_needed()
    blur(holder)
    shoot(holder, screenshots_dir, f"validation-form-warning-{code}")

    # 2. Corrected: the hint goes while typing; submitted without a warning left.
    corrected = int(limit / 5)
    card.locator("input[data-cell]").fill(typed(code, corrected))
    expect(hint).to_be_hidden()
    submit_report(holder, base_url, due)
    read_only(holder)
    # other journeys may have typed other figures into this report: only this one is ours to check
    expect(holder.locator(f"[data-finding=flow_jump][data-indicator-id='{indicator_id}']")).to_have_count(0)

    # 3. Returned, then an exceptional quarter explained in the comment: the warning never blocks.
    staff = new_context().new_page()
    sign_in(staff, base_url, STAFF, demo_password)
    switch_language(staff, code)
    staff_returns(staff, due, texts["return"].format(tag=tag))
    holder.goto(due.url)
    card = revenue_card(holder)
    exceptional = int(limit) + 1000
    card.locator("input[data-cell]").fill(typed(code, exceptional))
    expect(card.locator("[data-limit=flow_jump]")).to_be_visible()
    comment = card.locator("input[name^=c_]")
    if not comment.is_visible():  # the comment folds under its button until used (issue 19)
        card.locator("details summary").first.click()
    comment.fill(texts["comment"].format(tag=tag))
    submit_report(holder, base_url, due)

    # 4. The review page: the warning, the earlier periods beside this one, what changed since the return.
    open_in_review_queue(staff, due)
    direction(staff, code)
    checks = staff.locator("#checks")
    expect(checks.locator(f"[data-finding=flow_jump][data-indicator-id='{indicator_id}']")).to_have_count(1)
    expect(checks).to_contain_text(texts["title"])
    table = staff.locator("#comparison")
    # the column keeps the stored code; its heading shows the period in the reader's words
    code_of_period = due.url.rsplit("/", 1)[-1]
    expect(table.locator("thead th[data-period]").last).to_have_attribute("data-period", code_of_period)
    expect(table.locator("thead th[data-period]").last).to_contain_text(due.label)
    assert table.locator("thead th[data-period]").count() >= 2, "no earlier period beside this one"
    expect(table.locator(f"tbody[data-indicator-id='{indicator_id}'] td[data-flagged]")).to_have_count(1)
    since = staff.locator("#since-return")
    expect(since).to_contain_text(texts["since"])
    expect(since).to_contain_text(texts["return"].format(tag=tag))
    change = since.locator("tr[data-change$='.total']").filter(has_text=re.compile(r"\d"))
    expect(change.first).to_be_visible()
    expect(since.locator("tr[data-change$='.comment']")).to_contain_text(texts["comment"].format(tag=tag))
    blur(staff)
    shoot(staff, screenshots_dir, f"validation-review-{code}")

    # The holder owes the report again for the other browser tests.
    staff.locator("#comment").fill(texts["return"].format(tag=tag))
    with staff.expect_navigation():
        staff.locator("main button[name=decision][value=return]").click()
    expect(staff.locator("main .alert-success[role=status]")).to_be_visible()
