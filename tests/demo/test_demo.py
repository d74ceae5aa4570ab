"""`flask demo load` (DESIGN §11): the fictional demo cohort, idempotent, in every state the app shows."""

import datetime as dt
import hashlib
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker.auth.models import User
from tracker.auth.services import verify_password
from tracker.cohorts.models import Cohort, Frequency
from tracker.core.permissions import Role
from tracker.demo.services import load_demo
from tracker.extensions import db
from tracker.indicators.catalogue import DEFAULT_INDICATORS, ensure_default_catalogue
from tracker.indicators.models import Indicator
from tracker.mentoring.models import ActionItem, ActionOwner, MentoringSession
from tracker.milestones.models import Attachment, Milestone, MilestoneStatus
from tracker.periods.models import Cell, IndicatorValue, PeriodReport, ReportStatus
from tracker.projects.models import Member, Project, Sector, Sex

DEMO_PASSWORD = "demo-password-1"
SLUG = "innov-impact-demo-safi"
ARABIC = re.compile(r"[\u0600-\u06FF]")
ACCOUNTS = {
    "admin@example.org": Role.ADMIN,
    "manager@example.org": Role.MANAGER,
    "staff@example.org": Role.STAFF,
    "staff2@example.org": Role.STAFF,
    "holder@example.org": Role.HOLDER,
    "holder2@example.org": Role.HOLDER,
}
FIVE_CELLS = {Cell.WOMEN_YOUTH, Cell.WOMEN_OTHER, Cell.MEN_YOUTH, Cell.MEN_OTHER, Cell.NOT_STATED}


def load(runner, *args, **kwargs):
    result = runner.invoke(args=["demo", "load", *args], **kwargs)
    assert result.exit_code == 0, result.output
    return result


def table_counts() -> dict[str, int]:
    return {
        table.name: db.session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def demo_projects() -> list[Project]:
    return list(db.session.scalars(
        sa.select(Project).join(Project.cohort).where(Cohort.slug == SLUG).order_by(Project.code)
    ))


def test_load_creates_the_cohort_with_32_projects_in_four_sectors(runner):
    result = load(runner, "--password", DEMO_PASSWORD)

    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.slug == SLUG))
    assert cohort.reporting_frequency == Frequency.QUARTERLY
    assert cohort.forum_date < cohort.start_date < dt.date.today() < cohort.end_date
    assert (dt.date.today() - cohort.start_date).days >= 540  # about 18 months of history
    projects = demo_projects()
    assert [p.code for p in projects] == [f"P{n:02d}" for n in range(1, 33)]
    assert Counter(p.sector for p in projects) == {sector: 8 for sector in Sector}
    assert {p.status.value for p in projects} == {"active", "graduated", "paused", "dropped"}
    assert all(p.status_date and p.status_reason for p in projects if p.status.value != "active")
    assert all(p.staff for p in projects)
    assert "projects" in result.output and "32" in result.output


# Tables filled by later activity, never by a data load: reminders and digests are written when e-mails go
# out, links when someone is invited or forgets a password, preferences when someone chooses them, API tokens
# when their owners make them, idempotency keys when a phone sends a submission queued offline.
ACTIVITY_TABLES = {"reminders", "auth_tokens", "notification_preferences", "notification_digests",
                   "api_tokens", "replayed_submissions"}


def test_every_table_of_the_model_gets_rows(runner):
    load(runner, "--password", DEMO_PASSWORD)

    empty = [name for name, count in table_counts().items() if count == 0 and name not in ACTIVITY_TABLES]
    assert empty == []


