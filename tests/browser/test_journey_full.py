"""The whole story of issue 10 in a real browser: in French and in Arabic, then in English by the shortest path.

1. The admin creates a cohort whose reporting started two quarters ago, and a staff and a manager account.
2. Staff import the forum sample (../shared/data/forum_cohort_sample.csv, six defects): the preview lists the
   errors, staff import only the valid rows and projects (30 projects, 71 members).
3. The admin creates the holder's account, linked to one imported project (SafiCode Academy, P01).
4. Staff set the project's targets (so the report asks for figures) and a milestone, record a business-plan
   training with its attendance sheet and log a mentoring session from the project page.
5. The holder signs in, lands on the reports owed, marks the milestone achieved, fills and submits the report.
6. Staff approve it from the review queue (filtered on the run's cohort); the holder sees it read-only.
7. The manager opens the cohort report of the cohort and downloads the XLSX and the PDF.

The French and Arabic runs set targets, upload a milestone evidence file and type disaggregated figures; the
English run skips those detours. Every run creates its own cohort (random tag) and its own users
(staff-<tag>@example.org …) in their language, so runs never depend on each other or on their order; the demo
admin's language is set back to French at the end. Screenshots: tests/artifacts/screenshots/e2e-<lang>-<nn>-<step>.png.
"""

import datetime as dt
import io
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.conftest import link_in_mail, mail_to, pick
from tests.browser.test_journey_import import SAMPLE, upload
from tests.browser.test_journey_results import (
    DueReport,
    blur,
    decide,
    direction,
    fill_values,
    first_report_due,
    holder_signs_in,
    milestone_achieved_with_evidence,
    read_only,
    sign_in,
    submit_button,
    submit_report,
)
from tests.browser.test_smoke import log_in, shoot, switch_language

pytestmark = pytest.mark.browser

LANGUAGES = ["fr", "ar", "en"]
PROJECT = "SafiCode Academy"  # P01 of the sample: valid, imported in every run
VALID_PROJECTS, VALID_MEMBERS = 30, 71  # ../shared/data/expected.json

TEXTS = {
    "fr": {
        "staff": "Salma Chargée {tag}", "manager": "Karim Responsable {tag}", "holder": "Asmae Porteuse {tag}",
        "milestone": "Premier client payant {tag}", "training": "Atelier plan d'affaires {tag}",
        "summary": "Séance {tag} : prix de vente revus avec la porteuse.", "note": "Note interne {tag}.",
        "item": "Envoyer le plan de trésorerie {tag}",
        "highlights": "Faits marquants {tag} : première promotion de dix apprenants.",
        "approve": "Rapport approuvé, merci.",
    },
    "ar": {
        "staff": "سلمى المؤطرة {tag}", "manager": "كريم المسؤول {tag}", "holder": "أسماء حاملة المشروع {tag}",
        "milestone": "أول زبون يؤدي الثمن {tag}", "training": "ورشة مخطط الأعمال {tag}",
        "summary": "جلسة {tag}: مراجعة أسعار البيع مع حاملة المشروع.", "note": "ملاحظة داخلية {tag}.",
        "item": "إرسال مخطط الخزينة {tag}",
        "highlights": "أبرز الأحداث {tag}: أول دفعة من عشرة متعلمين.",
        "approve": "تمت الموافقة على التقرير، شكرا.",
    },
    "en": {
        "staff": "Sam Mentor {tag}", "manager": "Kim Manager {tag}", "holder": "Asmae Holder {tag}",
        "milestone": "First paying client {tag}", "training": "Business plan workshop {tag}",
        "summary": "Session {tag}: selling prices reviewed with the holder.", "note": "Internal note {tag}.",
        "item": "Send the cash-flow plan {tag}",
        "highlights": "Highlights {tag}: first group of ten learners.",
        "approve": "Report approved, thank you.",
    },
}


