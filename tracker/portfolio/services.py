""""My portfolio": a mentor's projects ranked by how much they need attention.

Projects are listed by their attention score (`tracker.portfolio.score`, the cohort report's "projects to
follow" rule: overdue reports weigh most, then returned reports, late milestones by days late, and days
without a session), then overdue action items, then the longest time since the last session. A project with
a score above zero gets the red bar. Everything is aggregated in SQL (one statement for the page rows, one
for the total), so the page costs the same number of queries for 5 or 500 projects.
"""

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.expression import FunctionElement

from tracker.auth.models import User
from tracker.mentoring.models import ActionItem, MentoringSession
from tracker.milestones.models import Milestone, MilestoneStatus
from tracker.periods.calendar import ended_periods
from tracker.periods.models import PeriodReport, ReportStatus
from tracker.portfolio import score as attention
from tracker.portfolio.score import QUIET_DAYS
from tracker.projects.models import Project, ProjectStatus


@dataclass
class PortfolioFilters:
    mentor_id: int | None = None  # None: every mentor (managers); staff always see their own
    cohort_id: int | None = None
    status: str | None = ProjectStatus.ACTIVE.value
    attention_only: bool = False
    q: str | None = None


@dataclass
class PortfolioRow:
    project: Project
    last_session: dt.date | None
    next_session: dt.date | None
    open_items: int
    overdue_items: int
    late_milestones: int
    returned_reports: int
    reports_done: int
    overdue_reports: int
    late_points: int
    attention_score: int
    today: dt.date
    reports_owed: int = field(init=False, default=0)

    @property
    def days_since_session(self) -> int | None:
        return (self.today - self.last_session).days if self.last_session else None

    @property
    def quiet(self) -> bool:
        return self.last_session is None or self.days_since_session > QUIET_DAYS

    @property
    def score(self) -> attention.Score:
        """The attention score (computed in SQL by `score_sql`, `attention_score` is its total)."""
        return attention.Score(self.overdue_reports, self.returned_reports, self.late_points,
                               attention.quiet_points(self.days_since_session))

    @property
    def needs_attention(self) -> bool:
        """The red bar: a score above zero (same rule as the SQL `attention_only` filter)."""
        return self.attention_score > 0


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


def _filtered(stmt: sa.Select, filters: PortfolioFilters) -> sa.Select:
    if filters.mentor_id:
        stmt = stmt.where(Project.staff.any(User.id == filters.mentor_id))
    if filters.cohort_id:
        stmt = stmt.where(Project.cohort_id == filters.cohort_id)
    if filters.status:
        stmt = stmt.where(Project.status == filters.status)
    if filters.q:
        stmt = stmt.where(sa.func.lower(Project.name).like(f"%{filters.q.strip().lower()}%"))
    return stmt


def portfolio_query(filters: PortfolioFilters, today: dt.date, owed: dict[int, int]) -> sa.Select:
    project_ids = _filtered(sa.select(Project.id), filters)
    sessions, items, late, reports = project_aggregates(today, project_ids)
    owed_by_project = owed_reports(owed, project_ids)
    overdue = sa.func.coalesce(items.c.overdue_items, 0)
    late_count = sa.func.coalesce(late.c.late_milestones, 0)
    overdue_reports, score = score_sql(sessions, late, reports, owed_by_project, today)
    stmt = (
        sa.select(
            Project,
            sessions.c.last_session, sessions.c.next_session,
            sa.func.coalesce(items.c.open_items, 0), overdue, late_count,
            sa.func.coalesce(reports.c.returned_reports, 0), sa.func.coalesce(reports.c.reports_done, 0),
            overdue_reports, sa.func.coalesce(late.c.late_points, 0), score,
        )
        .join(owed_by_project, owed_by_project.c.project_id == Project.id)
        .outerjoin(sessions, sessions.c.project_id == Project.id)
        .outerjoin(items, items.c.project_id == Project.id)
        .outerjoin(late, late.c.project_id == Project.id)
        .outerjoin(reports, reports.c.project_id == Project.id)
        .options(joinedload(Project.cohort), selectinload(Project.staff), selectinload(Project.members))
    )
    stmt = _filtered(stmt, filters)
    if filters.attention_only:
        stmt = stmt.where(score > 0)
    return stmt.order_by(
        score.desc(), overdue.desc(), late_count.desc(),
        sa.case((sessions.c.last_session.is_(None), 0), else_=1), sessions.c.last_session, Project.name, Project.id,
    )


@dataclass
class PortfolioPage:
    rows: list[PortfolioRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def portfolio(filters: PortfolioFilters, today: dt.date, page: int = 1, per_page: int = 25,
              cohorts=None) -> PortfolioPage:
    """A page of the portfolio. `cohorts` (every cohort, which the page lists anyway) spares a query."""
    from tracker.cohorts.models import Cohort
    from tracker.extensions import db

    if cohorts is None:
        cohorts = db.session.scalars(sa.select(Cohort))
    owed = owed_by_cohort(cohorts, today)
    stmt = portfolio_query(filters, today, owed)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    page = max(1, min(page, max(1, -(-total // per_page))))
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    rows = []
    for project, *numbers in result:
        row = PortfolioRow(project, *numbers, today=today)
        if project.status == ProjectStatus.ACTIVE:
            row.reports_owed = max(0, owed.get(project.cohort_id, 0) - row.reports_done)
        rows.append(row)
    return PortfolioPage(rows, total, page, per_page)