def test_teams_follow_the_team_rules_and_show_the_edge_cases(runner):
    load(runner, "--password", DEMO_PASSWORD)

    projects = demo_projects()
    today = dt.date.today()
    for project in projects:
        assert 1 <= len(project.members) <= 4, project.code
        assert sum(m.is_lead for m in project.members) == 1, project.code
        assert sum(m.ownership_pct or 0 for m in project.members) <= 100, project.code
        assert all(m.consent_date <= today for m in project.members)

    def women_share(project):
        return sum(m.ownership_pct or 0 for m in project.members if m.sex == Sex.F)

    assert any(p.lead.sex == Sex.M and women_share(p) >= 51 for p in projects)  # women-led by ownership only
    assert any(p.lead.sex != Sex.F and women_share(p) == Decimal(50) for p in projects)  # exactly 50 %
    members = [m for p in projects for m in p.members]
    assert {m.sex for m in members} == {Sex.F, Sex.M, None}
    ages = [(today - m.birth_date).days // 365 for m in members if m.birth_date]
    assert any(15 <= age <= 34 for age in ages) and any(age > 34 for age in ages)
    assert any(m.birth_date is None for m in members)
    assert any(p.lead.sex is None and p.lead.birth_date is None for p in projects)


def test_every_milestone_status_and_every_report_status_is_present(runner):
    load(runner, "--password", DEMO_PASSWORD)

    milestones = db.session.scalars(sa.select(Milestone)).all()
    assert {m.status for m in milestones} == set(MilestoneStatus)
    assert all(m.achieved_date for m in milestones if m.status == MilestoneStatus.ACHIEVED)
    assert any(m.is_late(dt.date.today()) for m in milestones)
    assert any(m.evidence_note for m in milestones)
    per_project = Counter(m.project_id for m in milestones)
    assert all(2 <= n <= 4 for n in per_project.values()) and len(per_project) == 32

    reports = db.session.scalars(sa.select(PeriodReport)).all()
    assert {r.status for r in reports} == set(ReportStatus)
    for report in reports:
        submitted = report.status != ReportStatus.DRAFT
        reviewed = report.status in (ReportStatus.APPROVED, ReportStatus.RETURNED)
        assert (report.submitted_by_id is not None, report.submitted_at is not None) == (submitted, submitted)
        assert (report.reviewed_by_id is not None, report.reviewed_at is not None) == (reviewed, reviewed)
        assert not reviewed or report.reviewed_at >= report.submitted_at
        assert report.status != ReportStatus.RETURNED or report.review_comment


def test_reports_cover_the_ended_quarters_with_disaggregated_cells(app):
    today = dt.date(2026, 1, 2)  # a quarter ended two days ago: submissions must not be in the future
    load_demo(DEMO_PASSWORD, today=today)

    reports = db.session.scalars(sa.select(PeriodReport)).all()
    labels = {r.period_label for r in reports}
    assert "2025-T4" in labels and "2026-T1" not in labels
    for report in reports:
        year, quarter = map(int, re.fullmatch(r"(\d{4})-T([1-4])", report.period_label).groups())
        assert report.period_start == dt.date(year, 3 * quarter - 2, 1)
        assert report.period_end < today and (report.period_end + dt.timedelta(days=1)).day == 1
        assert report.submitted_at is None or report.submitted_at.date() < today
        assert report.reviewed_at is None or report.reviewed_at.date() < today
    cells: dict[tuple[int, int], set[Cell]] = {}
    for value in db.session.scalars(sa.select(IndicatorValue)):
        cells.setdefault((value.report_id, value.indicator_id), set()).add(value.cell)
    indicators = {i.id: i for i in db.session.scalars(sa.select(Indicator))}
    for (_, indicator_id), found in cells.items():
        assert found == (FIVE_CELLS if indicators[indicator_id].disaggregated else {Cell.TOTAL})
    assert any(indicators[i].disaggregated for _, i in cells)


def test_mentoring_has_shared_summaries_staff_notes_and_action_items_in_every_state(runner):
    load(runner, "--password", DEMO_PASSWORD)
    today = dt.date.today()

    sessions = db.session.scalars(sa.select(MentoringSession)).all()
    assert 70 <= len(sessions) <= 110
    assert {s.mentor.email for s in sessions} == {"staff@example.org", "staff2@example.org"}
    assert all(s.shared_summary for s in sessions) and any(s.staff_notes for s in sessions)
    assert any(s.next_session_date and s.next_session_date > today for s in sessions)
    items = db.session.scalars(sa.select(ActionItem)).all()
    assert any(i.done_date for i in items)
    assert any(i.done_date is None and i.due_date >= today for i in items)  # open
    assert any(i.done_date is None and i.due_date < today for i in items)  # overdue
    assert any(i.milestone_id for i in items)
    assert {i.owner_kind for i in items} == set(ActionOwner)
    assert all(i.owner_user_id for i in items if i.owner_kind == ActionOwner.STAFF)


def test_demo_accounts_have_their_roles_the_password_and_the_holders_their_project(runner):
    load(runner, "--password", DEMO_PASSWORD)

    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(ACCOUNTS)))}
    assert {email: u.role for email, u in users.items()} == ACCOUNTS
    assert all(verify_password(u, DEMO_PASSWORD) for u in users.values())
    assert not verify_password(users["admin@example.org"], "wrong-password-1")
    holder, holder2 = users["holder@example.org"], users["holder2@example.org"]
    assert [p.code for p in holder.projects] == ["P01"]
    assert holder.projects[0].lead.email == "holder@example.org"
    assert len(holder2.projects) == 1 and holder2.projects[0] is not holder.projects[0]