@dataclass
class Run:
    """One language run: its tag, cohort, accounts and the numbered screenshots it takes."""

    code: str
    folder: Path
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    count: int = 0
    new_page: object = None  # () -> a page in a fresh browser context
    app: object = None  # the live app, whose outbox holds the invitations

    def accept_invitation(self, email: str) -> None:
        """Opens the invitation e-mailed to `email` and chooses the run's password."""
        page = self.new_page()
        page.goto(link_in_mail(mail_to(self.app, email)))
        page.locator("#password").fill(self.password)
        page.locator("#confirm").fill(self.password)
        page.locator("main form button[type=submit]").click()
        expect(page.locator("main .alert-success[role=status]")).to_have_count(1)
        page.context.close()

    @property
    def full(self) -> bool:
        return self.code != "en"

    @property
    def cohort(self) -> str:
        return f"Forum Safi e2e {self.code} {self.tag}"

    @property
    def password(self) -> str:
        return f"e2e-password-{self.tag}"

    def email(self, role: str) -> str:
        return f"{role}-{self.tag}@example.org"

    def text(self, key: str) -> str:
        return TEXTS[self.code][key].format(tag=self.tag)

    def shot(self, page: Page, step: str, full_page: bool = True) -> None:
        self.count += 1
        blur(page)
        name = f"e2e-{self.code}-{self.count:02d}-{step}"
        if full_page:
            shoot(page, self.folder, name)
        else:  # what the screen shows first, readable where the full page is too long to look at
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(self.folder / f"{name}.png"))


