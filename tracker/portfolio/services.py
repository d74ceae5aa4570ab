""""My portfolio": a mentor's projects ranked by how much they need attention.

A project needs attention first when it had no mentoring session in the last 60 days (or never), then by
its number of overdue action items, then late milestones, then the longest time since the last session.
Everything is aggregated in SQL (one statement for the page rows, one for the total), so the page costs the
same number of queries for 5 or 500 projects.
"""

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.auth.models import User
from tracker.mentoring.models import ActionItem, MentoringSession
from tracker.milestones.models import Milestone, MilestoneStatus
from tracker.periods.models import PeriodReport, ReportStatus
from tracker.periods.services import ended_periods
from tracker.projects.models import Project, ProjectStatus

QUIET_DAYS = 60


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
    today: dt.date
    reports_owed: int = field(init=False, default=0)

    @property
    def days_since_session(self) -> int | None:
        return (self.today - self.last_session).days if self.last_session else None

    @property
    def quiet(self) -> bool:
        return self.last_session is None or self.days_since_session > QUIET_DAYS

    @property
    def needs_attention(self) -> bool:
        """Same rule as the SQL `attention_only` filter; reports owed are shown but do not count."""
        return self.quiet or self.overdue_items > 0 or self.late_milestones > 0 or self.returned_reports > 0


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
        sa.select(Milestone.project_id.label("project_id"), sa.func.count().label("late_milestones"))
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


def portfolio_query(filters: PortfolioFilters, today: dt.date) -> sa.Select:
    sessions, items, late, reports = project_aggregates(today, _filtered(sa.select(Project.id), filters))
    quiet_since = today - dt.timedelta(days=QUIET_DAYS)
    overdue = sa.func.coalesce(items.c.overdue_items, 0)
    late_count = sa.func.coalesce(late.c.late_milestones, 0)
    quiet = sa.or_(sessions.c.last_session.is_(None), sessions.c.last_session < quiet_since)
    stmt = (
        sa.select(
            Project,
            sessions.c.last_session, sessions.c.next_session,
            sa.func.coalesce(items.c.open_items, 0), overdue, late_count,
            sa.func.coalesce(reports.c.returned_reports, 0), sa.func.coalesce(reports.c.reports_done, 0),
        )
        .outerjoin(sessions, sessions.c.project_id == Project.id)
        .outerjoin(items, items.c.project_id == Project.id)
        .outerjoin(late, late.c.project_id == Project.id)
        .outerjoin(reports, reports.c.project_id == Project.id)
        .options(joinedload(Project.cohort), selectinload(Project.staff), selectinload(Project.members))
    )
    stmt = _filtered(stmt, filters)
    if filters.attention_only:
        stmt = stmt.where(sa.or_(quiet, overdue > 0, late_count > 0,
                                 sa.func.coalesce(reports.c.returned_reports, 0) > 0))
    return stmt.order_by(
        sa.case((quiet, 0), else_=1), overdue.desc(), late_count.desc(),
        sa.case((sessions.c.last_session.is_(None), 0), else_=1), sessions.c.last_session, Project.name,
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


def portfolio(filters: PortfolioFilters, today: dt.date, page: int = 1, per_page: int = 25) -> PortfolioPage:
    from tracker.extensions import db

    stmt = portfolio_query(filters, today)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    page = max(1, min(page, max(1, -(-total // per_page))))
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).unique().all()
    rows = []
    owed_by_cohort: dict[int, int] = {}
    for project, *numbers in result:
        row = PortfolioRow(project, *numbers, today=today)
        if project.cohort_id not in owed_by_cohort:
            owed_by_cohort[project.cohort_id] = len(ended_periods(project.cohort, today))
        if project.status == ProjectStatus.ACTIVE:
            row.reports_owed = max(0, owed_by_cohort[project.cohort_id] - row.reports_done)
        rows.append(row)
    return PortfolioPage(rows, total, page, per_page)
