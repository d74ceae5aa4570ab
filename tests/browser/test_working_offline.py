"""Issue 21 in the browser: installable, readable offline, drafts that survive, a queue sent once online,
logout that leaves nothing behind. Chromium on a 375 px phone, `context.set_offline(True)` for no signal.

Screenshots (French and Arabic) land in tests/artifacts/screenshots/offline-*.png.

Named to run last among the browser tests: its reports go through submit, conflict and return cycles.
"""

import re
import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Error, expect

from tests.browser.test_phone import PHONE
from tests.browser.test_smoke import log_in, shoot, switch_language

pytestmark = pytest.mark.browser

TYPED = {"fr": "Saisi sans réseau au souk de Safi.", "ar": "كُتب بدون شبكة في سوق آسفي."}


def phone(browser: Browser, base_url: str, code: str):
    context = browser.new_context(base_url=base_url, locale="ar-MA" if code == "ar" else "fr-FR", **PHONE)
    context.set_default_timeout(15000)
    return context, context.new_page()


def wait_for_worker(page) -> None:
    """The service worker is installed and controls the page (it claims the open pages when it activates)."""
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")


def owed_report(page, base_url: str, password: str, code: str | None = None) -> tuple[str, int, str]:
    """The holder signs in (switching to `code` when given) on a page the service worker controls; the
    address, project id and period label of the first report they owe."""
    log_in(page, base_url, "holder", password)
    if code:
        switch_language(page, code)
    wait_for_worker(page)
    path = page.locator("#reports-due a.btn").first.get_attribute("href")
    project_id, label = re.search(r"/period-reports/projects/(\d+)/([^/?#]+)$", path).groups()
    return path, project_id, label


def submit(page) -> None:
    """Submit, then confirm in the dialog that says what happens next (issue 19)."""
    page.locator("#report-form button[name=action][value=submit]:not([data-confirmed])").click()
    dialog = page.locator("dialog#submit-confirm")
    expect(dialog).to_be_visible()
    dialog.locator("button[data-confirmed]").click()


def report_state(database: str, project_id: int, label: str) -> tuple[str | None, int, int]:
    """(status, 'submit' audit events, idempotency keys received) of a holder's report."""
    engine = sa.create_engine(database)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT id, status FROM period_reports WHERE project_id = :p AND "
                                       "period_label = :l"), {"p": project_id, "l": label}).first()
            submits = 0 if row is None else conn.execute(sa.text(
                "SELECT count(*) FROM audit_events WHERE entity_type = 'period_report' AND entity_id = :r "
                "AND action = 'submit'"), {"r": row.id}).scalar_one()
            keys = conn.execute(sa.text("SELECT count(*) FROM replayed_submissions WHERE path = :path"),
                                {"path": f"/period-reports/projects/{project_id}/{label}"}).scalar_one()
            return (None if row is None else row.status), submits, keys
    finally:
        engine.dispose()


@pytest.fixture
def report_given_back(demo_database):
    """The reports these tests submit are returned to the holder afterwards, as a reviewer would: the other
    browser tests expect the demo holder to owe a report, whatever ran before."""
    submitted = []
    yield submitted
    engine = sa.create_engine(demo_database)
    try:
        with engine.begin() as conn:
            for project_id, label in submitted:
                conn.execute(sa.text("UPDATE period_reports SET status = 'returned', review_comment = 'Renvoyé "
                                     "pour le test' WHERE project_id = :p AND period_label = :l AND status = "
                                     "'submitted'"), {"p": project_id, "l": label})
    finally:
        engine.dispose()


def poll(page, script: str, arg=None, timeout: float = 15, what: str = "") -> None:
    """Evaluates `script` (it may return a promise) until it gives a true value. `page.wait_for_function` is no
    use for IndexedDB or the Cache API: it takes the promise itself for the answer, and a promise is true."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"still not true after {timeout} s: {what or script}"
        time.sleep(0.1)


def poll_through_navigation(page, script: str, timeout: float = 15, what: str = "") -> None:
    """`poll`, for a page that navigates meanwhile: an evaluation cut by the navigation is tried again."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(script):
                return
        except Error as error:
            if "context was destroyed" not in str(error) and "navigation" not in str(error):
                raise
        assert time.monotonic() < deadline, f"still not true after {timeout} s: {what or script}"
        time.sleep(0.1)


