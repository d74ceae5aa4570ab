"""cohort_report against the database: independent recomputation on the demo, JSON shape, query count."""

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from tests import factories
from tracker.cohorts.models import Cohort
from tracker.extensions import db
from tracker.indicators.models import Indicator, IndicatorKind, Target, Unit
from tracker.mentoring.models import ActionItem, ActionOwner, MentoringSession, SessionMode
from tracker.milestones.models import Milestone, MilestoneCategory, MilestoneStatus
from tracker.periods.models import Cell, IndicatorValue, PeriodReport, ReportStatus
from tracker.projects.models import Project, Sex
from tracker.reports.services import cohort_report, report_json
from tracker.trainings.models import Attendance, Topic, Training

DEMO_SLUG = "innov-impact-demo-safi"


def _load_demo(runner) -> Cohort:
    result = runner.invoke(args=["demo", "load", "--password", "x-long-password"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(sa.select(Cohort).where(Cohort.slug == DEMO_SLUG))


def _inside(day, start, end) -> bool:
    return day is not None and start <= day <= end


# DESIGN §4 written out again here, so that a mistake in tracker.projects.flags (which compute.py calls)
# cannot hide itself by being made twice.

def _young(birth_date, ref, min_age, max_age) -> bool:
    """Age in full years on `ref`; someone born on 29 February has their birthday on 1 March in other years."""
    if birth_date is None:
        return False

    def birthday(year):
        try:
            return dt.date(year, birth_date.month, birth_date.day)
        except ValueError:
            return dt.date(year, 3, 1)

    age = ref.year - birth_date.year if birthday(ref.year) <= ref else ref.year - birth_date.year - 1
    return min_age <= age <= max_age


def _women_led(project) -> bool:
    """The lead is a woman, or women hold at least 51 % of the shares (a blank share counts as none)."""
    women = [m for m in project.members if m.sex == Sex.F]
    return any(m.is_lead for m in women) or sum(m.ownership_pct or 0 for m in women) >= 51


def _youth_led(project, ref, min_age, max_age) -> bool:
    return any(m.is_lead and _young(m.birth_date, ref, min_age, max_age) for m in project.members)


def test_demo_report_matches_an_independent_computation(app, runner):
    cohort = _load_demo(runner)
    today = dt.date.today()
    start = cohort.start_date + dt.timedelta(days=30)  # cuts the first training module and the first period
    report = cohort_report([cohort.id], start, today)
    min_age, max_age = app.config["YOUTH_MIN_AGE"], app.config["YOUTH_MAX_AGE"]

    projects = list(db.session.scalars(sa.select(Project).where(Project.cohort_id == cohort.id)))
    project_ids = {p.id for p in projects}
    members = [m for p in projects for m in p.members]
    assert report["filters"]["cohorts"] == [DEMO_SLUG]
    assert report["filters"]["reference_date"] == today

    # people and portfolio
    young = [m for m in members if _young(m.birth_date, today, min_age, max_age)]
    assert report["people"]["members"] == len(members)
    assert report["people"]["women"] == sum(m.sex == Sex.F for m in members)
    assert report["people"]["men"] == sum(m.sex == Sex.M for m in members)
    assert report["people"]["sex_not_stated"] == sum(m.sex is None for m in members)
    assert report["people"]["youth"] == len(young)
    assert report["people"]["young_women"] == sum(m.sex == Sex.F for m in young)
    assert report["people"]["age_unknown"] == sum(m.birth_date is None for m in members)
    assert report["people"]["leads_women"] == sum(m.is_lead and m.sex == Sex.F for m in members)
    assert report["portfolio"]["projects"] == len(projects)
    assert report["portfolio"]["women_led"] == sum(_women_led(p) for p in projects)
    assert report["portfolio"]["youth_led"] == sum(_youth_led(p, today, min_age, max_age) for p in projects)
    assert report["people"]["members"] > 0 and report["portfolio"]["women_led"] > 0

    # trainings
    sessions, hours, present, recorded, person_hours = 0, Decimal(0), set(), 0, Decimal(0)
    present_count = 0
    for training in db.session.scalars(sa.select(Training)):
        ours = [a for a in training.attendances if a.member.project_id in project_ids]
        if not _inside(training.date, start, today):
            continue
        if training.cohort_id != cohort.id and not (training.cohort_id is None and ours):
            continue
        sessions += 1
        hours += training.duration_hours
        recorded += len(ours)
        for a in ours:
            if a.present:
                present.add(a.member_id)
                present_count += 1
                person_hours += training.duration_hours
    assert report["trainings"]["sessions"] == sessions > 0
    assert report["trainings"]["hours"] == hours
    assert report["trainings"]["participants"] == len(present) > 0
    assert report["trainings"]["person_hours"] == person_hours
    assert report["trainings"]["attendance_rate"] == present_count / recorded
    assert sum(report["trainings"]["participants_by_cell"].values()) == len(present)

    # mentoring
    all_sessions = list(db.session.scalars(sa.select(MentoringSession)
                                           .where(MentoringSession.project_id.in_(project_ids))))
    in_window = [s for s in all_sessions if _inside(s.date, start, today)]
    assert report["mentoring"]["sessions"] == len(in_window) > 0
    assert report["mentoring"]["projects_mentored"] == len({s.project_id for s in in_window})
    recent = {s.project_id for s in all_sessions if _inside(s.date, today - dt.timedelta(days=60), today)}
    assert report["mentoring"]["projects_without_session_60d"] == sum(
        1 for p in projects if p.status == "active" and p.id not in recent)

    # milestones
    counted = [m for p in projects for m in db.session.scalars(sa.select(Milestone).where(Milestone.project_id == p.id))
               if m.planned_date <= today or (m.status == MilestoneStatus.ACHIEVED
                                               and _inside(m.achieved_date, start, today))]
    achieved = [m for m in counted if m.status == MilestoneStatus.ACHIEVED]
    dropped = [m for m in counted if m.status == MilestoneStatus.DROPPED]
    assert report["milestones"]["planned"] == len(counted) > 0
    assert report["milestones"]["achieved"] == len(achieved)
    assert report["milestones"]["dropped"] == len(dropped)
    assert report["milestones"]["late"] == sum(m.is_late(today) for m in counted)
    assert report["milestones"]["achieved_on_time"] == sum(m.achieved_date <= m.planned_date for m in achieved)

    # indicators: each project's figure is the Σ of its approved values of periods ending in the window (flow)
    # or its latest such period (stock); additive units add the projects up, percentages are their mean
    by_code = {row["code"]: row for row in report["indicators"]}
    checked, means = 0, 0
    for indicator in db.session.scalars(sa.select(Indicator)):
        stored = db.session.scalars(sa.select(IndicatorValue).where(IndicatorValue.indicator_id == indicator.id))
        values = [v for v in stored
                  if v.report.project_id in project_ids and v.report.status == ReportStatus.APPROVED
                  and _inside(v.report.period_end, start, today)]
        if not values:
            continue
        per_project: dict[int, Decimal] = {}
        if indicator.kind == IndicatorKind.FLOW:
            for v in values:
                per_project[v.report.project_id] = per_project.get(v.report.project_id, Decimal(0)) + v.value
        else:
            latest = {}
            for v in values:
                latest[v.report.project_id] = max(latest.get(v.report.project_id, v.report.period_end),
                                                  v.report.period_end)
            for v in values:
                if v.report.period_end == latest[v.report.project_id]:
                    per_project[v.report.project_id] = per_project.get(v.report.project_id, Decimal(0)) + v.value
        row = by_code[indicator.code]
        assert row["projects_reporting"] == len(per_project), indicator.code
        targets = list(db.session.scalars(sa.select(Target).where(Target.indicator_id == indicator.id,
                                                                   Target.project_id.in_(project_ids))))
        goals = [t.target_value for t in targets if t.target_value is not None]
        if indicator.unit == Unit.PERCENT:
            cent = Decimal("0.01")
            mean = sum(per_project.values(), Decimal(0)) / len(per_project)
            assert row["actual"] == mean.quantize(cent, rounding=ROUND_HALF_UP), indicator.code
            assert row["actual"] <= max(per_project.values())  # a mean, never the sum of the projects
            if goals:
                assert row["target"] == (sum(goals, Decimal(0)) / len(goals)).quantize(cent, rounding=ROUND_HALF_UP)
            means += 1
        else:
            assert row["actual"] == sum(per_project.values(), Decimal(0)), indicator.code
            if goals:
                assert row["target"] == sum(goals, Decimal(0))
        # the trend's last cumulative figure is the actual; each period's value adds up (or averages) its reports
        trend = next(t for t in report["trends"] if t["code"] == indicator.code)
        assert trend["periods"][-1]["cumulative"] == row["actual"]
        for period in trend["periods"]:
            reported: dict[int, Decimal] = {}
            for v in values:
                if v.report.period_end == period["end"]:
                    reported[v.report.project_id] = reported.get(v.report.project_id, Decimal(0)) + v.value
            assert period["projects_reporting"] == len(reported)
            if reported and indicator.unit != Unit.PERCENT:
                assert period["value"] == sum(reported.values(), Decimal(0)), (indicator.code, period["period"])
        checked += 1
    assert checked >= 2 and means >= 1
    assert report["completeness"] and all(r["approved"] <= r["submitted"] <= r["owed"] for r in report["completeness"])


def test_json_has_exactly_the_section_12_keys(runner):
    cohort = _load_demo(runner)
    text = report_json([cohort.id], None, dt.date.today(), include_submitted=True)
    data = json.loads(text)
    assert list(data) == ["filters", "portfolio", "people", "trainings", "mentoring", "milestones", "indicators",
                          "completeness", "trends"]
    assert list(data["filters"]) == ["cohorts", "from", "to", "include_submitted", "reference_date"]
    assert data["filters"]["include_submitted"] is True and data["filters"]["from"] is None
    assert list(data["people"]) == ["members", "women", "men", "sex_not_stated", "youth", "young_women",
                                    "age_unknown", "leads_women", "leads_men"]
    assert list(data["trainings"]) == ["sessions", "hours", "participants", "person_hours", "attendance_rate",
                                       "participants_by_cell", "projects_with_business_plan_training"]
    assert list(data["mentoring"]) == ["sessions", "hours", "projects_mentored", "median_sessions_per_project",
                                       "projects_without_session_60d", "open_action_items", "overdue_action_items"]
    assert list(data["milestones"]) == ["planned", "achieved", "achieved_on_time", "late", "dropped",
                                        "achievement_rate", "by_category"]
    assert list(data["indicators"][0]) == ["code", "unit", "kind", "baseline", "target", "actual", "progress",
                                           "projects_reporting", "cells"]
    assert list(data["trends"][0]) == ["code", "unit", "kind", "baseline", "target", "periods"]
    assert list(data["trends"][0]["periods"][0]) == ["period", "end", "value", "cumulative", "progress",
                                                     "projects_reporting"]
    assert list(data["completeness"][0]) == ["period", "owed", "submitted", "approved"]
    assert isinstance(data["trainings"]["hours"], str)  # amounts are exact decimal strings
    assert text == report_json([cohort.id], None, dt.date.today(), include_submitted=True)


def _cohort_with(n: int) -> Cohort:
    """A cohort of n projects, each with a member, training attendance, session and action item,
    milestone, target and an approved report with a value."""
    cohort = factories.CohortFactory()
    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.code == "qc_revenue"))
    if indicator is None:
        indicator = Indicator(code="qc_revenue", name_fr="CA", name_ar="CA", name_en="Revenue", unit=Unit.MAD,
                              kind=IndicatorKind.FLOW)
        db.session.add(indicator)
    mentor = factories.UserFactory(role="staff")
    training = Training(cohort=cohort, title="BP", topic=Topic.BUSINESS_PLAN, date=dt.date(2025, 2, 1),
                        duration_hours=Decimal("3"))
    db.session.add(training)
    for _ in range(n):
        project = factories.ProjectFactory(cohort=cohort)
        member = factories.MemberFactory(project=project, sex=Sex.M)
        db.session.add_all([
            Attendance(training=training, member=member, present=True),
            MentoringSession(project=project, mentor=mentor, date=dt.date(2025, 3, 1), duration_minutes=60,
                             mode=SessionMode.PHONE,
                             action_items=[ActionItem(description="x", owner_kind=ActionOwner.PROJECT,
                                                      due_date=dt.date(2025, 4, 1))]),
            Milestone(project=project, title="m", category=MilestoneCategory.PROTOTYPE,
                      planned_date=dt.date(2025, 3, 1), status=MilestoneStatus.ACHIEVED,
                      achieved_date=dt.date(2025, 2, 1)),
            Target(project=project, indicator=indicator, baseline_value=Decimal(0), target_value=Decimal(10)),
            PeriodReport(project=project, period_label="2025-T1", period_start=dt.date(2025, 1, 1),
                         period_end=dt.date(2025, 3, 31), status=ReportStatus.APPROVED,
                         values=[IndicatorValue(indicator=indicator, cell=Cell.TOTAL, value=Decimal(5))]),
        ])
    db.session.flush()
    return cohort


def test_query_count_does_not_grow_with_projects(count_queries):
    cohort_ids = [_cohort_with(5).id, _cohort_with(50).id]
    db.session.expire_all()
    counts, reports = [], []
    for cohort_id in cohort_ids:
        with count_queries() as queries:
            reports.append(cohort_report([cohort_id], None, dt.date(2025, 6, 30)))
        counts.append(len(queries))
    assert counts[0] == counts[1] == 11  # aggregates.statements (issue 20: grouped SQL)
    small_report, large_report = reports
    assert (small_report["portfolio"]["projects"], large_report["portfolio"]["projects"]) == (5, 50)
    assert large_report["people"]["members"] == 100 and large_report["trainings"]["participants"] == 50
    assert large_report["mentoring"]["sessions"] == 50 and large_report["mentoring"]["overdue_action_items"] == 50
    assert large_report["milestones"]["achieved_on_time"] == 50
    revenue = next(row for row in large_report["indicators"] if row["code"] == "qc_revenue")
    assert (revenue["actual"], revenue["target"], revenue["progress"]) == (Decimal(250), Decimal(500), 0.5)
    assert large_report["completeness"][0] == {"period": "2025-T1", "owed": 50, "submitted": 50, "approved": 50}