def quarter_start(day: dt.date, quarters: int = 0) -> dt.date:
    """First day of the quarter of `day`, moved by `quarters` quarters."""
    index = day.year * 12 + (day.month - 1) // 3 * 3 + 3 * quarters
    return dt.date(index // 12, index % 12 + 1, 1)


def language(page: Page, code: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", code)
    direction(page, code)


def save(page: Page, button: str = "main form button[type=submit]") -> None:
    with page.expect_navigation():
        page.locator(button).first.click()


# ---------------------------------------------------------------- 1. admin: cohort and accounts


def admin_creates_cohort(page: Page, run: Run, start: dt.date, end: dt.date) -> None:
    page.locator("nav a[href='/cohorts/']").click()
    page.locator("main a[href='/cohorts/new']").first.click()
    expect(page).to_have_url(re.compile(r"/cohorts/new$"))
    page.locator("#name").fill(run.cohort)
    page.locator("#programme").fill("Innov Impact e2e")
    page.locator("#city").fill("Safi")
    page.locator("#province").fill("Safi")
    page.locator("#forum_date").fill((start - dt.timedelta(days=10)).isoformat())
    page.locator("#start_date").fill(start.isoformat())
    page.locator("#end_date").fill(end.isoformat())
    page.locator("#reporting_frequency").select_option("quarterly")
    run.shot(page, "admin-cohort-form")
    save(page)
    expect(page).to_have_url(re.compile(r"/cohorts/[a-z0-9-]+$"))
    expect(page.locator("main h1")).to_have_text(run.cohort)
    expect(page.locator("main .alert-success[role=status]")).to_contain_text(run.cohort)
    run.shot(page, "admin-cohort")


def admin_creates_user(page: Page, run: Run, role: str, name: str, project: str | None = None) -> None:
    """The admin invites the account (issue 17: no password typed by the admin); the person chooses their
    password from the e-mail, in another browser."""
    page.locator("nav a[href='/admin/users']").click()
    page.locator("main a[href='/admin/users/new']").first.click()
    expect(page).to_have_url(re.compile(r"/admin/users/new$"))
    page.locator("#email").fill(run.email(role))
    page.locator("#display_name").fill(name)
    page.locator("#role").select_option(role)
    page.locator("#locale").select_option(run.code)  # the account opens in the run's language
    if project:
        pick(page, "project_ids", project, group=run.cohort)  # every run imports its own "SafiCode Academy"
        run.shot(page, f"admin-{role}-form")
    save(page)
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.locator("main .alert-success[role=status]")).to_contain_text(run.email(role))
    expect(page.locator("main tbody tr", has_text=run.email(role))).to_have_count(1)
    run.accept_invitation(run.email(role))
    # The admin's long menu wraps instead of pushing the account menu off a 1280 px screen.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the admin's user list is {overflow}px wider than the screen"


def signs_in(page: Page, base_url: str, run: Run, role: str) -> None:
    sign_in(page, base_url, run.email(role), run.password)
    expect(page).to_have_url(f"{base_url}/")
    language(page, run.code)  # the language the admin chose for the account


# ---------------------------------------------------------------- 2. staff: import


def staff_imports_the_valid_rows(page: Page, run: Run) -> int:
    """Upload the sample with its defects, read the errors, import only what is valid; the project's id."""
    upload(page, run.cohort, SAMPLE)
    expect(page.locator("main .alert-danger[role=alert]")).to_be_visible()
    expect(page.locator("#project-errors")).to_contain_text("P13")
    expect(page.locator("#project-errors")).to_contain_text("P31")
    for row in (5, 37, 53, 61):
        expect(page.locator(f"#row-errors tr[data-lines='{row}']")).to_have_count(1)
    expect(page.locator("#confirm-all")).to_have_count(0)
    run.shot(page, "staff-import-preview")
    save(page, "#confirm-valid")
    expect(page).to_have_url(re.compile(r"/imports/[0-9a-f]{32}/result$"))
    expect(page.locator("[data-count=projects-created]")).to_have_text(str(VALID_PROJECTS))
    expect(page.locator("[data-count=members-created]")).to_have_text(str(VALID_MEMBERS))
    expect(page.locator("[data-count=projects-rejected]")).to_have_text("2")
    run.shot(page, "staff-import-result")

    page.locator("main a[href*='/projects/?cohort=']").first.click()
    expect(page.locator("main")).to_contain_text(PROJECT)
    run.shot(page, "staff-project-list")
    page.locator("main a[href*='/projects/']", has_text=PROJECT).first.click()
    expect(page).to_have_url(re.compile(r"/projects/\d+$"))
    expect(page.locator("main h1")).to_contain_text(PROJECT)
    expect(page.locator("main")).to_contain_text(run.cohort)
    return int(page.url.rsplit("/", 1)[1])


# ---------------------------------------------------------------- 3. staff: targets, milestone, training, session


def staff_sets_targets(page: Page, run: Run, project_id: int) -> None:
    page.goto(f"/projects/{project_id}")
    with page.expect_navigation():  # loaded: rows.count() below does not wait for the rows still to come
        page.locator(f"main a[href='/indicators/projects/{project_id}/targets']").click()
    rows = page.locator("main form tbody tr")
    expect(rows.first).to_be_visible()
    for n in range(min(2, rows.count())):
        page.locator(f"#rows-{n}-target_value").fill(str(10 * (n + 1)))
    run.shot(page, "staff-targets-form")
    save(page)
    expect(page).to_have_url(re.compile(rf"/indicators/projects/{project_id}$"))
    expect(page.locator("main .alert-success[role=status]")).to_be_visible()


def staff_adds_a_milestone(page: Page, run: Run, project_id: int) -> None:
    page.goto(f"/projects/{project_id}")
    page.locator(f"main a[href='/milestones/projects/{project_id}']").click()
    page.locator(f"main a[href='/milestones/projects/{project_id}/new']").click()
    page.locator("#title").fill(run.text("milestone"))
    page.locator("#category").select_option("first_sale")
    page.locator("#planned_date").fill((dt.date.today() + dt.timedelta(days=30)).isoformat())
    run.shot(page, "staff-milestone-form")
    save(page, "main form button[type=submit]:not([aria-hidden=true])")
    expect(page).to_have_url(re.compile(r"/milestones/\d+#evidence$"))
    expect(page.locator("main h1")).to_have_text(run.text("milestone"))


def staff_records_a_training(page: Page, run: Run) -> None:
    page.locator("nav a[href='/trainings/']").click()
    page.locator("main a[href='/trainings/new']").first.click()
    page.locator("#title").fill(run.text("training"))
    page.locator("#cohort_id").select_option(label=run.cohort)
    page.locator("#topic").select_option("business_plan")
    page.locator("#date").fill(dt.date.today().isoformat())
    page.locator("#duration_hours").fill("3,5" if run.code == "fr" else "3.5")
    page.locator("#trainer").fill("Nadia Formatrice")
    run.shot(page, "staff-training-form")
    save(page)
    expect(page).to_have_url(re.compile(r"/trainings/\d+$"))
    expect(page.locator("main h1")).to_have_text(run.text("training"))

    # The attendance sheet: the whole team of SafiCode Academy present, one member of Bahr Tracker absent.
    page.locator("main a[href$='/attendance']").click()
    expect(page).to_have_url(re.compile(r"/trainings/\d+/attendance$"))
    projects = page.locator("section[data-attendance-project]")
    expect(projects).to_have_count(VALID_PROJECTS)
    ours = projects.filter(has_text=PROJECT)
    ours.locator("label[for^='all-']").click()
    expect(ours.locator("input[data-all-present]")).to_be_checked()
    other = projects.filter(has_text="Bahr Tracker")
    other.locator("[data-attendance-member] label[for$='-absent']").first.click()
    run.shot(page, "staff-attendance")
    save(page, "main form button[type=submit].btn-primary")
    expect(page.locator("main .alert-success[role=status]").first).to_be_visible()
    expect(page.locator("main p[role=status]")).to_contain_text("2")  # two present (P01's team)

    page.locator("main nav a[href^='/trainings/']").last.click()
    expect(page.locator("#attendance")).to_contain_text(PROJECT)
    run.shot(page, "staff-training")


def staff_logs_a_session(page: Page, base_url: str, run: Run, project_id: int) -> None:
    page.goto(f"/projects/{project_id}")
    page.locator(f"main a[href$='/sessions/new?project={project_id}']").click()
    form = page.locator("#session-form")
    expect(form.locator("#project_id")).to_have_value(str(project_id))
    form.locator("#duration_minutes").fill("45")
    mode = form.locator("input[name=mode][value=in_person]")
    form.locator(f"label[for='{mode.get_attribute('id')}']").click()
    expect(mode).to_be_checked()
    form.locator("#shared_summary").fill(run.text("summary"))
    form.locator("#staff_notes").fill(run.text("note"))
    form.locator("#items-0-description").fill(run.text("item"))
    form.locator("#items-0-owner_kind").select_option("project")
    form.locator("#items-0-due_date").fill((dt.date.today() + dt.timedelta(days=14)).isoformat())
    run.shot(page, "staff-session-form")
    with page.expect_navigation():
        form.locator("button[name=submit]:not([aria-hidden=true])").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(base_url)}/projects/{project_id}(#timeline)?$"))
    event = page.locator("#timeline li.timeline-event", has_text=run.text("summary"))
    expect(event).to_have_count(1)
    expect(event).to_contain_text(run.text("item"))
    page.locator("#timeline").scroll_into_view_if_needed()
    run.shot(page, "staff-project-timeline")


# ---------------------------------------------------------------- 4. holder: milestone and report


def holder_marks_the_milestone_achieved(page: Page, base_url: str, run: Run, tmp_path: Path) -> None:
    if run.full:  # the journey of issue 5, evidence file included; its screenshot is renamed into the series
        folder = tmp_path / "results-shots"
        folder.mkdir(exist_ok=True)
        milestone_achieved_with_evidence(page, base_url, run.code, run.tag, tmp_path, folder)
        run.count += 1
        shutil.move(folder / f"{run.code}-milestone-evidence.png",
                    run.folder / f"e2e-{run.code}-{run.count:02d}-holder-milestone-evidence.png")
    else:
        page.locator("main a[href*='/milestones/projects/']").first.click()
        page.locator("main li.list-group-item a.milestone-title", has_text=run.text("milestone")).click()
        save(page, "main form[action$='/achieved'] button[type=submit]")
        expect(page.locator("main .alert-success[role=status]")).to_contain_text(run.text("milestone"))
        run.shot(page, "holder-milestone-achieved")
    expect(page.locator("main h1")).to_have_text(run.text("milestone"))
    expect(page.locator("main form[action$='/achieved']")).to_have_count(0)


def holder_submits_the_report(page: Page, base_url: str, run: Run, due: DueReport) -> None:
    page.goto("/")
    page.locator(f"#reports-due a[href='{due.url}']").click()
    expect(page).to_have_url(f"{base_url}{due.url}")
    language(page, run.code)
    if run.full:
        totals = fill_values(page, run.code, base=1)
        assert totals, "no disaggregated indicator among the targets: the five cells were not exercised"
    page.locator("#highlights").fill(run.text("highlights"))
    run.shot(page, "holder-report-form")
    expect(submit_button(page)).to_be_visible()
    submit_report(page, base_url, due)
    run.shot(page, "holder-report-submitted")


# ---------------------------------------------------------------- 5. staff: review


def staff_approves(page: Page, run: Run, due: DueReport) -> None:
    page.locator("nav a[href='/period-reports/review']").click()
    expect(page).to_have_url(re.compile(r"/period-reports/review$"))
    pick(page, "f-cohort", run.cohort)
    page.locator("#f-mentor").select_option("all")
    save(page, "main form[role=search] button[type=submit]")
    row = page.locator("main tbody tr").filter(has_text=due.project).filter(has_text=due.label)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(run.cohort)
    expect(row).to_contain_text(run.text("holder"))
    run.shot(page, "staff-review-queue")
    row.locator("a[href$='/review']").click()
    expect(page).to_have_url(re.compile(r"/period-reports/\d+/review$"))
    expect(page.locator("main h1")).to_contain_text(due.label)
    expect(page.locator("main")).to_contain_text(run.text("highlights"))
    page.locator("#comment").fill(run.text("approve"))
    run.shot(page, "staff-review")
    decide(page, due, "approve", run.text("approve"))
    run.shot(page, "staff-approved")


# ---------------------------------------------------------------- 6. manager: cohort report


def manager_downloads_the_cohort_report(page: Page, run: Run, start: dt.date, tmp_path: Path) -> None:
    page.locator("nav a[href='/reports/cohort']").click()
    expect(page).to_have_url(re.compile(r"/reports/cohort$"))
    page.locator("#rf-cohort").select_option(label=run.cohort)
    page.locator("#rf-from").fill(start.isoformat())
    page.locator("#rf-to").fill(dt.date.today().isoformat())
    save(page, "main form[method=get] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/reports/cohort\?.*cohort="))
    expect(page.locator("[data-metric='portfolio.projects']").first).to_have_attribute(
        "data-value", str(VALID_PROJECTS))
    page.wait_for_load_state("networkidle")
    run.shot(page, "manager-cohort-report")
    page.evaluate("window.scrollTo(0, 0)")
    run.shot(page, "manager-cohort-report-top", full_page=False)

    files = {}
    for fmt in ("xlsx", "pdf"):
        link = page.locator(f"a[data-format={fmt}]")
        assert re.search(rf"/reports/cohort\.{fmt}\?.*cohort=", link.get_attribute("href"))
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.failure() is None
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        files[fmt] = path.read_bytes()
    assert files["pdf"].startswith(b"%PDF")
    # The files carry the page's filters: the cover names the cohort, the raw sheet lists its 30 projects.
    slug = page.locator("[data-metric='filters.cohorts']").first.get_attribute("data-value")
    assert slug and run.tag in slug
    workbook = load_workbook(io.BytesIO(files["xlsx"]), read_only=True)
    cover = {str(v) for row in workbook.worksheets[0].iter_rows(values_only=True) for v in row if v is not None}
    assert any(slug in v for v in cover), f"the XLSX cover does not name the cohort {slug}: {sorted(cover)}"
    # sheets are named in the reader's language; the last sheet maps them to their keys
    titles = {key: sheet for sheet, label, key in workbook.worksheets[-1].iter_rows(min_row=2, values_only=True)
              if not label}
    projects = list(workbook[titles["raw.projects"]].iter_rows(values_only=True))
    assert len(projects) - 1 == VALID_PROJECTS
    assert any(PROJECT in (str(v) for v in row) for row in projects[1:])


