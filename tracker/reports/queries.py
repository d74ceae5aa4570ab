"""Raw rows behind the cohort report (DESIGN §6, §12): explicit-column selects, no ORM objects.

The report's own figures come from grouped SQL (`aggregates.py`, issue 20); these raw rows serve the
per-project annex of the PDF (at most `annex.ANNEX_MAX_PROJECTS` projects) and the tests, which reduce
them with the pure functions of `compute` and check the grouped figures against them.

Every function runs exactly one statement whatever the number of projects, and returns a DataFrame
built with `frames.frame` (object columns: Decimals, dates and None stay as they are). Window and
reference-date filtering happen in `compute`, so the same rows serve every section and every test.
"""

import sqlalchemy as sa
from pandas import DataFrame

from tracker.cohorts.models import Cohort
from tracker.extensions import db
from tracker.indicators.models import Indicator, Target
from tracker.mentoring.models import ActionItem, MentoringSession
from tracker.milestones.models import Milestone
from tracker.periods.models import IndicatorValue, PeriodReport
from tracker.projects.models import Member, Project
from tracker.reports.frames import frame
from tracker.trainings.models import Attendance, Training


def _frame(stmt: sa.Select) -> DataFrame:
    # Core execution on the session's connection: same rows and types, without the ORM result layer
    # (a third of the time on the whole-programme report, bench/report_bench.py).
    result = db.session.connection().execute(stmt)
    return frame(result.all(), list(result.keys()))


def _selected_projects(cohort_ids) -> sa.Select:
    return sa.select(Project.id).where(Project.cohort_id.in_(cohort_ids))


def fetch_cohorts(cohort_ids) -> DataFrame:
    return _frame(
        sa.select(Cohort.id, Cohort.slug, Cohort.start_date, Cohort.end_date, Cohort.reporting_frequency)
        .where(Cohort.id.in_(cohort_ids)).order_by(Cohort.slug)
    )


def fetch_projects(cohort_ids) -> DataFrame:
    return _frame(
        sa.select(Project.id, Project.cohort_id, Project.sector, Project.status, Project.stage, Project.province)
        .where(Project.cohort_id.in_(cohort_ids)).order_by(Project.id)
    )


def fetch_members(cohort_ids) -> DataFrame:
    return _frame(
        sa.select(Member.id, Member.project_id, Member.sex, Member.birth_date, Member.is_lead, Member.ownership_pct)
        .where(Member.project_id.in_(_selected_projects(cohort_ids))).order_by(Member.id)
    )


def fetch_trainings(cohort_ids) -> DataFrame:
    """One row per attendance of a selected project's member, plus one row (attendance columns None)
    per training without such an attendance. Trainings are those of the selected cohorts, plus
    programme-wide trainings (no cohort) that a selected member attended or was recorded at."""
    selected_members = sa.select(Member.id).where(Member.project_id.in_(_selected_projects(cohort_ids)))
    att = (
        sa.select(Attendance.training_id, Attendance.member_id, Attendance.present, Member.project_id)
        .join(Member, Attendance.member_id == Member.id)
        .where(Attendance.member_id.in_(selected_members))
        .subquery()
    )
    return _frame(
        sa.select(
            Training.id.label("training_id"), Training.date, Training.duration_hours, Training.topic,
            att.c.member_id, att.c.project_id, att.c.present,
        )
        .outerjoin(att, att.c.training_id == Training.id)
        .where(sa.or_(
            Training.cohort_id.in_(cohort_ids),
            sa.and_(Training.cohort_id.is_(None), Training.id.in_(sa.select(att.c.training_id))),
        ))
        .order_by(Training.id, att.c.member_id)
    )


def fetch_sessions(cohort_ids) -> DataFrame:
    """One row per action item, plus one row (item columns None) per session without items."""
    return _frame(
        sa.select(
            MentoringSession.id.label("session_id"), MentoringSession.project_id, MentoringSession.date,
            MentoringSession.duration_minutes, ActionItem.id.label("item_id"), ActionItem.due_date,
            ActionItem.done_date,
        )
        .outerjoin(ActionItem, ActionItem.session_id == MentoringSession.id)
        .where(MentoringSession.project_id.in_(_selected_projects(cohort_ids)))
        .order_by(MentoringSession.id, ActionItem.id)
    )


def fetch_milestones(cohort_ids) -> DataFrame:
    return _frame(
        sa.select(Milestone.id, Milestone.project_id, Milestone.category, Milestone.planned_date,
                  Milestone.status, Milestone.achieved_date)
        .where(Milestone.project_id.in_(_selected_projects(cohort_ids))).order_by(Milestone.id)
    )


def fetch_targets(cohort_ids) -> DataFrame:
    return _frame(
        sa.select(Target.project_id, Target.indicator_id, Target.baseline_value, Target.target_value)
        .where(Target.project_id.in_(_selected_projects(cohort_ids))).order_by(Target.id)
    )


def fetch_indicators() -> DataFrame:
    """The indicator catalogue (a handful of rows, independent of the number of projects)."""
    return _frame(
        sa.select(Indicator.id, Indicator.code, Indicator.unit, Indicator.kind, Indicator.disaggregated,
                  Indicator.sort_order)
        .order_by(Indicator.sort_order, Indicator.code)
    )


def fetch_values(cohort_ids) -> DataFrame:
    """Every indicator value of the selected projects' reports, with the report's period and status
    (filtering by status and window is `compute.indicators`' job)."""
    return _frame(
        sa.select(PeriodReport.project_id, IndicatorValue.indicator_id, PeriodReport.period_end,
                  PeriodReport.status, IndicatorValue.cell, IndicatorValue.value, PeriodReport.period_label)
        .join(PeriodReport, IndicatorValue.report_id == PeriodReport.id)
        .where(PeriodReport.project_id.in_(_selected_projects(cohort_ids)))
        .order_by(IndicatorValue.id)
    )


def fetch_reports(cohort_ids) -> DataFrame:
    return _frame(
        sa.select(PeriodReport.project_id, PeriodReport.period_label, PeriodReport.status,
                  PeriodReport.submitted_at)
        .where(PeriodReport.project_id.in_(_selected_projects(cohort_ids))).order_by(PeriodReport.id)
    )


def fetch_annex(cohort_ids) -> dict[str, DataFrame]:
    """The raw rows the per-project annex reduces (`annex.project_figures`): 6 statements, whatever the number
    of projects. The report itself reads grouped rows (`aggregates.py`)."""
    ids = list(cohort_ids)
    return {
        "projects": fetch_projects(ids),
        "members": fetch_members(ids),
        "milestones": fetch_milestones(ids),
        "indicators": fetch_indicators(),
        "targets": fetch_targets(ids),
        "values": fetch_values(ids),
    }


def fetch_all(cohort_ids) -> dict[str, DataFrame]:
    """Every raw row the report's figures derive from (10 statements): what `compute` reduces in the tests
    that check the grouped figures against the row-by-row rules, and what the old raw-read floor reads."""
    ids = list(cohort_ids)
    return {
        "cohorts": fetch_cohorts(ids),
        "projects": fetch_projects(ids),
        "members": fetch_members(ids),
        "trainings": fetch_trainings(ids),
        "sessions": fetch_sessions(ids),
        "milestones": fetch_milestones(ids),
        "indicators": fetch_indicators(),
        "targets": fetch_targets(ids),
        "values": fetch_values(ids),
        "reports": fetch_reports(ids),
    }
