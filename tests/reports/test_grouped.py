"""Issue 20: the report grouped in SQL gives exactly the figures of the previous row-by-row computation.

`previous_report` is the computation the report used before: every raw row (`queries.fetch_all`) reduced
by the pure functions of `compute`. The grouped report must equal it key by key and give the same JSON text
(so even a Decimal's places agree), on random data built to hit the edge cases (stock figures whose latest
period has no breakdown, percentages, two labels ending the same day, submitted values, programme-wide
trainings, action items done after the reference date), on the demo and on a 1 % scale set, on SQLite and
PostgreSQL alike (TEST_DATABASE_URL_ACTIVE).
"""

import datetime as dt
import random
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests import factories
from tracker.cohorts.models import Cohort, Frequency
from tracker.extensions import db
from tracker.indicators.models import Indicator, IndicatorKind, Target, Unit
from tracker.mentoring.models import ActionItem, ActionOwner, MentoringSession, SessionMode
from tracker.milestones.models import Milestone, MilestoneCategory, MilestoneStatus
from tracker.periods.models import Cell, IndicatorValue, PeriodReport, ReportStatus
from tracker.projects.models import ProjectStatus, Sex
from tracker.reports import compute, queries
from tracker.reports.services import cohort_report, to_json
from tracker.trainings.models import Attendance, Topic, Training

REF = dt.date(2026, 3, 31)
CELLS5 = [c for c in Cell if c != Cell.TOTAL]


def previous_report(app, cohort_ids, date_from, date_to, include_submitted=False, today=None) -> dict:
    """The report as computed before issue 20: raw rows, reduced in Python."""
    ref = date_to or today or dt.date.today()
    min_age, max_age = app.config["YOUTH_MIN_AGE"], app.config["YOUTH_MAX_AGE"]
    rows = queries.fetch_all(cohort_ids)
    indicators, trends = compute.indicators_and_trends(rows["indicators"], rows["targets"], rows["values"],
                                                       rows["cohorts"], date_from, ref, include_submitted)
    return {
        "filters": {"cohorts": sorted(rows["cohorts"]["slug"]), "from": date_from, "to": date_to,
                    "include_submitted": bool(include_submitted), "reference_date": ref},
        "portfolio": compute.portfolio(rows["projects"], rows["members"], ref, min_age, max_age),
        "people": compute.people(rows["members"], ref, min_age, max_age),
        "trainings": compute.trainings(rows["trainings"], rows["members"], date_from, ref, min_age, max_age),
        "mentoring": compute.mentoring(rows["sessions"], rows["projects"], date_from, ref),
        "milestones": compute.milestones(rows["milestones"], date_from, ref),
        "indicators": indicators,
        "completeness": compute.completeness(rows["cohorts"], rows["projects"], rows["reports"], date_from, ref),
        "trends": trends,
    }


def assert_same(app, cohort_ids, date_from, date_to, include_submitted=False, today=None):
    grouped = cohort_report(cohort_ids, date_from, date_to, include_submitted, today=today)
    previous = previous_report(app, cohort_ids, date_from, date_to, include_submitted, today)
    for section in previous:
        assert grouped[section] == previous[section], section
    assert to_json(grouped) == to_json(previous)  # same places on every Decimal, same key order
    return grouped


def _indicators() -> list[Indicator]:
    shapes = [("g_flow_count", Unit.COUNT, IndicatorKind.FLOW, True),
              ("g_stock_count", Unit.COUNT, IndicatorKind.STOCK, True),
              ("g_flow_mad", Unit.MAD, IndicatorKind.FLOW, False),
              ("g_stock_pct", Unit.PERCENT, IndicatorKind.STOCK, True),
              ("g_flow_pct", Unit.PERCENT, IndicatorKind.FLOW, False),
              ("g_unused", Unit.HOURS, IndicatorKind.FLOW, False)]
    out = []
    for n, (code, unit, kind, disaggregated) in enumerate(shapes):
        indicator = Indicator(code=code, name_fr=code, name_ar=code, name_en=code, unit=unit, kind=kind,
                              disaggregated=disaggregated, sort_order=n % 3)
        db.session.add(indicator)
        out.append(indicator)
    return out