# ---------------------------------------------------------------- the story


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_whole_story_from_cohort_to_cohort_report(
    new_context, base_url, demo_password, screenshots_dir, tmp_path, code, live_app
):
    run = Run(code, screenshots_dir, new_page=lambda: new_context().new_page(), app=live_app)
    today = dt.date.today()
    start = quarter_start(today, -2)  # two quarters have ended: the holder owes two reports
    end = quarter_start(today, 6) - dt.timedelta(days=1)

    admin = new_context().new_page()
    log_in(admin, base_url, "admin", demo_password)
    switch_language(admin, code)
    try:
        # 1. The admin: the cohort, a staff and a manager account in the run's language.
        admin_creates_cohort(admin, run, start, end)
        admin_creates_user(admin, run, "staff", run.text("staff"))
        admin_creates_user(admin, run, "manager", run.text("manager"))

        # 2. Staff import the forum's spreadsheet.
        staff = new_context().new_page()
        signs_in(staff, base_url, run, "staff")
        run.shot(staff, "staff-home")
        project_id = staff_imports_the_valid_rows(staff, run)

        # 3. The admin links the holder's account to the imported project.
        admin_creates_user(admin, run, "holder", run.text("holder"), project=PROJECT)
        run.shot(admin, "admin-users")

        # 4. Staff: targets and milestone of the project, a training with its sheet, a mentoring session.
        if run.full:
            staff_sets_targets(staff, run, project_id)
        staff_adds_a_milestone(staff, run, project_id)
        staff_records_a_training(staff, run)
        staff_logs_a_session(staff, base_url, run, project_id)

        # 5. The holder: lands on the reports owed, updates the milestone, submits the oldest report.
        holder = new_context().new_page()
        holder_signs_in(holder, base_url, run.email("holder"), run.password)
        language(holder, code)
        due = first_report_due(holder)
        assert due.project == PROJECT and due.url.startswith(f"/period-reports/projects/{project_id}/")
        expect(holder.locator("main")).to_contain_text(run.text("summary"))  # the shared summary
        assert run.text("note") not in holder.content(), "the staff-only note reached the holder"
        run.shot(holder, "holder-home")
        holder_marks_the_milestone_achieved(holder, base_url, run, tmp_path)
        holder_submits_the_report(holder, base_url, run, due)

        # 6. Staff approve; the holder then reads it, closed.
        staff_approves(staff, run, due)
        holder.goto(due.url)
        read_only(holder)
        expect(holder.locator("main .alert-success[role=status]")).to_contain_text(run.text("approve"))
        run.shot(holder, "holder-report-approved")

        # 7. The manager: the cohort report, its XLSX and PDF.
        manager = new_context().new_page()
        signs_in(manager, base_url, run, "manager")
        manager_downloads_the_cohort_report(manager, run, start, tmp_path)
    finally:
        admin.goto("/")
        switch_language(admin, "fr")  # the demo admin is shared by every browser test
