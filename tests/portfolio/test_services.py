import datetime as dt

from tests.factories import CohortFactory, ProjectFactory, UserFactory
from tracker.extensions import db
from tracker.mentoring.models import ActionItem, ActionOwner, MentoringSession, SessionMode
from tracker.milestones.models import Milestone, MilestoneCategory, MilestoneStatus
from tracker.periods.models import PeriodReport, ReportStatus
from tracker.portfolio.services import PortfolioFilters, portfolio

TODAY = dt.date(2025, 10, 15)


def session(project, mentor, days_ago, next_in=None, items=()):
    s = MentoringSession(project=project, mentor=mentor, date=TODAY - dt.timedelta(days=days_ago),
                         duration_minutes=45, mode=SessionMode.PHONE,
                         next_session_date=TODAY + dt.timedelta(days=next_in) if next_in is not None else None)
    for due_in, done in items:
        s.action_items.append(ActionItem(description="Faire", owner_kind=ActionOwner.PROJECT,
                                         due_date=TODAY + dt.timedelta(days=due_in), done_date=TODAY if done else None))
    db.session.add(s)
    return s


def test_projects_are_ranked_by_need_of_attention():
    """The attention score of tracker/portfolio/score.py (no report owed yet: the first period runs)."""
    mentor = UserFactory(role="staff")
    cohort = CohortFactory(start_date=TODAY - dt.timedelta(days=10), end_date=dt.date(2026, 12, 31))
    quiet, overdue, late, calm = (ProjectFactory(cohort=cohort, name=n) for n in ("Quiet", "Overdue", "Late", "Calm"))
    for p in (quiet, overdue, late, calm):
        p.staff = [mentor]
    session(quiet, mentor, days_ago=61)
    session(overdue, mentor, days_ago=10, items=[(-3, False), (-1, False), (5, False), (-9, True)])
    session(late, mentor, days_ago=5, next_in=7)
    db.session.add(Milestone(project=late, title="Statuts", category=MilestoneCategory.LEGAL_REGISTRATION,
                             planned_date=TODAY - dt.timedelta(days=1), status=MilestoneStatus.IN_PROGRESS))
    session(calm, mentor, days_ago=2)
    db.session.flush()

    page = portfolio(PortfolioFilters(mentor_id=mentor.id), TODAY)
    # Quiet: 61 days without a session (5 points); Late: a milestone 1 day late (3 points); then overdue
    # action items break the tie between scores of 0
    assert [r.project.name for r in page.rows] == ["Quiet", "Late", "Overdue", "Calm"]
    by_name = {r.project.name: r for r in page.rows}
    assert by_name["Quiet"].quiet and by_name["Quiet"].days_since_session == 61
    assert [by_name[n].attention_score for n in ("Quiet", "Late", "Overdue", "Calm")] == [5, 3, 0, 0]
    assert (by_name["Overdue"].open_items, by_name["Overdue"].overdue_items) == (3, 2)
    assert by_name["Late"].late_milestones == 1 and by_name["Late"].next_session == TODAY + dt.timedelta(days=7)
    assert [n for n, r in by_name.items() if r.needs_attention] == ["Quiet", "Late"]  # the red bar: score > 0

    attention = portfolio(PortfolioFilters(mentor_id=mentor.id, attention_only=True), TODAY)
    assert [r.project.name for r in attention.rows] == ["Quiet", "Late"]


def test_score_weighs_overdue_reports_most_and_equals_the_python_rule():
    from tracker.portfolio.score import attention_score

    mentor = UserFactory(role="staff")
    cohort = CohortFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 12, 31))  # T1–T3 ended
    names = ("Two overdue", "Returned", "Very late", "Never", "Calm")
    projects = {n: ProjectFactory(cohort=cohort, name=n) for n in names}
    for p in projects.values():
        p.staff = [mentor]

    def report(project, label, start, end, status):
        db.session.add(PeriodReport(project=project, period_label=label, period_start=start, period_end=end,
                                    status=status))

    quarters = [("2025-T1", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
                ("2025-T2", dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
                ("2025-T3", dt.date(2025, 7, 1), dt.date(2025, 9, 30))]
    for name in names:
        for i, quarter in enumerate(quarters):
            if name == "Two overdue" and i < 2:
                continue  # T1 and T2 never sent
            status = ReportStatus.RETURNED if name == "Returned" and i == 0 else ReportStatus.APPROVED
            report(projects[name], *quarter, status)
        if name != "Never":
            session(projects[name], mentor, days_ago=3)
    for days in (200, 20):
        db.session.add(Milestone(project=projects["Very late"], title="m", category=MilestoneCategory.FUNDING,
                                 planned_date=TODAY - dt.timedelta(days=days), status=MilestoneStatus.DELAYED))
    db.session.flush()

    rows = {r.project.name: r for r in portfolio(PortfolioFilters(mentor_id=mentor.id), TODAY).rows}
    expected = {
        "Two overdue": attention_score(2, 0, [], 3),
        "Returned": attention_score(0, 1, [], 3),
        "Very late": attention_score(0, 0, [200, 20], 3),  # 12 (capped) + 4
        "Never": attention_score(0, 0, [], None),
        "Calm": attention_score(0, 0, [], 3),
    }
    assert {n: r.attention_score for n, r in rows.items()} == {n: s.total for n, s in expected.items()} == {
        "Two overdue": 60, "Returned": 20, "Very late": 16, "Never": 15, "Calm": 0}
    assert list(rows) == ["Two overdue", "Returned", "Very late", "Never", "Calm"]
    assert {n: r.score for n, r in rows.items()} == expected
    assert rows["Two overdue"].score.main_reason == "overdue_reports" and rows["Calm"].score.main_reason is None


def test_a_project_never_mentored_comes_first_and_other_mentors_are_excluded():
    mentor, other = UserFactory(role="staff"), UserFactory(role="staff")
    never = ProjectFactory(name="Jamais")
    never.staff = [mentor]
    elsewhere = ProjectFactory(name="Ailleurs")
    elsewhere.staff = [other]
    db.session.flush()
    page = portfolio(PortfolioFilters(mentor_id=mentor.id), TODAY)
    assert [r.project.name for r in page.rows] == ["Jamais"]
    assert page.rows[0].last_session is None and page.rows[0].quiet


def test_reports_owed_and_returned():
    mentor = UserFactory(role="staff")
    cohort = CohortFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 12, 31))
    project = ProjectFactory(cohort=cohort)
    project.staff = [mentor]
    db.session.add_all([
        PeriodReport(project=project, period_label="2025-T1", period_start=dt.date(2025, 1, 1),
                     period_end=dt.date(2025, 3, 31), status=ReportStatus.APPROVED),
        PeriodReport(project=project, period_label="2025-T2", period_start=dt.date(2025, 4, 1),
                     period_end=dt.date(2025, 6, 30), status=ReportStatus.RETURNED),
    ])
    db.session.flush()
    row = portfolio(PortfolioFilters(mentor_id=mentor.id), TODAY).rows[0]
    # T1, T2, T3 have ended by 15 October; only T1 counts as done, T2 was returned.
    assert (row.reports_owed, row.returned_reports) == (2, 1)