def _amount(rng) -> Decimal:
    return Decimal(rng.randint(0, 99_999)) / 100


def _values(rng, report, indicators):
    for indicator in indicators[:-1]:
        if rng.random() < 0.15:
            continue
        if indicator.disaggregated and rng.random() < 0.7:
            cells = rng.sample(CELLS5, rng.randint(1, 5)) + ([Cell.TOTAL] if rng.random() < 0.3 else [])
        else:
            cells = [Cell.TOTAL]
        for cell in cells:
            report.values.append(IndicatorValue(indicator=indicator, cell=cell, value=_amount(rng)))


def random_programme(seed: int = 7) -> list[int]:
    """Three cohorts (quarterly, monthly, one without dates) of random projects, with every kind of row."""
    rng = random.Random(seed)
    indicators = _indicators()
    mentor = factories.UserFactory(role="staff")
    cohorts = [factories.CohortFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 12, 31)),
               factories.CohortFactory(start_date=dt.date(2025, 4, 1), end_date=dt.date(2026, 6, 30),
                                       reporting_frequency=Frequency.MONTHLY),
               factories.CohortFactory(start_date=None, end_date=None)]
    programme_wide = [Training(cohort=None, title=f"T{n}", topic=rng.choice(list(Topic)),
                               date=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 500)),
                               duration_hours=Decimal(rng.randint(25, 800)) / 100) for n in range(3)]
    db.session.add_all(programme_wide)
    for c_index, cohort in enumerate(cohorts):
        trainings = [Training(cohort=cohort, title=f"C{n}", topic=rng.choice(list(Topic)),
                              date=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 500)),
                              duration_hours=Decimal(rng.randint(25, 800)) / 100) for n in range(4)]
        db.session.add_all(trainings)
        for p_index in range(6 + 2 * c_index):
            status = rng.choice([ProjectStatus.ACTIVE] * 3 + list(ProjectStatus))
            project = factories.ProjectFactory(cohort=cohort, status=status, lead=False)
            members = [factories.MemberFactory(
                project=project, is_lead=m == 0, sex=rng.choice([Sex.F, Sex.M, None]),
                birth_date=rng.choice([None, dt.date(1970, 5, 5), dt.date(1995, 3, 31), dt.date(2005, 1, 1)]))
                for m in range(rng.randint(0, 3))]
            for member in members:
                for training in rng.sample(trainings + programme_wide, rng.randint(0, 4)):
                    db.session.add(Attendance(training=training, member=member, present=rng.random() < 0.7))
            for _ in range(rng.randint(0, 6)):
                day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 520))
                items = [ActionItem(description="x", owner_kind=ActionOwner.PROJECT,
                                    due_date=rng.choice([None, day + dt.timedelta(days=rng.randint(1, 90))]),
                                    done_date=rng.choice([None, None, day + dt.timedelta(days=rng.randint(0, 120))]))
                         for _ in range(rng.randint(0, 3))]
                db.session.add(MentoringSession(project=project, mentor=mentor, date=day,
                                                duration_minutes=rng.randint(15, 180), mode=SessionMode.PHONE,
                                                action_items=items))
            for m in range(rng.randint(0, 5)):
                planned = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 600))
                status = rng.choice(list(MilestoneStatus))
                achieved = (planned + dt.timedelta(days=rng.choice([-30, -1, 0, 0, 1, 45]))
                            if status == MilestoneStatus.ACHIEVED else None)
                db.session.add(Milestone(project=project, title=f"J{m}", category=rng.choice(list(MilestoneCategory)),
                                         planned_date=planned, status=status, achieved_date=achieved))
            for indicator in rng.sample(indicators, rng.randint(0, 4)):
                db.session.add(Target(project=project, indicator=indicator,
                                      baseline_value=rng.choice([None, _amount(rng)]),
                                      target_value=rng.choice([None, _amount(rng), _amount(rng)])))
            quarters = [(dt.date(2025, 1 + 3 * q, 1), dt.date(2025 + (q == 3), 4 + 3 * q if q < 3 else 1, 1))
                        for q in range(4)] + [(dt.date(2026, 1, 1), dt.date(2026, 4, 1)),
                                               (dt.date(2026, 4, 1), dt.date(2026, 7, 1))]
            for q, (start, after) in enumerate(quarters):
                if rng.random() < 0.2:
                    continue
                end = after - dt.timedelta(days=1)
                report_status = rng.choice([ReportStatus.APPROVED] * 3 + list(ReportStatus))
                submitted_at = (dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
                                if report_status != ReportStatus.DRAFT or rng.random() < 0.3 else None)
                label = f"{start.year}-T{q % 4 + 1}" if rng.random() < 0.9 else f"X{p_index}-{q}"
                report = PeriodReport(project=project, period_label=label, period_start=start, period_end=end,
                                      status=report_status, submitted_at=submitted_at)
                _values(rng, report, indicators)
                db.session.add(report)
                if rng.random() < 0.15:  # a second report of the same project ending the same day
                    twin = PeriodReport(project=project, period_label=f"{end.year}-{end.month:02d}",
                                        period_start=end.replace(day=1), period_end=end,
                                        status=ReportStatus.APPROVED)
                    _values(rng, twin, indicators)
                    db.session.add(twin)
    db.session.flush()
    db.session.expire_all()
    return [c.id for c in cohorts]


