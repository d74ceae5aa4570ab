"""Progress computations (DESIGN §4–§5): pure functions first, then project_progress on the database."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import ProjectFactory
from tests.indicators.factories import IndicatorFactory, TargetFactory
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tracker.indicators.figures import compute_actual, compute_figures, compute_progress
from tracker.indicators.models import IndicatorKind
from tracker.indicators.progress import project_progress
from tracker.periods.models import Cell, ReportStatus

D = Decimal
Q1, Q2, Q3 = dt.date(2025, 3, 31), dt.date(2025, 6, 30), dt.date(2025, 9, 30)
FLOW, STOCK = IndicatorKind.FLOW, IndicatorKind.STOCK


# ---------------------------------------------------------------- pure functions

def test_flow_sums_every_period():
    values = [(Q1, Cell.TOTAL, D("1200.50")), (Q2, Cell.TOTAL, D("800")), (Q3, Cell.TOTAL, D("0"))]
    assert compute_actual(FLOW, values) == D("2000.50")


def test_stock_takes_the_latest_period_whatever_the_order():
    values = [(Q3, Cell.TOTAL, D("4")), (Q1, Cell.TOTAL, D("9")), (Q2, Cell.TOTAL, D("6"))]
    assert compute_actual(STOCK, values) == D("4")
    assert compute_figures(STOCK, values).last_period_end == Q3


def test_nothing_reported_is_none_not_zero():
    assert compute_actual(FLOW, []) is None
    assert compute_actual(STOCK, []) is None
    assert compute_figures(FLOW, []).women is None


def test_disaggregated_total_women_and_youth():
    values = [
        (Q1, Cell.WOMEN_YOUTH, D("2")), (Q1, Cell.WOMEN_OTHER, D("1")), (Q1, Cell.MEN_YOUTH, D("3")),
        (Q1, Cell.MEN_OTHER, D("4")), (Q1, Cell.NOT_STATED, D("5")),
        (Q2, Cell.WOMEN_YOUTH, D("1")), (Q2, Cell.MEN_OTHER, D("1")),
    ]
    flow = compute_figures(FLOW, values)
    assert flow.total == D("17")
    assert flow.women == D("4")  # 2 + 1 + 1
    assert flow.youth == D("6")  # 2 + 3 + 1
    assert flow.cells[Cell.MEN_OTHER] == D("5")
    assert flow.periods == 2
    stock = compute_figures(STOCK, values)
    assert (stock.total, stock.women, stock.youth) == (D("2"), D("1"), D("1"))


def test_a_period_with_only_a_total_counts_but_leaves_women_and_youth_unknown():
    values = [(Q1, Cell.TOTAL, D("7"))]
    figures = compute_figures(FLOW, values)
    assert figures.total == D("7")
    assert figures.women is None and figures.youth is None


def test_cells_are_preferred_to_a_stray_total_cell_of_the_same_period():
    values = [(Q1, Cell.TOTAL, D("100")), (Q1, Cell.WOMEN_YOUTH, D("2")), (Q1, Cell.MEN_OTHER, D("3"))]
    assert compute_actual(FLOW, values) == D("5")


def test_kind_may_be_given_as_its_value():
    assert compute_actual("stock", [(Q1, "total", D("3")), (Q2, "total", D("5"))]) == D("5")


def test_results_are_decimals():
    actual = compute_actual(FLOW, [(Q1, Cell.TOTAL, D("0.10")), (Q2, Cell.TOTAL, D("0.20"))])
    assert isinstance(actual, Decimal) and actual == D("0.30")


@pytest.mark.parametrize("baseline, target, actual, expected", [
    (D(0), D(100), D(50), D("0.5")),
    (D(10), D(20), D(15), D("0.5")),
    (D(0), D(100), D(150), D("1.5")),  # not capped
    (D(10), D(20), D(5), D("-0.5")),  # went the wrong way
    (D(20), D(10), D(15), D("0.5")),  # a target below its baseline (fewer rejects, say)
    (D(0), D(100), D(0), D(0)),
])
def test_progress(baseline, target, actual, expected):
    assert compute_progress(baseline, target, actual) == expected


@pytest.mark.parametrize("baseline, target, actual", [
    (D(10), D(10), D(12)),  # zero denominator
    (None, D(10), D(5)),
    (D(0), None, D(5)),
    (D(0), D(10), None),
])
def test_progress_is_none_when_it_cannot_be_computed(baseline, target, actual):
    assert compute_progress(baseline, target, actual) is None


# ---------------------------------------------------------------- project_progress

def report(project, end, status=ReportStatus.APPROVED):
    return PeriodReportFactory(project=project, period_label=end.isoformat(), period_start=end.replace(day=1),
                               period_end=end, status=status)


def value(rep, indicator, amount, cell=Cell.TOTAL):
    return IndicatorValueFactory(report=rep, indicator=indicator, cell=cell, value=D(amount))


@pytest.fixture
def setup():
    project = ProjectFactory()
    revenue = IndicatorFactory(kind=FLOW, sort_order=1)
    staff = IndicatorFactory(kind=STOCK, disaggregated=True, sort_order=2)
    TargetFactory(project=project, indicator=revenue, baseline_value=D(0), target_value=D(1000))
    TargetFactory(project=project, indicator=staff, baseline_value=D(2), target_value=D(6))
    r1, r2 = report(project, Q1), report(project, Q2)
    r3 = report(project, Q3, ReportStatus.SUBMITTED)
    value(r1, revenue, "300")
    value(r2, revenue, "400")
    value(r3, revenue, "500")
    value(r1, staff, "1", Cell.WOMEN_YOUTH)
    value(r1, staff, "1", Cell.MEN_OTHER)
    value(r2, staff, "2", Cell.WOMEN_YOUTH)
    value(r2, staff, "1", Cell.WOMEN_OTHER)
    value(r2, staff, "1", Cell.MEN_YOUTH)
    value(r3, staff, "9", Cell.MEN_OTHER)
    return project, revenue, staff


def by_code(rows):
    return {row.indicator.code: row for row in rows}


def test_official_figures_count_approved_reports_only(setup):
    project, revenue, staff = setup
    rows = by_code(project_progress(project.id, dt.date(2025, 12, 31)))
    assert [r.indicator.code for r in project_progress(project.id, dt.date(2025, 12, 31))] == [revenue.code,
                                                                                               staff.code]
    assert rows[revenue.code].actual == D(700)
    assert rows[revenue.code].progress == D("0.7")
    assert rows[staff.code].actual == D(4)  # latest approved: Q2
    assert (rows[staff.code].figures.women, rows[staff.code].figures.youth) == (D(3), D(3))
    assert rows[staff.code].progress == D("0.5")


def test_include_submitted_also_counts_submitted_reports(setup):
    project, revenue, staff = setup
    rows = by_code(project_progress(project.id, dt.date(2025, 12, 31), include_submitted=True))
    assert rows[revenue.code].actual == D(1200)
    assert rows[revenue.code].progress == D("1.2")  # over the target, not capped
    assert rows[staff.code].actual == D(9)
    assert rows[staff.code].figures.women == D(0)


def test_drafts_and_returned_reports_never_count(setup):
    project, revenue, _staff = setup
    for status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        value(report(project, dt.date(2024, 12, 31) if status == ReportStatus.DRAFT else dt.date(2024, 9, 30),
                     status), revenue, "999")
    rows = by_code(project_progress(project.id, dt.date(2025, 12, 31), include_submitted=True))
    assert rows[revenue.code].actual == D(1200)


def test_only_periods_ended_by_the_date_count(setup):
    project, revenue, staff = setup
    rows = by_code(project_progress(project.id, Q1))
    assert rows[revenue.code].actual == D(300)
    assert rows[staff.code].actual == D(2)
    rows = by_code(project_progress(project.id, Q1 - dt.timedelta(days=1)))
    assert rows[revenue.code].actual is None and rows[revenue.code].progress is None


def test_negative_progress_and_zero_denominator(setup):
    project, revenue, staff = setup
    stock_target = by_code(project_progress(project.id, Q3))[staff.code].target
    stock_target.baseline_value = D(6)
    stock_target.target_value = D(10)
    rows = by_code(project_progress(project.id, Q3))
    assert rows[staff.code].progress == D("-0.5")  # 4 employees against a baseline of 6
    stock_target.target_value = D(6)
    assert by_code(project_progress(project.id, Q3))[staff.code].progress is None


def test_values_without_target_are_listed_and_other_projects_ignored(setup):
    project, revenue, _staff = setup
    orphan = IndicatorFactory(sort_order=3)
    value(report(project, dt.date(2024, 12, 31)), orphan, "5")
    other = ProjectFactory()
    value(report(other, Q1), revenue, "10000")
    TargetFactory(project=other, indicator=IndicatorFactory())
    rows = by_code(project_progress(project.id, Q3))
    assert rows[orphan.code].target is None and rows[orphan.code].actual == D(5)
    assert rows[orphan.code].progress is None
    assert rows[revenue.code].actual == D(700)
    assert len(rows) == 3


def test_project_progress_runs_two_queries_whatever_the_number_of_indicators(count_queries):
    counts = []
    for n in (5, 50):
        project = ProjectFactory()
        reports = [report(project, end) for end in (Q1, Q2)]
        for k in range(n):
            indicator = IndicatorFactory(kind=STOCK if k % 2 else FLOW, disaggregated=k % 3 == 0)
            TargetFactory(project=project, indicator=indicator)
            for rep in reports:
                value(rep, indicator, "2")
        with count_queries() as queries:
            rows = project_progress(project.id, Q3)
            [(row.indicator.name("fr"), row.target.target_value, row.progress) for row in rows]
        assert len(rows) == n
        counts.append(len(queries))
    assert counts == [2, 2]
