"""Query budget (issue 9): the cohort report and every list page run the same number of SQL statements for 3
and for 30 rows, and no more than a stated budget, so no later change can bring back an N+1 pattern.
Not timed: speed is measured by bench/ (bench/RESULTS.md)."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import MemberFactory, ProjectFactory, UserFactory
from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory, MilestoneFactory
from tests.periods.factories import IndicatorFactory, IndicatorValueFactory, PeriodReportFactory, TargetFactory
from tests.trainings.factories import AttendanceFactory, TrainingFactory
from tracker.core import audit
from tracker.extensions import db
from tracker.periods.models import ReportStatus
from tracker.reports.services import cohort_report

# Statements per page as measured when the budget was set (user loading included), whatever the number of
# rows; raise a budget only with a reason.
BUDGETS = {
    "/projects/": 8,
    "/sessions/": 6,
    "/trainings/": 5,
    "/reports/review": 6,
    "/": 7,
    "/?mentor=all": 8,
    "/cohorts/": 5,
    "/admin/users": 4,
    "/admin/audit/": 9,
}
REPORT_BUDGET = 10  # tracker/reports/queries.fetch_all
PAGE_SIZES = ("PROJECTS_PER_PAGE", "SESSIONS_PER_PAGE", "TRAININGS_PER_PAGE", "REPORTS_PER_PAGE", "AUDIT_PER_PAGE")


def _fill(actors, n: int, indicator) -> None:
    """n more of everything the list pages show: projects (lead, mentor, session with an action item, late
    milestone, target, submitted report with a value, holder account), trainings with attendance,
    audit events."""
    for _ in range(n):
        project = ProjectFactory(cohort=actors.cohort)
        project.staff = [actors.staff]
        lead = MemberFactory(project=project)
        UserFactory(role="holder", projects=[project])
        session = MentoringSessionFactory(project=project, mentor=actors.staff, date=dt.date.today())
        ActionItemFactory(session=session, due_date=dt.date.today() - dt.timedelta(days=3))
        MilestoneFactory(project=project, planned_date=dt.date.today() - dt.timedelta(days=10))
        TargetFactory(project=project, indicator=indicator)
        report = PeriodReportFactory(project=project, status=ReportStatus.SUBMITTED, submitted_by=actors.staff,
                                     submitted_at=dt.datetime.now(dt.UTC))
        IndicatorValueFactory(report=report, indicator=indicator, value=Decimal(3))
        training = TrainingFactory(cohort=actors.cohort, date=dt.date.today())
        AttendanceFactory(training=training, member=lead, present=True)
        audit.record(actors.admin, "update", "project", project.id, {"name": ["avant", "après"]})
    db.session.flush()


@pytest.fixture
def big_pages(app):
    saved = {key: app.config[key] for key in PAGE_SIZES if key in app.config}
    app.config.update(dict.fromkeys(PAGE_SIZES, 100))
    yield
    for key in PAGE_SIZES:  # a key absent before must be absent again, not None (views use .get(key, 25))
        app.config.pop(key, None)
    app.config.update(saved)


@pytest.mark.parametrize("url, role", [
    ("/projects/", "staff"), ("/sessions/", "staff"), ("/trainings/", "staff"), ("/reports/review", "manager"),
    ("/", "staff"), ("/?mentor=all", "manager"), ("/cohorts/", "manager"), ("/admin/users", "admin"),
    ("/admin/audit/", "admin"),
])
def test_list_page_query_budget(actors, login_as, count_queries, big_pages, url, role):
    indicator = IndicatorFactory()
    client = login_as(role)
    _fill(actors, 3, indicator)
    client.get(url)  # first request warms per-process caches
    with count_queries() as few:
        first = client.get(url)
    _fill(actors, 27, indicator)
    with count_queries() as many:
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert len(second.get_data()) > len(first.get_data())  # the extra rows are really on the page
    assert len(many) == len(few), f"{url}: {len(few)} statements for 3 rows, {len(many)} for 30"
    assert len(many) <= BUDGETS[url], f"{url}: {len(many)} statements, budget {BUDGETS[url]}"


def test_report_query_budget(actors, count_queries):
    indicator = IndicatorFactory()
    _fill(actors, 3, indicator)
    with count_queries() as few:
        small = cohort_report([actors.cohort.id], None, None)
    _fill(actors, 27, indicator)
    with count_queries() as many:
        large = cohort_report([actors.cohort.id], None, None)
    assert large["portfolio"]["projects"] == small["portfolio"]["projects"] + 27
    assert large["mentoring"]["sessions"] == small["mentoring"]["sessions"] + 27
    assert len(many) == len(few) <= REPORT_BUDGET