def wait_for_draft(page, value: str) -> None:
    """offline.js writes the draft 250 ms after the last change, into IndexedDB: wait until a draft holds
    `value` (a field's value, or the name of a chosen file) rather than sleeping and hoping it did."""
    poll(page, """async (value) => (await MowakabaStore.all('drafts')).some((d) => d.fields.some(
             ([, v]) => v === value || (v instanceof File && v.name === value)))""", value,
         what=f"a draft holding {value!r}")


def queued_and_claimed(context, page, base_url: str, password: str, given_back: list):
    """The holder opens their owed report, loses the signal, types and submits (queued); the item is then
    claimed as the worker does when Background Sync fires. Returns (path, project id, label, queue key)."""
    path, project_id, label = owed_report(page, base_url, password, "fr")
    page.goto(path)
    given_back.append((project_id, label))
    context.set_offline(True)
    page.locator("textarea[name=highlights]").fill(TYPED["fr"])
    submit(page)
    expect(page.locator("#offline-queued")).to_be_visible()
    key = page.evaluate("MowakabaStore.all('queue').then(items => MowakabaStore.claim(items[0].key))"
                        ".then(item => item.key)")
    return path, project_id, label, key


def wait_for_submission(database: str, project_id: int, label: str, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while True:
        state = report_state(database, project_id, label)
        if state[0] == "submitted" or time.monotonic() > deadline:
            return state
        time.sleep(0.2)


def test_manifest_and_service_worker_meet_the_installability_criteria(browser_type, browser_type_launch_args,
                                                                      base_url, demo_password, tmp_path):
    """Chromium's own check (the one Lighthouse reads): no error at all. It needs a profile on disk: the
    suite's other contexts are incognito, where Chromium never offers to install."""
    context = browser_type.launch_persistent_context(str(tmp_path / "profile"), base_url=base_url,
                                                     locale="fr-FR", **browser_type_launch_args, **PHONE)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        log_in(page, base_url, "holder", demo_password)
        wait_for_worker(page)
        cdp = context.new_cdp_session(page)
        manifest = cdp.send("Page.getAppManifest")
        lang = page.locator("html").get_attribute("lang")  # the holder's profile language (other tests change it)
        assert manifest["url"].endswith(f"/manifest.webmanifest?lang={lang}")
        assert manifest["errors"] == []
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
        scope = page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.scope)")
        assert scope == base_url + "/"
    finally:
        context.close()


@pytest.mark.parametrize("code", ["fr", "ar"])
def test_a_report_filled_offline_survives_a_reload_and_is_sent_once_online(
        browser: Browser, base_url, demo_password, demo_database, holder_owes_a_report, report_given_back,
        screenshots_dir, code):
    context, page = phone(browser, base_url, code)
    try:
        path, project_id, label = owed_report(page, base_url, demo_password, code)
        page.goto(path)  # opened online: the service worker keeps it
        expect(page.locator("#report-form")).to_be_visible()
        status_before, submits_before, keys_before = report_state(demo_database, project_id, label)
        assert status_before != "submitted"
        report_given_back.append((project_id, label))

        context.set_offline(True)
        page.locator("textarea[name=highlights]").fill(TYPED[code])
        wait_for_draft(page, TYPED[code])  # written 250 ms after the last key
        page.reload()
        expect(page.locator("#offline-banner")).to_be_visible()
        expect(page.locator("textarea[name=highlights]")).to_have_value(TYPED[code])
        shoot(page, screenshots_dir, f"offline-draft-{code}")

        submit(page)
        expect(page.locator("#offline-queued")).to_be_visible()
        shoot(page, screenshots_dir, f"offline-queued-{code}")
        assert report_state(demo_database, project_id, label) == (status_before, submits_before, keys_before)

        context.set_offline(False)  # the page reloads and sends the queue, or Background Sync does first
        status, submits, keys = wait_for_submission(demo_database, project_id, label)
        assert (status, submits - submits_before, keys - keys_before) == ("submitted", 1, 1)
        notice = page.locator("main .alert-success, main [data-offline-notice].alert-success").first
        # The database says "submitted" while the page's own replay (POST, redirect, page with the flash) may
        # still be on its way: a reload then would cut it and lose the flash. Give it time to land first.
        try:
            expect(notice).to_be_visible(timeout=10000)
        except AssertionError:
            # Background Sync sent it and its "sent" message went to the page being replaced: the next page
            # confirms it from the draft the worker marked sent.
            page.reload()
            page.wait_for_load_state("networkidle")
        expect(notice).to_be_visible()
        page.reload()  # nothing is left to send: still one submission
        page.wait_for_load_state("networkidle")
        assert report_state(demo_database, project_id, label) == (status, submits, keys)
        queue = page.evaluate("MowakabaStore.all('queue').then(items => items.length)")
        assert queue == 0
    finally:
        context.close()