def test_a_second_run_creates_nothing(runner):
    load(runner, "--password", DEMO_PASSWORD)
    before = table_counts()

    result = load(runner, "--password", "another-password-2")

    assert "already loaded, nothing created" in result.output
    assert table_counts() == before
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.org"))
    assert verify_password(admin, DEMO_PASSWORD)  # an existing account keeps its password


def test_contact_details_are_fictional_and_names_use_both_scripts(runner):
    load(runner, "--password", DEMO_PASSWORD)

    emails = list(db.session.scalars(sa.select(User.email))) + [
        e for e in db.session.scalars(sa.select(Member.email)) if e
    ]
    assert emails and all(re.search(r"@example\.(org|com|net)$", e) for e in emails)
    phones = [p for p in db.session.scalars(sa.select(Member.phone)) if p]
    assert phones and all(re.fullmatch(r"\+2126\d{8}", p) for p in phones)
    names = list(db.session.scalars(sa.select(Member.full_name)))
    assert any(ARABIC.search(n) for n in names)
    assert any(re.fullmatch(r"[A-Za-z \-]+", n) for n in names)


def test_evidence_files_are_written_with_their_checksum(app, runner):
    load(runner, "--password", DEMO_PASSWORD)

    attachments = db.session.scalars(sa.select(Attachment)).all()
    assert attachments
    for attachment in attachments:
        content = (Path(app.config["UPLOAD_DIR"]) / attachment.stored_path).read_bytes()
        assert len(content) == attachment.size_bytes
        assert hashlib.sha256(content).hexdigest() == attachment.sha256
        assert content[:4] in (b"%PDF", b"\x89PNG")
        assert attachment.milestone.status == MilestoneStatus.ACHIEVED


def test_password_comes_from_the_environment(runner):
    load(runner, env={"DEMO_PASSWORD": "from-the-env-3"})

    staff = db.session.scalar(sa.select(User).where(User.email == "staff@example.org"))
    assert verify_password(staff, "from-the-env-3")


def test_without_a_password_one_is_generated_and_printed_once(runner):
    result = load(runner, env={"DEMO_PASSWORD": None})

    password = re.search(r"\(shown once\): (\S+)", result.output).group(1)
    manager = db.session.scalar(sa.select(User).where(User.email == "manager@example.org"))
    assert verify_password(manager, password)
    again = load(runner, env={"DEMO_PASSWORD": None})
    assert "shown once" not in again.output


@pytest.mark.parametrize("password", ["short", "elevenchars"])
def test_a_too_short_password_fails_and_writes_nothing(runner, password):
    before = table_counts()

    result = runner.invoke(args=["demo", "load", "--password", password])

    assert result.exit_code == 1
    assert "12" in result.output
    assert table_counts() == before


def test_default_catalogue_is_complete_and_idempotent():
    codes = [spec.code for spec in DEFAULT_INDICATORS]
    present = db.session.scalar(sa.select(sa.func.count()).where(Indicator.code.in_(codes)))

    first = ensure_default_catalogue()
    second = ensure_default_catalogue()

    assert len(codes) == len(set(codes)) >= 10
    assert first == len(codes) - present and second == 0
    indicators = {i.code: i for i in db.session.scalars(sa.select(Indicator))}
    assert {"jobs_created", "employees", "revenue", "customers", "people_trained", "funding_raised",
            "products_launched", "women_in_management"} <= set(indicators)
    assert indicators["jobs_created"].disaggregated and indicators["jobs_created"].kind.value == "flow"
    assert indicators["employees"].disaggregated and indicators["employees"].kind.value == "stock"
    assert indicators["revenue"].unit.value == "MAD"
    assert all(ARABIC.search(i.name_ar) and i.name_fr and i.name_en for i in indicators.values())
    assert len({i.sort_order for i in indicators.values()}) == len(indicators)
