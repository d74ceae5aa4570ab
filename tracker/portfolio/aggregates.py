"""The portfolio's per-project figures in SQL: sessions, action items, late milestones, reports, and the
attention score of `tracker.portfolio.score` written as SQL (`score_sql`). The staff portfolio keeps them in
`project_attention` (`tracker.portfolio.attention`); the cohort report's "projects to follow" reads
`project_aggregates` directly."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from tracker.mentoring.models import ActionItem, MentoringSession
from tracker.milestones.models import Milestone, MilestoneStatus
from tracker.periods.calendar import ended_periods
from tracker.periods.models import PeriodReport, ReportStatus
from tracker.portfolio import score as attention
from tracker.portfolio.score import QUIET_DAYS
from tracker.projects.models import Project, ProjectStatus


class days_since(FunctionElement):
    """Whole days from a date column to `today` (a date), on SQLite and PostgreSQL."""

    type = sa.Integer()
    inherit_cache = True
    name = "days_since"


@compiles(days_since)
def _days_since(element, compiler, **kw):  # PostgreSQL: date - date is a number of days
    today, column = list(element.clauses)
    return f"({compiler.process(today, **kw)} - {compiler.process(column, **kw)})"


@compiles(days_since, "sqlite")
def _days_since_sqlite(element, compiler, **kw):
    today, column = list(element.clauses)
    return (f"CAST(julianday({compiler.process(today, **kw)}) - julianday({compiler.process(column, **kw)})"
            " AS INTEGER)")


def _capped(expression, cap: int):
    return sa.case((expression >= cap, cap), else_=expression)


def milestone_points_sql(days_late):
    """`score.milestone_points` in SQL."""
    return _capped(attention.LATE_MILESTONE_BASE + days_late // attention.LATE_MILESTONE_STEP,
                   attention.LATE_MILESTONE_MAX)


def quiet_points_sql(last_session, today: dt.date):
    """`score.quiet_points` in SQL, from the date of the last session (NULL: never)."""
    days = days_since(sa.literal(today, sa.Date), last_session)
    return sa.case(
        (last_session.is_(None), attention.QUIET_MAX),
        (days <= QUIET_DAYS, 0),
        else_=_capped(attention.QUIET_BASE + (days - QUIET_DAYS) // attention.QUIET_STEP, attention.QUIET_MAX),
    )


def owed_by_cohort(cohorts, today: dt.date) -> dict[int, int]:
    """Reports each cohort's projects owe by `today` (periods ended before it)."""
    return {c.id: len(ended_periods(c, today)) for c in cohorts}


def owed_reports(owed: dict[int, int], project_ids: sa.Select):
    """(project_id, owed): the reports each of `project_ids` owes by its cohort (`owed_by_cohort`). A subquery,
    so that the cohort → count CASE (two parameters per cohort) is written once per statement: written at each
    use in the score, it made the portfolio's statements 50–75 kB of SQL at 200 cohorts, and converting and
    parsing them cost more than running them."""
    owed_expr = sa.case(owed, value=Project.cohort_id, else_=0) if owed else sa.literal(0)
    return (sa.select(Project.id.label("project_id"), owed_expr.label("owed"))
            .where(Project.id.in_(project_ids)).subquery())


def score_sql(sessions, late, reports, owed, today: dt.date):
    """(overdue reports, attention score) of a project as SQL expressions over the `project_aggregates`
    subqueries; `owed` = the `owed_reports` subquery. Overdue = periods ended − reports submitted, approved or
    returned."""
    answered = sa.func.coalesce(reports.c.reports_done, 0) + sa.func.coalesce(reports.c.returned_ended, 0)
    overdue = sa.case((Project.status != ProjectStatus.ACTIVE, 0), (owed.c.owed - answered < 0, 0),
                      else_=owed.c.owed - answered)
    total = (attention.OVERDUE_REPORT * overdue
             + attention.RETURNED_REPORT * sa.func.coalesce(reports.c.returned_reports, 0)
             + sa.func.coalesce(late.c.late_points, 0)
             + quiet_points_sql(sessions.c.last_session, today))
    return overdue, total


def _sum_if(condition) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def project_aggregates(today: dt.date, project_ids: sa.Select | None = None):
    """The per-project aggregate subqueries (sessions, action items, late milestones, reports), each keyed by
    `project_id`, to be outer-joined to projects.

    `project_ids` (a SELECT of project ids) restricts every aggregate to those projects, so a page reads the
    rows of the projects it can show rather than grouping the whole programme; None: every project.
    """
    def scoped(column):
        return sa.true() if project_ids is None else column.in_(project_ids)

    sessions = (
        sa.select(
            MentoringSession.project_id.label("project_id"),
            sa.func.max(MentoringSession.date).label("last_session"),
            sa.func.min(sa.case((MentoringSession.next_session_date >= today, MentoringSession.next_session_date)))
            .label("next_session"),
        )
        .where(MentoringSession.date <= today, scoped(MentoringSession.project_id))
        .group_by(MentoringSession.project_id)
        .subquery()
    )
    items = (
        sa.select(
            MentoringSession.project_id.label("project_id"),
            _sum_if(ActionItem.done_date.is_(None)).label("open_items"),
            _sum_if(sa.and_(ActionItem.done_date.is_(None), ActionItem.due_date < today)).label("overdue_items"),
        )
        .join(ActionItem.session)
        .where(ActionItem.done_date.is_(None), scoped(MentoringSession.project_id))  # done items count nowhere
        .group_by(MentoringSession.project_id)
        .subquery()
    )
    late = (
        sa.select(Milestone.project_id.label("project_id"), sa.func.count().label("late_milestones"),
                  sa.func.sum(milestone_points_sql(days_since(sa.literal(today, sa.Date), Milestone.planned_date)))
                  .label("late_points"))
        .where(Milestone.status.not_in([MilestoneStatus.ACHIEVED, MilestoneStatus.DROPPED]),
               Milestone.planned_date < today, scoped(Milestone.project_id))
        .group_by(Milestone.project_id)
        .subquery()
    )
    reports = (
        sa.select(
            PeriodReport.project_id.label("project_id"),
            _sum_if(PeriodReport.status == ReportStatus.RETURNED).label("returned_reports"),
            _sum_if(sa.and_(PeriodReport.status.in_([ReportStatus.SUBMITTED, ReportStatus.APPROVED]),
                            PeriodReport.period_end < today)).label("reports_done"),
            _sum_if(sa.and_(PeriodReport.status == ReportStatus.RETURNED, PeriodReport.period_end < today))
            .label("returned_ended"),
        )
        .where(scoped(PeriodReport.project_id))
        .group_by(PeriodReport.project_id)
        .subquery()
    )
    return sessions, items, late, reports