def test_a_submission_the_worker_was_sending_while_the_page_reloaded_is_still_sent(
        browser: Browser, base_url, demo_password, demo_database, holder_owes_a_report, report_given_back):
    """The race of the signal coming back: the page reloads while the service worker holds the queued item,
    and the worker's "needs the page" message goes to the page that is being replaced. The new page must not
    leave the item waiting for the holder's next click: it looks again once the worker lets go."""
    context, page = phone(browser, base_url, "fr")
    try:
        path, project_id, label, key = queued_and_claimed(context, page, base_url, demo_password, report_given_back)

        with page.expect_navigation():
            context.set_offline(False)  # the page reloads; the item is the worker's, so the page skips it
        page.wait_for_load_state("load")
        page.wait_for_timeout(500)
        assert report_state(demo_database, project_id, label)[0] != "submitted"
        # The worker met errors or a sign-in page and lets go, its message lost with the old page.
        page.evaluate("key => MowakabaStore.release(key, { needsPage: true })", key)
        status, submits, keys = wait_for_submission(demo_database, project_id, label, timeout=10)
        assert status == "submitted"
        # The database answers while the page's replay (a form POST, then the redirect) is still on its way:
        # networkidle of the page it leaves was long reached, and reading the store there met the navigation
        # ("Execution context was destroyed", CI-like load). Wait for the page it lands on: read-only.
        expect(page.locator("#report-form")).to_have_count(0)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("MowakabaStore.all('queue').then(items => items.length)") == 0
    finally:
        context.close()


def test_a_page_the_worker_served_from_its_copy_once_online_still_sends_the_queue(
        browser: Browser, base_url, demo_password, demo_database, holder_owes_a_report, report_given_back):
    """The phone says it is online a moment before the network answers: the page reloads on `online`, the
    worker's fetch of it fails and it serves its kept copy ("offline" banner), and no `online` event follows.
    The page must look again and send what is queued, not wait for the holder's next click. (The worker holds
    the item, as when its own send hangs, so that only the page can send it.)"""
    context, page = phone(browser, base_url, "fr")
    try:
        path, project_id, label, _ = queued_and_claimed(context, page, base_url, demo_password, report_given_back)

        refused = []

        def network_not_back_yet(route):
            if route.request.method == "GET" and not refused:
                refused.append(route.request.url)
                route.abort("internetdisconnected")
            else:
                route.continue_()

        context.route("**" + path, network_not_back_yet)
        with page.expect_navigation():
            context.set_offline(False)
        expect(page.locator("#offline-banner")).to_be_visible()  # the worker's copy, while online
        context.unroute("**" + path)  # the route's handler runs only while the test calls Playwright
        status, _, _ = wait_for_submission(demo_database, project_id, label, timeout=25)
        assert refused and status == "submitted"
        expect(page.locator("#report-form")).to_have_count(0)  # sent by the page: it shows the answer
    finally:
        context.close()


def test_a_submission_the_worker_never_lets_go_of_is_sent_by_the_page(
        browser: Browser, base_url, demo_password, demo_database, holder_owes_a_report, report_given_back):
    """The worker claims the queued item when the signal returns and its send never settles (a connection the
    phone has not seen drop, a worker stopped mid-send): the item stays claimed. The page must not leave the
    holder's submission waiting for the two minutes after which a claim is stale: it takes it over after ten
    seconds, and the server receives it once."""
    context, page = phone(browser, base_url, "fr")
    try:
        path, project_id, label, _ = queued_and_claimed(context, page, base_url, demo_password, report_given_back)
        _, submits_before, keys_before = report_state(demo_database, project_id, label)

        with page.expect_navigation():
            context.set_offline(False)
        page.wait_for_load_state("load")
        page.wait_for_timeout(2000)
        assert report_state(demo_database, project_id, label)[0] != "submitted"  # the claim is still young
        status, submits, keys = wait_for_submission(demo_database, project_id, label, timeout=20)
        assert (status, submits - submits_before, keys - keys_before) == ("submitted", 1, 1)
        expect(page.locator("#report-form")).to_have_count(0)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("MowakabaStore.all('queue').then(items => items.length)") == 0
    finally:
        context.close()


