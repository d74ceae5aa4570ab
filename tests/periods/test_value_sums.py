"""Issue 20: `report_value_sums` holds each report's values of one indicator side by side, in cents, and
stays equal to `indicator_values` after every kind of write.

Each test writes through the code people use (the report workflow, the review, a project deleted, the
demo and scale loaders) and checks the row it expects, figure by figure; `tests/conftest.py` also checks,
after every test of the suite, that the whole table equals its recomputation from the values.
"""

import sqlalchemy as sa

from tests.conftest import value_sums_differing
from tests.periods.conftest import save_t1
from tracker.extensions import db
from tracker.periods import value_sums, workflow
from tracker.periods.models import Cell, IndicatorValue, PeriodReport, ReportValueSums


def sums(report_id) -> dict[int, tuple]:
    """indicator → (broken_down, total, the five cells) in cents, read back with SQL."""
    s = ReportValueSums
    rows = db.session.execute(
        sa.select(s.indicator_id, s.broken_down, s.total_cents, s.women_youth_cents, s.women_other_cents,
                  s.men_youth_cents, s.men_other_cents, s.not_stated_cents).where(s.report_id == report_id)
    ).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def test_a_saved_report_has_its_sums_and_a_changed_one_has_the_new_sums(actors, indicators):
    report = save_t1(actors, indicators, revenue="1234.56", jobs={Cell.WOMEN_YOUTH: 2, Cell.MEN_OTHER: 1})
    assert sums(report.id) == {
        indicators.revenue.id: (0, 123456, None, None, None, None, None),
        indicators.jobs.id: (2, None, 200, None, None, 100, None),
    }
    first_ids = dict(db.session.execute(sa.select(ReportValueSums.indicator_id, ReportValueSums.first_value_id)
                                        .where(ReportValueSums.report_id == report.id)).all())
    assert first_ids[indicators.jobs.id] == db.session.scalar(
        sa.select(sa.func.min(IndicatorValue.id)).where(IndicatorValue.report_id == report.id,
                                                        IndicatorValue.indicator_id == indicators.jobs.id))

    # A cell changed, one cleared, one added; revenue cleared; the margin given.
    report = save_t1(actors, indicators, report=report, jobs={Cell.WOMEN_YOUTH: 3, Cell.NOT_STATED: 4}, margin="-2.5")
    assert sums(report.id) == {
        indicators.jobs.id: (2, None, 300, None, None, None, 400),
        indicators.margin.id: (0, -250, None, None, None, None, None),
    }
    assert value_sums_differing(db.session.connection()) == []


def test_submitting_approving_and_returning_keep_the_sums(actors, indicators):
    report = save_t1(actors, indicators, submit=True, revenue="10")
    before = sums(report.id)
    workflow.return_report(actors.manager, report, report.version, "Préciser les ventes.")
    db.session.flush()
    assert sums(report.id) == before == {indicators.revenue.id: (0, 1000, None, None, None, None, None)}
    report = save_t1(actors, indicators, report=report, submit=True, revenue="12")
    workflow.approve_report(actors.manager, report, report.version)
    db.session.flush()
    assert sums(report.id) == {indicators.revenue.id: (0, 1200, None, None, None, None, None)}


def test_a_deleted_report_or_project_takes_its_sums_with_it(actors, indicators):
    report = save_t1(actors, indicators, revenue="10", margin="5")
    report_id = report.id
    assert len(sums(report_id)) == 2
    db.session.delete(report)
    db.session.flush()
    assert sums(report_id) == {}

    report = save_t1(actors, indicators, revenue="10")
    report_id = report.id
    db.session.expunge_all()
    db.session.execute(sa.delete(type(actors.project)).where(type(actors.project).id == actors.project.id))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PeriodReport)
                             .where(PeriodReport.id == report_id)) == 0
    assert sums(report_id) == {}


def test_refresh_and_rebuild_write_what_a_bulk_insert_bypassed(actors, indicators):
    report = save_t1(actors, indicators, revenue="10")
    db.session.execute(sa.insert(IndicatorValue), [
        {"report_id": report.id, "indicator_id": indicators.margin.id, "cell": Cell.TOTAL, "value": 7}])
    assert indicators.margin.id not in sums(report.id)  # the ORM flush never saw it
    value_sums.refresh(db.session.connection(), [report.id])
    assert sums(report.id)[indicators.margin.id] == (0, 700, None, None, None, None, None)

    db.session.execute(sa.update(IndicatorValue).where(IndicatorValue.report_id == report.id)
                       .values(value=IndicatorValue.value + 1).execution_options(synchronize_session=False))
    value_sums.rebuild(db.session.connection())
    assert sums(report.id) == {indicators.revenue.id: (0, 1100, None, None, None, None, None),
                               indicators.margin.id: (0, 800, None, None, None, None, None)}
    assert value_sums_differing(db.session.connection()) == []


def test_the_demo_loader_leaves_one_sum_per_report_and_indicator(runner):
    result = runner.invoke(args=["demo", "load", "--password", "x-long-password"])
    assert result.exit_code == 0, result.output
    pairs = db.session.scalar(sa.select(sa.func.count()).select_from(
        sa.select(IndicatorValue.report_id, IndicatorValue.indicator_id).distinct().subquery()))
    assert pairs > 100
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportValueSums)) == pairs
    assert value_sums_differing(db.session.connection()) == []


def test_check_sums_says_when_they_differ_and_fix_rewrites_them(actors, indicators, runner):
    report = save_t1(actors, indicators, revenue="10")
    result = runner.invoke(args=["report", "check-sums"])
    assert (result.exit_code, result.output.strip()) == (0, "The indicator sums equal the values.")

    db.session.execute(sa.update(IndicatorValue).where(IndicatorValue.report_id == report.id)
                       .values(value=99).execution_options(synchronize_session=False))  # past the ORM
    result = runner.invoke(args=["report", "check-sums"])
    assert result.exit_code == 1 and "of 1 report(s) and" in result.output
    assert sums(report.id)[indicators.revenue.id][1] == 1000  # checking changes nothing

    result = runner.invoke(args=["report", "check-sums", "--fix"])
    assert result.exit_code == 0 and "every sum was rewritten" in result.output
    assert sums(report.id)[indicators.revenue.id][1] == 9900
