"""The "needs attention" list with known data: each reason, projects left out, order, limit, query count."""

import datetime as dt

from tests import factories
from tests.mentoring.factories import MentoringSessionFactory
from tests.milestones.factories import MilestoneFactory
from tests.periods.factories import PeriodReportFactory
from tracker.extensions import db
from tracker.milestones.models import MilestoneStatus
from tracker.periods.models import ReportStatus
from tracker.projects.models import ProjectStatus
from tracker.reports.attention import needs_attention

TODAY = dt.date(2025, 8, 15)  # 2025-T1 and 2025-T2 have ended, 2025-T3 is running
RECENT = dt.date(2025, 8, 1)
QUARTERS = {"2025-T1": (dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
            "2025-T2": (dt.date(2025, 4, 1), dt.date(2025, 6, 30))}


def _report(project, label, status):
    start, end = QUARTERS[label]
    return PeriodReportFactory(project=project, period_label=label, period_start=start, period_end=end,
                               status=status)


def _up_to_date(project, session=RECENT):
    if session:
        MentoringSessionFactory(project=project, date=session)
    for label in QUARTERS:
        _report(project, label, ReportStatus.APPROVED)


class World:
    def __init__(self):
        self.cohort = factories.CohortFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31))
        make = lambda name, **kw: factories.ProjectFactory(cohort=self.cohort, name=name, **kw)  # noqa: E731
        self.fine = make("Fine fictif")
        _up_to_date(self.fine)
        MentoringSessionFactory(project=self.fine, date=dt.date(2025, 6, 1))
        MilestoneFactory(project=self.fine, planned_date=dt.date(2025, 3, 1), status=MilestoneStatus.ACHIEVED,
                         achieved_date=dt.date(2025, 3, 1))
        MilestoneFactory(project=self.fine, planned_date=dt.date(2025, 3, 1), status=MilestoneStatus.DROPPED)
        MilestoneFactory(project=self.fine, planned_date=dt.date(2025, 9, 1))  # not due yet
        self.never = make("Never fictif")
        _up_to_date(self.never, session=None)
        MentoringSessionFactory(project=self.never, date=dt.date(2025, 9, 1))  # after today: does not count
        self.quiet = make("Quiet fictif")
        _up_to_date(self.quiet, session=dt.date(2025, 6, 15))  # 61 days before today
        self.edge = make("Edge fictif")
        _up_to_date(self.edge, session=dt.date(2025, 6, 16))  # exactly 60 days: not quiet
        self.late = make("Late fictif")
        _up_to_date(self.late)
        MilestoneFactory(project=self.late, planned_date=dt.date(2025, 7, 1))
        MilestoneFactory(project=self.late, planned_date=dt.date(2025, 8, 1), status=MilestoneStatus.DELAYED)
        self.overdue = make("Overdue fictif")
        MentoringSessionFactory(project=self.overdue, date=RECENT)
        _report(self.overdue, "2025-T1", ReportStatus.APPROVED)  # T2: nothing
        self.returned = make("Returned fictif")
        MentoringSessionFactory(project=self.returned, date=RECENT)
        _report(self.returned, "2025-T1", ReportStatus.RETURNED)
        _report(self.returned, "2025-T2", ReportStatus.DRAFT)  # a draft of an ended period is still overdue
        self.paused = make("Paused fictif", status=ProjectStatus.PAUSED)  # no session, nothing: not listed
        other = factories.CohortFactory()
        self.elsewhere = factories.ProjectFactory(cohort=other, name="Elsewhere fictif")
        db.session.flush()


def test_each_reason_with_known_data():
    w = World()
    result = needs_attention([w.cohort.id], TODAY)
    by_id = {item.project_id: item for item in result.items}
    assert set(by_id) == {w.never.id, w.quiet.id, w.late.id, w.overdue.id, w.returned.id}
    assert result.total == 5 and not result.truncated
    never, quiet = by_id[w.never.id], by_id[w.quiet.id]
    assert never.quiet and never.last_session is None and never.reason_count == 1
    assert quiet.quiet and quiet.days_since_session == 61 and quiet.reason_count == 1
    assert by_id[w.late.id].late_milestones == 2 and not by_id[w.late.id].quiet
    assert [p.label for p in by_id[w.overdue.id].overdue_reports] == ["2025-T2"]
    assert not by_id[w.overdue.id].returned_reports
    returned = by_id[w.returned.id]
    assert [p.label for p in returned.returned_reports] == ["2025-T1"]
    assert [p.label for p in returned.overdue_reports] == ["2025-T2"]
    assert returned.reason_count == 2


def test_order_by_attention_score():
    """Overdue reports weigh most (30 each), then returned reports (20), late milestones by days late (3 + 1
    per 15 days), then days without a session (never: 15; 61 days: 5): tracker/portfolio/score.py."""
    w = World()
    items = needs_attention([w.cohort.id], TODAY).items
    order = [w.returned, w.overdue, w.never, w.late, w.quiet]
    assert [i.project_id for i in items] == [p.id for p in order]
    assert [i.score.total for i in items] == [50, 30, 15, 6 + 3, 5]
    assert [i.score.main_reason for i in items] == ["overdue_reports", "overdue_reports", "no_session",
                                                    "late_milestones", "no_session"]


def test_the_report_and_the_portfolio_give_the_same_score():
    from tracker.portfolio.services import PortfolioFilters, portfolio

    w = World()
    mentor = factories.UserFactory(role="staff")
    for project in (w.fine, w.never, w.quiet, w.edge, w.late, w.overdue, w.returned):
        project.staff = [mentor]
    db.session.flush()
    listed = {i.project_id: i.score.total for i in needs_attention([w.cohort.id], TODAY).items}
    rows = portfolio(PortfolioFilters(mentor_id=mentor.id), TODAY).rows
    assert {r.project.id: r.attention_score for r in rows if r.needs_attention} == listed
    assert [r.project.id for r in rows][:len(listed)] == list(listed)  # same ranking


def test_limit_keeps_the_total():
    w = World()
    result = needs_attention([w.cohort.id], TODAY, limit=2)
    assert len(result.items) == 2 and result.total == 5 and result.truncated


def test_other_cohorts_are_left_out_unless_chosen():
    w = World()
    ids = {i.project_id for i in needs_attention([w.cohort.id, w.elsewhere.cohort_id], TODAY).items}
    assert w.elsewhere.id in ids and w.paused.id not in ids


def test_three_queries_whatever_the_number_of_projects(count_queries):
    counts = []
    for n in (4, 40):
        cohort = factories.CohortFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31))
        for _ in range(n):
            project = factories.ProjectFactory(cohort=cohort)
            MilestoneFactory(project=project, planned_date=dt.date(2025, 7, 1))
            _report(project, "2025-T1", ReportStatus.RETURNED)
        db.session.flush()
        with count_queries() as queries:
            result = needs_attention([cohort.id], TODAY)
        assert result.total == n
        counts.append(len(queries))
    assert counts == [3, 3]