def test_a_submission_the_worker_sent_while_the_page_was_replaced_is_confirmed_by_the_next_page(
        browser: Browser, base_url, demo_password, demo_database, holder_owes_a_report, report_given_back):
    """The worker's "sent" message can go to the page being replaced (the signal comes back, the page reloads).
    The draft it marked sent (markDraftSent(key, true)) must then tell the next page, though a submitted
    report's page is read-only and has no form to look for it."""
    context, page = phone(browser, base_url, "fr")
    try:
        path, project_id, label = owed_report(page, base_url, demo_password)
        report_given_back.append((project_id, label))
        page.goto(path)
        with page.expect_navigation():
            submit(page)
        expect(page.locator("#report-form")).to_have_count(0)  # submitted: read-only
        assert report_state(demo_database, project_id, label)[0] == "submitted"
        # As the worker leaves it after sending the queued form in the background.
        page.evaluate("""async (path) => {
            const user = JSON.parse(document.getElementById('offline-script').dataset.config).user;
            await MowakabaStore.put('drafts', { key: `${user}:${path}#report-form`, user, path, fields: [],
                                                savedAt: new Date().toISOString(), queued: false, sent: true,
                                                background: true });
        }""", path)
        page.reload()
        sent = page.locator("main [data-offline-notice].alert-success")
        expect(sent).to_have_count(1)
        expect(sent).to_be_visible()
        poll(page, "async () => (await MowakabaStore.all('drafts')).length === 0", what="the sent draft removed")
        page.reload()  # told once
        expect(page.locator("main h1")).to_be_visible()
        page.wait_for_load_state("networkidle")
        expect(page.locator("main [data-offline-notice].alert-success")).to_have_count(0)
    finally:
        context.close()


def test_a_draft_save_pending_when_the_form_is_sent_is_not_written_afterwards(
        browser: Browser, base_url, demo_password, holder_owes_a_report):
    """The draft is written 250 ms after the last key. Sent sooner, on a slow line, the form used to leave
    that save pending: it then wrote the typed values as an unsent draft, restored the next time the form
    opened although the server had them."""
    context, page = phone(browser, base_url, "fr")
    try:
        path, _project_id, _label = owed_report(page, base_url, demo_password, "fr")
        page.goto(path)

        def slow_post(route):
            if route.request.method == "POST":
                time.sleep(0.8)  # a slow line: the page stays up well past the 250 ms of the draft save
            route.continue_()

        page.route("**" + path, slow_post)
        typed = "Envoyé aussitôt tapé, sur une ligne lente."
        page.locator("textarea[name=highlights]").fill(typed)
        with page.expect_navigation():
            page.locator("#report-form button[name=action][value=save]:not(.visually-hidden)").click()
        page.unroute("**" + path)
        expect(page.locator("textarea[name=highlights]")).to_have_value(typed)  # the server kept it
        unsent = page.evaluate("MowakabaStore.all('drafts').then(ds => ds.filter(d => !d.sent).length)")
        assert unsent == 0
        page.reload()
        expect(page.locator("#report-form")).to_be_visible()
        expect(page.locator("[data-offline-notice]:not(#offline-banner)")).to_have_count(0)
    finally:
        context.close()


