"""Query budget (issue 9): the cohort report and every list page run the same number of SQL statements for 3
and for 30 rows, and no more than a stated budget, so no later change can bring back an N+1 pattern.
Not timed: speed is measured by bench/ (bench/RESULTS.md)."""

import datetime as dt
from decimal import Decimal

import pytest
from freezegun import freeze_time

from tests.factories import MemberFactory, ProjectFactory, UserFactory
from tests.indicators.factories import IndicatorFactory, TargetFactory
from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
from tests.milestones.factories import MilestoneFactory
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tests.trainings.factories import AttendanceFactory, TrainingFactory
from tracker.core import audit
from tracker.extensions import db
from tracker.periods.models import ReportStatus
from tracker.reports.services import cohort_report

# Statements per page as measured when the budget was set (user loading included), whatever the number of
# rows; raise a budget only with a reason. Issue 17: +1 on every page for the bell's unread count (see
# test_the_bell_costs_one_statement_per_page), and +2 on the review queue for its second section ("waiting
# for another reviewer": its count and its rows).
BELL = 1
BUDGETS = {
    "/projects/": 8 + BELL,
    "/sessions/": 6 + BELL,
    "/trainings/": 5 + BELL,
    "/period-reports/review": 5 + BELL + 2,  # issue 20: the projects' staff, never shown, no longer loaded
    # issue 20: a mentor's own portfolio does not show, so no longer loads, the projects' staff; the women-led
    # and youth-led flags come with the page's rows (SQL), not from its projects' members
    "/": 5 + BELL,
    "/?mentor=all": 7 + BELL,
    "/cohorts/": 4 + BELL,  # issue 20: the cohorts' figures in one statement (two before)
    "/admin/users": 4 + BELL,
    "/admin/audit/": 9 + BELL,
}
REPORT_BUDGET = 11  # tracker/reports/aggregates.statements (issue 20)
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
    ("/projects/", "staff"), ("/sessions/", "staff"), ("/trainings/", "staff"), ("/period-reports/review", "manager"),
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
    client.get(url)  # the portfolio recomputes the figures the new rows made stale (constant: tests/portfolio)
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


@pytest.mark.parametrize("url, role", [("/projects/", "staff"), ("/", "holder"), ("/", "staff"),
                                       ("/period-reports/review", "manager"), ("/admin/users", "admin")])
def test_the_bell_costs_one_statement_per_page(actors, login_as, count_queries, url, role):
    """The unread count in the navigation bar is one statement, whatever the number of notifications."""
    from tracker.notifications.models import Kind, Notification

    client = login_as(role)
    user = actors.by_role(role)
    client.get(url)
    with count_queries() as none:
        empty = client.get(url)
    for _n in range(25):
        db.session.add(Notification(user_id=user.id, kind=Kind.REPORT_DUE, project_id=actors.project.id,
                                    entity_type="project", entity_id=actors.project.id, params={"project": "P"}))
    db.session.flush()
    with count_queries() as many:
        full = client.get(url)
    assert empty.status_code == full.status_code == 200
    assert 'data-unread="25"' in full.get_data(as_text=True) and "data-unread" not in empty.get_data(as_text=True)
    bell = [s for s in many if "notifications" in s and "count" in s.lower()]
    assert len(bell) == 1, bell
    assert len(many) == len(none)


# The period report form and its review page (issue 14 item 7), whatever the number of indicators, earlier
# periods, team members and audit events. The validation rules and the earlier periods side by side cost two
# statements on each page (earlier reports with their values in one outer join, the team's size): the form
# went from 6 to 8; the review page from 7 to 8, its history now read with its authors in one join.
REPORT_PAGE_BUDGETS = {"form": 8 + BELL, "review": 8 + BELL}  # issue 17: + the bell


def _report_pages_data(actors, project, indicators: int, earlier: int):
    """`indicators` indicators with targets on `project`, `earlier` approved quarters before a submitted one,
    every report holding a value per indicator, and a history of saves on the submitted one."""
    inds = [IndicatorFactory(disaggregated=n % 2 == 0) for n in range(indicators)]
    for indicator in inds:
        TargetFactory(project=project, indicator=indicator)
    for _ in range(indicators):
        MemberFactory(project=project)
    quarters = [(2025 + q // 4, q % 4 + 1) for q in range(earlier + 1)]
    for n, (year, q) in enumerate(quarters):
        start = dt.date(year, 3 * q - 2, 1)
        end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
        status = ReportStatus.SUBMITTED if n == earlier else ReportStatus.APPROVED
        report = PeriodReportFactory(project=project, period_label=f"{year}-T{q}", period_start=start,
                                     period_end=end, status=status, submitted_by=actors.holder,
                                     submitted_at=dt.datetime.now(dt.UTC))
        for indicator in inds:
            IndicatorValueFactory(report=report, indicator=indicator, value=Decimal(n + 1))
    for n in range(earlier):
        audit.record(actors.holder if n % 2 else actors.staff, "update", "period_report", report.id,
                     {f"{inds[0].code}.total": [str(n), str(n + 1)]})
    db.session.commit()
    return report


@pytest.mark.parametrize("page", ["form", "review"])
def test_report_pages_query_budget(actors, login_as, count_queries, page):
    with freeze_time(dt.date(2027, 1, 15)):
        client = login_as("manager")
        counts = []
        for project, indicators, earlier in ((actors.project, 2, 1), (actors.other_project, 9, 6)):
            report = _report_pages_data(actors, project, indicators, earlier)
            url = (f"/period-reports/{report.id}/review" if page == "review"
                   else f"/period-reports/projects/{project.id}/{report.period_label}")
            client.get(url)  # first request warms per-process caches
            with count_queries() as queries:
                response = client.get(url)
            assert response.status_code == 200
            counts.append(len(queries))
    assert counts[0] == counts[1], f"{page}: {counts[0]} statements for a small report, {counts[1]} for a big one"
    assert counts[1] <= REPORT_PAGE_BUDGETS[page], f"{page}: {counts[1]} statements, budget {REPORT_PAGE_BUDGETS[page]}"
