"""Issue 20: `indicator_end_sums` holds each project's values of one indicator at one period end, over the
approved reports and over the approved and submitted ones, and stays equal to a full recomputation after
every kind of write.

Each test writes through the code people use (the report workflow, the review, a reopening, a report or a
project deleted, the demo loader) and checks the rows it expects, figure by figure; `tests/conftest.py`
also checks, after every test of the suite, that the whole table equals its recomputation.
"""

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa

from tests.conftest import end_sums_differing
from tests.periods.conftest import T1, save_t1
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tracker.extensions import db
from tracker.periods import end_sums, workflow
from tracker.periods.models import Cell, IndicatorEndSums, PeriodReport, ReportStatus

CELLS = ("women_youth", "women_other", "men_youth", "men_other", "not_stated")


def ends(project_id) -> dict[tuple, tuple]:
    """(indicator, end, include_submitted) → (end total, the five cells) in cents, read back with SQL."""
    e = IndicatorEndSums
    rows = db.session.execute(
        sa.select(e.indicator_id, e.period_end, e.include_submitted, e.end_total_cents,
                  *(getattr(e, f"{cell}_cents") for cell in CELLS)).where(e.project_id == project_id)
    ).all()
    return {(row[0], row[1], row[2]): tuple(row[3:]) for row in rows}


def test_a_report_counts_at_its_end_once_submitted_and_twice_once_approved(actors, indicators):
    project, end = actors.project.id, T1.end
    report = save_t1(actors, indicators, revenue="1234.56", jobs={Cell.WOMEN_YOUTH: 2, Cell.MEN_OTHER: 1})
    assert ends(project) == {}  # a draft counts nowhere

    report = save_t1(actors, indicators, report=report, submit=True, revenue="1234.56",
                  jobs={Cell.WOMEN_YOUTH: 2, Cell.MEN_OTHER: 1})
    submitted = {
        (indicators.revenue.id, end, True): (123456, None, None, None, None, None),
        (indicators.jobs.id, end, True): (300, 200, None, None, 100, None),
    }
    assert ends(project) == submitted

    workflow.approve_report(actors.manager, report, report.version)
    db.session.flush()
    assert ends(project) == {**submitted, **{(i, e, False): v for (i, e, _), v in submitted.items()}}

    workflow.reopen_report(actors.manager, report, report.version, "Chiffre à corriger.")
    db.session.flush()
    assert report.status not in (ReportStatus.APPROVED, ReportStatus.SUBMITTED)
    assert ends(project) == {}
    assert end_sums_differing(db.session.connection()) == []


def test_a_returned_report_leaves_and_its_corrected_figures_come_back(actors, indicators):
    report = save_t1(actors, indicators, submit=True, revenue="10", margin="-2.5")
    workflow.return_report(actors.manager, report, report.version, "Préciser les ventes.")
    db.session.flush()
    assert ends(actors.project.id) == {}
    report = save_t1(actors, indicators, report=report, submit=True, revenue="12", margin="3")
    assert ends(actors.project.id) == {
        (indicators.revenue.id, T1.end, True): (1200, None, None, None, None, None),
        (indicators.margin.id, T1.end, True): (300, None, None, None, None, None),
    }