def test_logout_offline_leaves_nothing_for_the_next_account(browser: Browser, base_url, demo_password):
    context, page = phone(browser, base_url, "fr")
    try:
        log_in(page, base_url, "holder", demo_password)
        wait_for_worker(page)
        page.wait_for_load_state("networkidle")
        # The worker keeps the pages the holder home links to ("warm"), in its own time: wait for the first.
        kept_pages = """async () => {
            const name = (await caches.keys()).find(n => n.startsWith('pages-'));
            return name ? (await (await caches.open(name)).keys()).length : 0;
        }"""
        poll(page, kept_pages, what="a page kept by the service worker")
        kept = page.evaluate(kept_pages)
        assert kept >= 1  # the holder home, and the pages it links to
        holder_home = page.locator("main h1").first.inner_text()

        context.set_offline(True)
        page.evaluate("document.querySelector('form[data-logout]').requestSubmit()")
        # The logout clears the caches and the store, notes the logout still owed to the server, then sends the
        # form (which fails: no signal). Wait for that note, or for the failed page that follows it: back
        # online too early, the next page load cut the clearing short.
        poll_through_navigation(page, "() => location.protocol === 'chrome-error:'"
                                      " || localStorage.getItem('mowakaba-logout-pending') === '1'",
                                what="the offline logout noted")
        context.set_offline(False)
        page.goto("/")  # the first page with a connection ends the session the offline logout could not
        expect(page).to_have_url(re.compile(r"/login"))
        expect(page.locator("input[name=email]")).to_be_visible()
        leftovers = page.evaluate("""async () => {
            const names = (await caches.keys()).filter(n => n.startsWith('pages-'));
            const drafts = await MowakabaStore.all('drafts');
            return names.length + drafts.length;
        }""")
        assert leftovers == 0

        log_in(page, base_url, "staff", demo_password)
        context.set_offline(True)
        with pytest.raises(Error, match="ERR_INTERNET_DISCONNECTED|ERR_FAILED"):
            page.goto("/")  # no copy of anybody's page: the browser's own "no connection" error
        context.set_offline(False)
        page.goto("/")
        expect(page.locator("main h1").first).not_to_have_text(holder_home)
        staff_kept = page.evaluate("""async () => {
            let count = 0;
            for (const name of await caches.keys()) {
                if (name.startsWith('pages-')) { count += (await (await caches.open(name)).keys()).length; }
            }
            return count;
        }""")
        assert staff_kept == 0  # staff pages are no-store: never kept
    finally:
        context.close()


def test_a_queued_report_changed_meanwhile_shows_the_conflict_and_keeps_both(
        browser: Browser, base_url, demo_password, demo_database, holder_owes_a_report, screenshots_dir):
    context, page = phone(browser, base_url, "fr")
    staff_context = browser.new_context(base_url=base_url, locale="fr-FR")
    try:
        path, project_id, label = owed_report(page, base_url, demo_password, "fr")
        page.goto(path)
        context.set_offline(True)
        page.locator("textarea[name=highlights]").fill("Version du porteur, tapée sans réseau.")
        submit(page)
        expect(page.locator("#offline-queued")).to_be_visible()

        # Meanwhile the mentor saves the same report from the office.
        staff = staff_context.new_page()
        log_in(staff, base_url, "staff", demo_password)
        staff.goto(path)
        staff.locator("textarea[name=highlights]").fill("Version de l'équipe, enregistrée entre-temps.")
        staff.locator("button[name=action][value=save]:not(.visually-hidden)").click()
        expect(staff.locator(".alert-success").first).to_be_visible()
        before = report_state(demo_database, project_id, label)

        context.set_offline(False)
        expect(page.locator("#conflict-title")).to_be_visible(timeout=20000)
        expect(page.locator("textarea[name=highlights]")).to_have_value("Version du porteur, tapée sans réseau.")
        expect(page.locator("main")).to_contain_text("Version de l'équipe, enregistrée entre-temps.")
        shoot(page, screenshots_dir, "offline-conflict-fr")
        assert report_state(demo_database, project_id, label)[:2] == before[:2]  # nothing overwritten
    finally:
        staff_context.close()
        context.close()


RETURN = {
    "fr": ("Chiffres du porteur, tapés au souk sans réseau.", "Soumis par le mentor au téléphone avec le porteur.",
           "Merci de préciser les ventes de mars."),
    "ar": ("أرقام حامل المشروع، كُتبت في السوق بدون شبكة.", "أرسله المؤطر عبر الهاتف مع حامل المشروع.",
           "المرجو توضيح مبيعات شهر مارس."),
}


def report_row(database: str, project_id: int, label: str):
    engine = sa.create_engine(database)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT id, status, highlights, review_comment FROM period_reports "
                                        "WHERE project_id = :p AND period_label = :l"),
                                {"p": project_id, "l": label}).one()
    finally:
        engine.dispose()


