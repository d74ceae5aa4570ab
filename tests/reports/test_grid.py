"""The completeness grid with known data: cell states, columns of several frequencies, window, limit, and
agreement of each column with the completeness section of the report."""

import datetime as dt

from tests import factories
from tests.periods.factories import PeriodReportFactory
from tracker.cohorts.models import Frequency
from tracker.extensions import db
from tracker.periods.models import ReportStatus
from tracker.projects.models import ProjectStatus
from tracker.reports.grid import CellState, completeness_grid
from tracker.reports.services import cohort_report

TODAY = dt.date(2025, 8, 15)
QUARTERS = {
    "2025-T1": (dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
    "2025-T2": (dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
    "2025-T3": (dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
}


def _report(project, label, status, submitted=True):
    start, end = QUARTERS[label]
    report = PeriodReportFactory(project=project, period_label=label, period_start=start, period_end=end,
                                 status=status)
    if submitted:
        report.submitted_at = dt.datetime(end.year, end.month, end.day, tzinfo=dt.UTC)
    return report


def _setup():
    cohort = factories.CohortFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31))
    a = factories.ProjectFactory(cohort=cohort, code="A1", name="Alpha fictif")
    b = factories.ProjectFactory(cohort=cohort, code="B1", name="Beta fictif")
    paused = factories.ProjectFactory(cohort=cohort, code="C1", status=ProjectStatus.PAUSED)
    _report(a, "2025-T1", ReportStatus.APPROVED)
    _report(a, "2025-T2", ReportStatus.RETURNED)
    _report(b, "2025-T1", ReportStatus.DRAFT, submitted=False)
    _report(b, "2025-T2", ReportStatus.SUBMITTED)
    _report(b, "2025-T3", ReportStatus.DRAFT, submitted=False)
    _report(paused, "2025-T1", ReportStatus.APPROVED)
    db.session.flush()
    return cohort, a, b, paused


def _states(grid):
    return {(row.code, label): (cell.state if cell else None) for row in grid.rows for label, cell in row.cells.items()}


def test_cell_states_for_known_reports():
    cohort, a, b, paused = _setup()
    grid = completeness_grid([cohort.id], None, TODAY, TODAY)
    assert [p.label for p in grid.periods] == ["2025-T1", "2025-T2"]  # T3 ends after the reference date
    assert [row.code for row in grid.rows] == ["A1", "B1"] and grid.total_projects == 2  # paused owes nothing
    assert _states(grid) == {
        ("A1", "2025-T1"): CellState.APPROVED, ("A1", "2025-T2"): CellState.RETURNED,
        ("B1", "2025-T1"): CellState.MISSING,  # a draft of an ended period was never submitted
        ("B1", "2025-T2"): CellState.SUBMITTED,
    }
    a_t1 = grid.rows[0].cells["2025-T1"]
    assert a_t1.linkable and a_t1.report_id is not None and a_t1.period.end == dt.date(2025, 3, 31)


def test_running_period_in_the_window_is_draft_or_not_due():
    cohort, a, b, _ = _setup()
    grid = completeness_grid([cohort.id], None, dt.date(2025, 9, 30), TODAY)
    states = _states(grid)
    assert states[("A1", "2025-T3")] == CellState.NOT_DUE and states[("B1", "2025-T3")] == CellState.DRAFT
    assert grid.rows[0].cells["2025-T3"].linkable  # started on 1 July: its report page exists
    future = completeness_grid([cohort.id], None, dt.date(2025, 12, 31), TODAY)
    t4 = future.rows[0].cells["2025-T4"]
    assert t4.state == CellState.NOT_DUE and not t4.linkable  # not started: no page to link to


def test_window_start_drops_earlier_periods():
    cohort, *_ = _setup()
    grid = completeness_grid([cohort.id], dt.date(2025, 4, 1), TODAY, TODAY)
    assert [p.label for p in grid.periods] == ["2025-T2"]


def test_cohorts_of_different_frequencies_leave_blank_cells():
    quarterly, a, *_ = _setup()
    monthly = factories.CohortFactory(start_date=dt.date(2025, 5, 1), end_date=dt.date(2025, 12, 31),
                                      reporting_frequency=Frequency.MONTHLY)
    m = factories.ProjectFactory(cohort=monthly, code="M1")
    db.session.flush()
    grid = completeness_grid([quarterly.id, monthly.id], None, dt.date(2025, 6, 30), TODAY)
    assert [p.label for p in grid.periods] == ["2025-T1", "2025-05", "2025-06", "2025-T2"]
    row_m = next(r for r in grid.rows if r.project_id == m.id)
    assert row_m.cells["2025-T1"] is None and row_m.cells["2025-05"].state == CellState.MISSING
    row_a = next(r for r in grid.rows if r.project_id == a.id)
    assert row_a.cells["2025-05"] is None


def test_limit_keeps_the_total():
    cohort, *_ = _setup()
    grid = completeness_grid([cohort.id], None, TODAY, TODAY, limit=1)
    assert len(grid.rows) == 1 and grid.total_projects == 2 and grid.truncated


def test_columns_add_up_to_the_completeness_section(app):
    cohort, *_ = _setup()
    grid = completeness_grid([cohort.id], None, TODAY, TODAY)
    report = cohort_report([cohort.id], None, TODAY)
    for row in report["completeness"]:
        cells = [r.cells[row["period"]] for r in grid.rows]
        assert row["owed"] == len(cells)
        assert row["submitted"] == sum(c.counts_as_submitted for c in cells)
        assert row["approved"] == sum(c.state == CellState.APPROVED for c in cells)


def test_four_queries_whatever_the_number_of_projects(count_queries):
    counts = []
    for n in (3, 30):
        cohort = factories.CohortFactory()
        for _ in range(n):
            _report(factories.ProjectFactory(cohort=cohort), "2025-T1", ReportStatus.APPROVED)
        db.session.flush()
        with count_queries() as queries:
            grid = completeness_grid([cohort.id], None, TODAY, TODAY)
        assert len(grid.rows) == n
        counts.append(len(queries))
    assert counts == [4, 4]
