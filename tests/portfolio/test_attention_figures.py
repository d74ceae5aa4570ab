"""`project_attention` (issue 20): the portfolio's figures kept per project and day. Every kind of write marks
the projects concerned stale in its own transaction, the next view shows the new figures, a new day recomputes
every row, and the recomputation costs the same statements for 5 or 50 projects. (After every test of the
suite, tests/conftest.py also checks that each up-to-date row equals its recomputation.)"""

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.factories import CohortFactory, ProjectFactory, UserFactory
from tracker.extensions import db
from tracker.mentoring.models import ActionItem, ActionOwner, MentoringSession, SessionMode
from tracker.milestones.models import Milestone, MilestoneCategory, MilestoneStatus
from tracker.periods.models import PeriodReport, ReportStatus
from tracker.portfolio import attention
from tracker.portfolio.models import ProjectAttention
from tracker.portfolio.services import PortfolioFilters, portfolio
from tracker.projects.models import ProjectStatus

TODAY = dt.date(2025, 10, 15)
EVERY_STATUS = PortfolioFilters(status=None)


@pytest.fixture
def base():
    """One project, mentored 10 days ago, with an open item, a planned milestone, and two of its three ended
    quarters' reports approved: a score of 30 (one report overdue)."""
    mentor = UserFactory(role="staff")
    cohort = CohortFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 12, 31))
    project = ProjectFactory(cohort=cohort, name="Suivi")
    project.staff = [mentor]
    session = MentoringSession(project=project, mentor=mentor, date=TODAY - dt.timedelta(days=10),
                               duration_minutes=45, mode=SessionMode.PHONE)
    session.action_items = [ActionItem(description="Devis", owner_kind=ActionOwner.PROJECT,
                                       due_date=TODAY + dt.timedelta(days=5))]
    milestone = Milestone(project=project, title="Statuts", category=MilestoneCategory.LEGAL_REGISTRATION,
                          planned_date=TODAY + dt.timedelta(days=30), status=MilestoneStatus.PLANNED)
    reports = [PeriodReport(project=project, period_label=f"2025-T{q + 1}", period_start=dt.date(2025, 3 * q + 1, 1),
                            period_end=dt.date(2025, 3 * q + 4, 1) - dt.timedelta(days=1), status=ReportStatus.APPROVED)
               for q in range(2)]
    report = reports[-1]
    db.session.add_all([session, milestone, *reports])
    db.session.flush()
    return {"mentor": mentor, "cohort": cohort, "project": project, "session": session, "milestone": milestone,
            "report": report, "item": session.action_items[0]}


def _figures(row) -> dict:
    return {name: getattr(row, name) for name in ("last_session", "next_session", "open_items", "overdue_items",
                                                  "late_milestones", "late_points", "returned_reports",
                                                  "reports_done", "overdue_reports", "attention_score")}


def _row(project) -> dict:
    [row] = [r for r in portfolio(EVERY_STATUS, TODAY).rows if r.project.id == project.id]
    return _figures(row)


def _kept(project) -> ProjectAttention | None:
    return db.session.execute(sa.select(ProjectAttention).where(ProjectAttention.project_id == project.id)
                              .execution_options(populate_existing=True)).scalar_one_or_none()


def _add_session(b):
    db.session.add(MentoringSession(project=b["project"], mentor=b["mentor"], date=TODAY, duration_minutes=30,
                                    mode=SessionMode.FIELD_VISIT, next_session_date=TODAY + dt.timedelta(days=7)))


def _move_session(b):
    b["session"].date = TODAY - dt.timedelta(days=90)


def _delete_session(b):
    db.session.delete(b["session"])


def _add_item(b):
    b["session"].action_items.append(ActionItem(description="Banque", owner_kind=ActionOwner.PROJECT,
                                                due_date=TODAY - dt.timedelta(days=2)))


def _item_done(b):
    b["item"].done_date = TODAY


def _item_overdue(b):
    b["item"].due_date = TODAY - dt.timedelta(days=1)


def _milestone_late(b):
    b["milestone"].planned_date = TODAY - dt.timedelta(days=40)


def _add_late_milestone(b):
    db.session.add(Milestone(project=b["project"], title="Local", category=MilestoneCategory.FUNDING,
                             planned_date=TODAY - dt.timedelta(days=3), status=MilestoneStatus.DELAYED))


def _report_returned(b):
    b["report"].status = ReportStatus.RETURNED


def _delete_report(b):
    db.session.delete(b["report"])


def _add_report(b):
    db.session.add(PeriodReport(project=b["project"], period_label="2025-T4", period_start=dt.date(2025, 10, 1),
                                period_end=dt.date(2025, 12, 31), status=ReportStatus.RETURNED))


def _project_dropped(b):
    b["project"].status = ProjectStatus.DROPPED


def _cohort_shortened(b):
    b["cohort"].start_date = dt.date(2025, 7, 1)  # one ended quarter instead of three


WRITES = [_add_session, _move_session, _delete_session, _add_item, _item_done, _item_overdue, _milestone_late,
          _add_late_milestone, _report_returned, _delete_report, _add_report, _project_dropped, _cohort_shortened]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.lstrip("_") for w in WRITES])