@pytest.mark.parametrize("code", ["fr", "ar"])
def test_a_report_returned_by_a_reviewer_while_queued_shows_the_conflict_with_the_holders_values(
        browser: Browser, base_url, demo_password, demo_database, holder_owes_a_report, screenshots_dir, code):
    """Acceptance 3 of issue 21: "a reviewer returns the report while the holder's submission is queued".

    A reviewer can only return a *submitted* report, and the holder can only fill a draft or returned one, so
    the report has to be submitted by someone else between the holder opening the form and the return. The
    test drives the closest real sequence, every step through the real routes:
      1. the holder opens their owed report (draft or returned) on the phone, goes offline, types and submits:
         the submission is queued;
      2. the mentor (staff), on the phone with the holder, submits the same report from the office;
      3. a reviewer (the manager) returns it with a comment on /period-reports/<id>/review;
      4. the phone gets its signal back: the replay carries the version the form was opened with, so it lands
         on the conflict page with the holder's values in the form, and the database keeps the returned
         report untouched (same status, highlights, submissions, no idempotency key used).
    """
    typed, mentor_text, comment = RETURN[code]
    context, page = phone(browser, base_url, code)
    office = browser.new_context(base_url=base_url, locale="fr-FR")
    try:
        path, project_id, label = owed_report(page, base_url, demo_password, code)
        page.goto(path)
        expect(page.locator("#report-form")).to_be_visible()
        assert report_row(demo_database, project_id, label).status in ("draft", "returned")

        context.set_offline(True)
        page.locator("textarea[name=highlights]").fill(typed)
        submit(page)
        expect(page.locator("#offline-queued")).to_be_visible()

        mentor = office.new_page()
        log_in(mentor, base_url, "staff", demo_password)
        mentor.goto(path)
        mentor.locator("textarea[name=highlights]").fill(mentor_text)
        submit(mentor)
        expect(mentor.locator(".alert-success").first).to_be_visible()
        report_id = report_row(demo_database, project_id, label).id
        assert report_row(demo_database, project_id, label).status == "submitted"
        mentor.close()

        reviewer_context = browser.new_context(base_url=base_url, locale="fr-FR")
        try:
            reviewer = reviewer_context.new_page()
            log_in(reviewer, base_url, "manager", demo_password)
            reviewer.goto(f"/period-reports/{report_id}/review")
            reviewer.locator("#comment").fill(comment)
            reviewer.locator("button[name=decision][value=return]").click()
            expect(reviewer).to_have_url(re.compile(r"/period-reports/review$"))
        finally:
            reviewer_context.close()
        returned = report_row(demo_database, project_id, label)
        assert (returned.status, returned.highlights, returned.review_comment) == ("returned", mentor_text, comment)
        before = report_state(demo_database, project_id, label)
        expect(page.locator("#offline-queued")).to_be_visible()  # still queued on the phone

        context.set_offline(False)
        expect(page.locator("#conflict-title")).to_be_visible(timeout=20000)
        expect(page.locator("textarea[name=highlights]")).to_have_value(typed)
        expect(page.locator("main")).to_contain_text(mentor_text)
        shoot(page, screenshots_dir, f"offline-conflict-returned-{code}")
        page.wait_for_load_state("networkidle")
        assert report_state(demo_database, project_id, label) == before  # no submission, no key used
        assert report_row(demo_database, project_id, label) == returned  # nothing overwritten
    finally:
        office.close()
        context.close()


def test_staff_pages_are_never_served_from_the_cache(browser: Browser, base_url, demo_password):
    context, page = phone(browser, base_url, "fr")
    try:
        log_in(page, base_url, "staff", demo_password)
        wait_for_worker(page)
        page.goto("/projects/")
        expect(page.locator("main h1").first).to_be_visible()
        context.set_offline(True)
        for path in ("/", "/projects/"):
            with pytest.raises(Error, match="ERR_INTERNET_DISCONNECTED|ERR_FAILED"):
                page.goto(path)
    finally:
        context.close()