@pytest.mark.parametrize("seed", [7, 11])
def test_random_programme_same_figures_for_every_window(app, seed):
    ids = random_programme(seed)
    windows = [(None, REF), (dt.date(2025, 7, 1), REF), (dt.date(2025, 4, 15), dt.date(2025, 12, 31)),
               (None, dt.date(2025, 2, 1)), (dt.date(2027, 1, 1), dt.date(2027, 2, 1))]
    for date_from, date_to in windows:
        for include_submitted in (False, True):
            for selection in (ids, ids[:1], ids[1:]):
                report = assert_same(app, selection, date_from, date_to, include_submitted)
    full = assert_same(app, ids, None, REF, True)
    assert full["indicators"] and full["trends"] and full["trainings"]["participants"] > 0
    assert any(row["code"] == "g_stock_pct" and row["actual"] is not None for row in full["indicators"])
    assert full["milestones"]["late"] and full["milestones"]["achieved_on_time"] and full["milestones"]["dropped"]
    assert report is not None


def test_no_project_and_unknown_cohorts(app):
    cohort = factories.CohortFactory()
    db.session.flush()
    assert_same(app, [cohort.id], None, REF)
    assert_same(app, [cohort.id + 999], None, REF)


def test_demo_same_figures(app, runner):
    result = runner.invoke(args=["demo", "load", "--password", "x-long-password"])
    assert result.exit_code == 0, result.output
    demo = db.session.scalar(sa.select(Cohort).where(Cohort.slug == "innov-impact-demo-safi"))
    today = dt.date.today()
    for date_from in (None, demo.start_date + dt.timedelta(days=30)):
        for include_submitted in (False, True):
            assert_same(app, [demo.id], date_from, today, include_submitted)
    assert_same(app, [demo.id], None, None, today=today)


def test_one_percent_scale_set_same_figures(app):
    from tracker.demo import scale

    today = dt.date(2026, 12, 6)
    scale.load_scale("a-long-scale-password", 0.01, today=today)
    db.session.flush()
    every = list(db.session.scalars(sa.select(Cohort.id).order_by(Cohort.id)))
    big = db.session.scalar(sa.select(Cohort.id).where(Cohort.slug == scale.BIG_COHORT_SLUG))
    report = assert_same(app, every, None, today)
    assert report["portfolio"]["projects"] == 200 and len(report["indicators"]) >= 5
    assert_same(app, [big], today - dt.timedelta(days=365), today, True)