def test_two_labels_ending_the_same_day_are_added_up_at_that_end(actors, indicators):
    """An end's total is its cells' sum when any report gives a cell, else the totals' sum; a cell stays
    NULL when no report gives it."""
    first = PeriodReportFactory(project=actors.project, status=ReportStatus.APPROVED)
    second = PeriodReportFactory(project=actors.project, period_label="2025-T1b", status=ReportStatus.SUBMITTED)
    IndicatorValueFactory(report=first, indicator=indicators.jobs, cell=Cell.WOMEN_YOUTH, value=Decimal(2))
    IndicatorValueFactory(report=second, indicator=indicators.jobs, cell=Cell.WOMEN_YOUTH, value=Decimal(3))
    IndicatorValueFactory(report=second, indicator=indicators.jobs, cell=Cell.NOT_STATED, value=Decimal("0.5"))
    IndicatorValueFactory(report=first, indicator=indicators.revenue, cell=Cell.TOTAL, value=Decimal(7))
    IndicatorValueFactory(report=second, indicator=indicators.revenue, cell=Cell.TOTAL, value=Decimal("1.25"))
    db.session.flush()
    end = first.period_end
    assert ends(actors.project.id) == {
        (indicators.jobs.id, end, False): (200, 200, None, None, None, None),
        (indicators.jobs.id, end, True): (550, 500, None, None, None, 50),
        (indicators.revenue.id, end, False): (700, None, None, None, None, None),
        (indicators.revenue.id, end, True): (825, None, None, None, None, None),
    }

    # Its period end moved (an ORM write of the report alone): the sums move with it.
    second.period_end = end + dt.timedelta(days=1)
    db.session.flush()
    assert ends(actors.project.id)[(indicators.revenue.id, end, True)] == (700, None, None, None, None, None)
    assert ends(actors.project.id)[(indicators.revenue.id, second.period_end, True)] == (
        125, None, None, None, None, None)


def test_a_deleted_report_or_project_takes_its_sums_with_it(actors, indicators):
    report = PeriodReportFactory(project=actors.project, status=ReportStatus.APPROVED)
    other = PeriodReportFactory(project=actors.project, period_label="2025-T2", period_start=dt.date(2025, 4, 1),
                                period_end=dt.date(2025, 6, 30), status=ReportStatus.APPROVED)
    for r in (report, other):
        IndicatorValueFactory(report=r, indicator=indicators.revenue, cell=Cell.TOTAL, value=Decimal(10))
        IndicatorValueFactory(report=r, indicator=indicators.margin, cell=Cell.TOTAL, value=Decimal(5))
    db.session.flush()
    assert len(ends(actors.project.id)) == 8
    db.session.delete(report)
    db.session.flush()
    assert {key[1] for key in ends(actors.project.id)} == {dt.date(2025, 6, 30)}

    project_id = actors.project.id
    db.session.expunge_all()
    db.session.execute(sa.delete(type(actors.project)).where(type(actors.project).id == project_id))
    assert ends(project_id) == {}


def test_refresh_and_rebuild_write_what_a_bulk_statement_bypassed(actors, indicators):
    report = save_t1(actors, indicators, submit=True, revenue="10")
    db.session.execute(sa.update(PeriodReport).where(PeriodReport.id == report.id)
                       .values(status=ReportStatus.APPROVED).execution_options(synchronize_session=False))
    assert (indicators.revenue.id, T1.end, False) not in ends(actors.project.id)  # the ORM never saw it
    assert end_sums_differing(db.session.connection()) != []
    end_sums.refresh(db.session.connection(), [actors.project.id])
    assert ends(actors.project.id)[(indicators.revenue.id, T1.end, False)] == (1000, None, None, None, None, None)

    db.session.execute(sa.update(PeriodReport).where(PeriodReport.id == report.id)
                       .values(status=ReportStatus.SUBMITTED).execution_options(synchronize_session=False))
    end_sums.rebuild(db.session.connection())
    assert list(ends(actors.project.id)) == [(indicators.revenue.id, T1.end, True)]
    assert end_sums_differing(db.session.connection()) == []


def test_check_sums_finds_and_fixes_stale_sums_per_end(actors, indicators, runner):
    report = save_t1(actors, indicators, submit=True, revenue="10")
    db.session.execute(sa.update(PeriodReport).where(PeriodReport.id == report.id)
                       .values(status=ReportStatus.RETURNED).execution_options(synchronize_session=False))
    result = runner.invoke(args=["report", "check-sums"])
    assert result.exit_code == 1 and "sums per period end of 1 project(s)" in result.output
    result = runner.invoke(args=["report", "check-sums", "--fix"])
    assert result.exit_code == 0 and "every sum was rewritten" in result.output
    assert ends(actors.project.id) == {}


def test_the_demo_loader_leaves_sums_equal_to_their_recomputation(runner):
    result = runner.invoke(args=["demo", "load", "--password", "x-long-password"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IndicatorEndSums)) > 100
    assert end_sums_differing(db.session.connection()) == []