def test_a_milestone_update_typed_offline_survives_a_reload_and_is_sent_online(
        browser: Browser, base_url, demo_password, demo_database, screenshots_dir):
    context, page = phone(browser, base_url, "ar")
    note = "وصل الإثبات بعد عودة الشبكة."
    try:
        log_in(page, base_url, "holder", demo_password)
        switch_language(page, "ar")
        wait_for_worker(page)
        page.goto(page.locator("main a[href^='/milestones/projects/']:not([href$='/new'])").first.get_attribute("href"))
        edit = page.locator("main a[href$='/edit'][href^='/milestones/']").first.get_attribute("href")
        milestone_id = int(re.search(r"/milestones/(\d+)/edit", edit).group(1))
        page.goto(edit)
        context.set_offline(True)
        page.locator("textarea[name=evidence_note], input[name=evidence_note]").fill(note)
        wait_for_draft(page, note)
        page.reload()
        expect(page.locator("#offline-banner")).to_be_visible()
        expect(page.locator("[name=evidence_note]")).to_have_value(note)
        page.locator("#milestone-form button[type=submit]").click()
        expect(page.locator("#offline-queued")).to_be_visible()
        shoot(page, screenshots_dir, "offline-milestone-queued-ar")

        context.set_offline(False)
        engine = sa.create_engine(demo_database)
        try:
            deadline = time.monotonic() + 15
            while True:
                with engine.connect() as conn:
                    saved = conn.execute(sa.text("SELECT evidence_note FROM milestones WHERE id = :m"),
                                         {"m": milestone_id}).scalar_one()
                if saved == note or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
        finally:
            engine.dispose()
        assert saved == note
    finally:
        context.close()


def test_an_evidence_file_chosen_offline_is_kept_and_uploaded_once_online(
        browser: Browser, base_url, demo_password, demo_database, tmp_path):
    from tests.browser.test_journey_results import tiny_pdf

    context, page = phone(browser, base_url, "fr")
    evidence = tmp_path / "attestation-hors-ligne.pdf"
    evidence.write_bytes(tiny_pdf("Mowakaba evidence offline"))
    try:
        log_in(page, base_url, "holder", demo_password)
        wait_for_worker(page)
        page.goto(page.locator("main a[href^='/milestones/projects/']:not([href$='/new'])").first.get_attribute("href"))
        detail = page.locator("main a[href^='/milestones/']:not([href*='/projects/']):not([href$='/edit'])")
        path = detail.first.get_attribute("href")
        milestone_id = int(re.search(r"/milestones/(\d+)$", path).group(1))
        page.goto(path)
        expect(page.locator("#evidence-form")).to_be_visible()

        context.set_offline(True)
        page.locator("#evidence-form input[type=file]").set_input_files(str(evidence))
        wait_for_draft(page, evidence.name)
        page.reload()  # the chosen file comes back with the draft
        expect(page.locator("#offline-banner")).to_be_visible()
        names = page.locator("#evidence-form input[type=file]").evaluate("i => [...i.files].map(f => f.name)")
        assert names == ["attestation-hors-ligne.pdf"]
        page.locator("#evidence-form button[type=submit]").click()
        expect(page.locator("#offline-queued")).to_be_visible()

        context.set_offline(False)
        engine = sa.create_engine(demo_database)
        try:
            deadline = time.monotonic() + 15
            while True:
                with engine.connect() as conn:
                    stored = conn.execute(sa.text("SELECT count(*) FROM attachments WHERE milestone_id = :m AND "
                                                  "original_name = 'attestation-hors-ligne.pdf'"),
                                          {"m": milestone_id}).scalar_one()
                if stored or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
        finally:
            engine.dispose()
        assert stored == 1
    finally:
        context.close()


def test_a_closed_tab_keeps_the_draft_and_background_sync_sends_the_queue(
        browser: Browser, base_url, demo_password, demo_database, holder_owes_a_report, report_given_back):
    context, page = phone(browser, base_url, "fr")
    try:
        path, project_id, label = owed_report(page, base_url, demo_password)
        report_given_back.append((project_id, label))
        page.goto(path)
        _, submits_before, _ = report_state(demo_database, project_id, label)

        context.set_offline(True)
        page.locator("textarea[name=highlights]").fill("Tapé puis onglet fermé.")
        wait_for_draft(page, "Tapé puis onglet fermé.")
        page.close()
        page = context.new_page()  # a new tab, still without a signal
        page.goto(path)
        expect(page.locator("textarea[name=highlights]")).to_have_value("Tapé puis onglet fermé.")
        submit(page)
        expect(page.locator("#offline-queued")).to_be_visible()
        page.close()

        context.set_offline(False)  # no page open: only the service worker can send it
        status, submits, _ = wait_for_submission(demo_database, project_id, label, timeout=90)
        assert (status, submits - submits_before) == ("submitted", 1)
    finally:
        context.close()