def test_every_kind_of_write_marks_the_figures_stale_and_the_next_view_shows_them(base, write):
    before = _row(base["project"])
    assert _kept(base["project"]).as_of == TODAY

    write(base)
    db.session.flush()
    assert _kept(base["project"]).as_of is None  # stale, in the transaction of the write

    after = _row(base["project"])
    assert after != before
    assert _kept(base["project"]).as_of == TODAY
    assert attention.differing(db.session.connection()) == []  # equal to their recomputation


def test_a_deleted_project_takes_its_figures_along(base):
    _row(base["project"])
    project_id = base["project"].id
    db.session.delete(base["project"])
    db.session.flush()
    assert db.session.get(ProjectAttention, project_id) is None
    assert portfolio(EVERY_STATUS, TODAY).total == 0


def test_a_new_day_recomputes_every_row(base):
    first = portfolio(EVERY_STATUS, TODAY)
    assert first.refreshed and first.rows[0].attention_score == 30
    assert not portfolio(EVERY_STATUS, TODAY).refreshed

    later = TODAY + dt.timedelta(days=70)  # 80 days without a session: 5 + 2 points; the milestone is 40 days late
    page = portfolio(EVERY_STATUS, later)
    assert page.refreshed and _kept(base["project"]).as_of == later
    assert (page.rows[0].days_since_session, page.rows[0].late_milestones) == (80, 1)
    assert page.rows[0].attention_score == 7 + 5 + 30  # quiet, late milestone, T3 not sent (T4 has not ended)


def test_any_view_brings_every_stale_row_up_to_date_and_an_up_to_date_view_writes_nothing(base, count_queries):
    other = ProjectFactory(cohort=base["cohort"], status=ProjectStatus.PAUSED)
    other.staff = [UserFactory(role="staff")]
    db.session.flush()
    assert _kept(other).as_of is None  # stale since it was created
    assert portfolio(PortfolioFilters(mentor_id=base["mentor"].id), TODAY).refreshed
    assert _kept(other).as_of == TODAY  # not on this mentor's page, and not active, but up to date too
    with count_queries() as statements:
        assert not portfolio(PortfolioFilters(mentor_id=base["mentor"].id), TODAY).refreshed
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in statements)


@pytest.mark.parametrize("many", [False, True], ids=["by index", "whole programme"])
def test_the_recomputation_costs_the_same_statements_for_5_or_50_projects(base, count_queries, monkeypatch, many):
    """Both ways of recomputing (a few stale rows by index, many by hash joins over whole tables) give the
    figures of the recomputation, in a constant number of statements."""
    monkeypatch.setattr(attention, "MANY", 0 if many else 1000)
    mentor = base["mentor"]

    def stale_projects(n):
        for _ in range(n):
            project = ProjectFactory(cohort=base["cohort"])
            project.staff = [mentor]
            db.session.add(MentoringSession(project=project, mentor=mentor, date=TODAY - dt.timedelta(days=70),
                                            duration_minutes=30, mode=SessionMode.PHONE))
        db.session.flush()
        with count_queries() as statements:
            page = portfolio(PortfolioFilters(mentor_id=mentor.id), TODAY, per_page=100)
        assert page.refreshed
        return page, statements

    five, five_statements = stale_projects(5)
    fifty, fifty_statements = stale_projects(45)
    assert (five.total, fifty.total) == (6, 51)
    assert len(five_statements) == len(fifty_statements)
    # three ended quarters not sent (90), 70 days without a session (6)
    assert [r.attention_score for r in fifty.rows].count(96) == 50
    assert attention.differing(db.session.connection()) == []
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":  # the planner setting of the whole-programme path is set back
        assert connection.exec_driver_sql("SELECT current_setting('enable_nestloop')").scalar() == "on"
        # and the planner's statistics know the new date (without, it sorted every row for the page)
        known = connection.exec_driver_sql(
            "SELECT coalesce(most_common_vals::text, '') || coalesce(histogram_bounds::text, '') FROM pg_stats"
            " WHERE tablename = 'project_attention' AND attname = 'as_of'").scalar()
        assert not many or TODAY.isoformat() in (known or "")


def test_bulk_statements_through_the_session_mark_every_project_stale(base):
    """`session.execute(insert(Project), rows)` and bulk updates write past the flush: every project's figures
    are marked stale, and projects inserted so get their row (without it, the portfolio would not list them)."""
    from tracker.projects.models import Project

    _row(base["project"])
    db.session.execute(sa.insert(Project), [{"cohort_id": base["cohort"].id, "name": f"En masse {i}",
                                             "sector": "digital", "status": "active"} for i in range(3)])
    kept = db.session.execute(sa.select(ProjectAttention.project_id, ProjectAttention.as_of)).all()
    assert len(kept) == 4 and {as_of for _, as_of in kept} == {None}
    assert portfolio(EVERY_STATUS, TODAY).total == 4

    db.session.execute(sa.update(MentoringSession).values(date=TODAY))
    assert _kept(base["project"]).as_of is None
    assert _row(base["project"])["last_session"] == TODAY
    assert attention.differing(db.session.connection()) == []