def test_pagination_and_total():
    mentor = UserFactory(role="staff")
    for i in range(7):
        ProjectFactory(name=f"P{i}").staff = [mentor]
    db.session.flush()
    page = portfolio(PortfolioFilters(mentor_id=mentor.id), TODAY, page=2, per_page=5)
    assert (page.total, page.pages, len(page.rows)) == (7, 2, 2)


def test_aggregates_restricted_to_some_projects_match_the_whole_programme_figures():
    """Scale (issue 9): the page's aggregates read only the projects concerned, with the same figures as
    the unrestricted aggregates of the whole programme."""
    import sqlalchemy as sa

    from tracker.portfolio.aggregates import project_aggregates
    from tracker.projects.models import Project

    mentor, other = UserFactory(role="staff"), UserFactory(role="staff")
    mine, theirs = ProjectFactory(name="Mien"), ProjectFactory(name="Autre")
    mine.staff, theirs.staff = [mentor], [other]
    for project in (mine, theirs):
        session(project, mentor, days_ago=20, next_in=3, items=[(-2, False), (4, False), (-5, True)])
        db.session.add(Milestone(project=project, title="Statuts", category=MilestoneCategory.LEGAL_REGISTRATION,
                                 planned_date=TODAY - dt.timedelta(days=1), status=MilestoneStatus.PLANNED))
        db.session.add(PeriodReport(project=project, period_label="2025-Q2", period_start=dt.date(2025, 4, 1),
                                    period_end=dt.date(2025, 6, 30), status=ReportStatus.RETURNED))
    db.session.flush()

    def figures(project_ids):
        out = {}
        for sub in project_aggregates(TODAY, project_ids):
            for row in db.session.execute(sa.select(sub)).mappings():
                out.setdefault(row["project_id"], {}).update({k: v for k, v in row.items() if k != "project_id"})
        return out

    scoped = figures(sa.select(Project.id).where(Project.staff.any(id=mentor.id)))
    everything = figures(None)
    assert set(scoped) == {mine.id}  # the other mentor's project is not read at all
    assert scoped[mine.id] == everything[mine.id] == {
        "last_session": TODAY - dt.timedelta(days=20), "next_session": TODAY + dt.timedelta(days=3),
        "open_items": 2, "overdue_items": 1, "late_milestones": 1, "late_points": 3, "returned_reports": 1,
        "reports_done": 0, "returned_ended": 1}
    assert theirs.id in everything


def test_the_cohort_owed_counts_are_written_once_and_only_when_figures_are_recomputed(count_queries):
    """With many cohorts, the cohort → owed reports CASE (two parameters per cohort) is written once in the
    statement that recomputes the figures (written at each use in the score, it made 50–75 kB statements at
    200 cohorts); a view whose figures are up to date reads them without it."""
    mentor = UserFactory(role="staff")
    cohorts = [CohortFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 12, 31)) for _ in range(12)]
    for cohort in cohorts:
        ProjectFactory(cohort=cohort).staff = [mentor]
    db.session.flush()
    with count_queries() as statements:
        page = portfolio(PortfolioFilters(mentor_id=mentor.id), TODAY, cohorts=cohorts)
    assert page.total == 12 and all(row.reports_owed == 3 for row in page.rows)  # T1-T3 ended by 15 October
    assert page.refreshed
    scored = [sql for sql in statements if "CASE projects.cohort_id" in sql]
    assert len(scored) == 1 and scored[0].count("CASE projects.cohort_id") == 1

    with count_queries() as statements:
        again = portfolio(PortfolioFilters(mentor_id=mentor.id), TODAY, cohorts=cohorts)
    assert not again.refreshed and [r.reports_owed for r in again.rows] == [r.reports_owed for r in page.rows]
    assert not [sql for sql in statements if "CASE projects.cohort_id" in sql]
    assert len(statements) == 3  # the counts, the page (flags included), its projects' mentors
