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
    mentor = UserFactory(role="staff")
    cohort = CohortFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 12, 31))
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
    assert [r.project.name for r in page.rows] == ["Quiet", "Overdue", "Late", "Calm"]
    by_name = {r.project.name: r for r in page.rows}
    assert by_name["Quiet"].quiet and by_name["Quiet"].days_since_session == 61
    assert (by_name["Overdue"].open_items, by_name["Overdue"].overdue_items) == (3, 2)
    assert by_name["Late"].late_milestones == 1 and by_name["Late"].next_session == TODAY + dt.timedelta(days=7)
    assert not by_name["Calm"].needs_attention

    attention = portfolio(PortfolioFilters(mentor_id=mentor.id, attention_only=True), TODAY)
    assert [r.project.name for r in attention.rows] == ["Quiet", "Overdue", "Late"]


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

    from tracker.portfolio.services import project_aggregates
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
        "open_items": 2, "overdue_items": 1, "late_milestones": 1, "returned_reports": 1, "reports_done": 0}
    assert theirs.id in everything
