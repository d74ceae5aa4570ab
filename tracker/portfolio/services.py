""""My portfolio": a mentor's projects ranked by how much they need attention.

Projects are listed by their attention score (`tracker.portfolio.score`, the cohort report's "projects to
follow" rule: overdue reports weigh most, then returned reports, late milestones by days late, and days
without a session), then overdue action items, then the longest time since the last session. A project with
a score above zero gets the red bar. The figures are read from `project_attention`, kept per project and
day (`tracker.portfolio.attention`): one statement counts the page's projects and those whose figures are
stale (then recomputed in SQL, two statements), and one reads the page, walking the table's ranking index,
so the page costs the same statements for 5 or 20,000 projects.
"""

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.auth.models import User
from tracker.extensions import db
from tracker.portfolio import attention as summary
from tracker.portfolio import score as attention
from tracker.portfolio.aggregates import owed_by_cohort
from tracker.portfolio.models import ProjectAttention
from tracker.portfolio.score import QUIET_DAYS
from tracker.projects import flags
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
    women_led: bool
    youth_led: bool
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
    def flags(self) -> dict[str, bool]:
        """The women-led and youth-led badges (`tracker.projects.flags`), read in SQL with the row."""
        return {"women_led": bool(self.women_led), "youth_led": bool(self.youth_led)}  # SQLite answers 0 or 1

    @property
    def needs_attention(self) -> bool:
        """The red bar: a score above zero (same rule as the SQL `attention_only` filter)."""
        return self.attention_score > 0


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


def _counts(filters: PortfolioFilters, today: dt.date) -> tuple[int, int]:
    """(projects the page lists, projects whose figures are not up to date for `today`), in one statement. The
    second reads the ranking index (every project has a row: `attention`), nothing when all are up to date."""
    kept = ProjectAttention
    stale = sa.or_(kept.as_of.is_(None), kept.as_of < today, kept.as_of > today)
    listed = sa.select(sa.func.count()).select_from(Project)
    if filters.attention_only:
        listed = listed.join(kept, summary.fresh(today)).where(kept.score > 0)
    stale_count = sa.select(sa.func.count()).select_from(kept).where(stale)
    total, stale = db.session.execute(sa.select(_filtered(listed, filters).scalar_subquery(),
                                                stale_count.scalar_subquery())).one()
    return total, stale


def portfolio_query(filters: PortfolioFilters, today: dt.date, with_staff: bool = True) -> sa.Select:
    """The page's rows: projects with their up-to-date figures, in the order of attention, with their cohort,
    their women-led and youth-led flags (the SQL rules of `tracker.projects.flags`: no member is loaded), and
    their staff when the page shows them (`with_staff`: a mentor's own portfolio does not)."""
    kept = ProjectAttention
    loads = (joinedload(Project.cohort), *((selectinload(Project.staff),) if with_staff else ()))
    stmt = (
        sa.select(
            Project, kept.last_session, kept.next_session, kept.open_items, kept.overdue_items,
            kept.late_milestones, kept.returned_reports, kept.reports_done, kept.overdue_reports, kept.late_points,
            kept.score, flags.women_led_value().label("women_led"),
            flags.youth_led_value(today, *flags.youth_bounds()).label("youth_led"),
        )
        .join(kept, summary.fresh(today))
        .options(*loads)
    )
    stmt = _filtered(stmt, filters)
    if filters.attention_only:
        stmt = stmt.where(kept.score > 0)
    return stmt.order_by(
        kept.score.desc(), kept.overdue_items.desc(), kept.late_milestones.desc(),
        kept.last_session.asc().nulls_first(), Project.name, Project.id,
    )


@dataclass
class PortfolioPage:
    rows: list[PortfolioRow]
    total: int
    page: int
    per_page: int
    refreshed: bool = False  # figures were recomputed in the session's transaction

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def portfolio(filters: PortfolioFilters, today: dt.date, page: int = 1, per_page: int = 25,
              cohorts=None, with_staff: bool = True) -> PortfolioPage:
    """A page of the portfolio. `cohorts` (every cohort, when the caller has them) spares a query when the
    figures are recomputed. When they had to be, `refreshed` is set: the caller commits them, so the next view
    reads them."""
    from tracker.cohorts.models import Cohort

    total, stale = _counts(filters, today)
    if stale:  # whoever looks first brings every project up to date: one project after a write, all on a new day
        owed = owed_by_cohort(db.session.scalars(sa.select(Cohort)) if cohorts is None else cohorts, today)
        stale_ids = sa.select(Project.id).join(ProjectAttention).where(ProjectAttention.as_of.is_distinct_from(today))
        summary.refresh(db.session.connection(), stale_ids, today, owed, expected=stale)
        if filters.attention_only:  # the scores have changed
            total, _ = _counts(filters, today)
    page = max(1, min(page, max(1, -(-total // per_page))))
    result = db.session.execute(
        portfolio_query(filters, today, with_staff).limit(per_page).offset((page - 1) * per_page))
    found = result.unique().all()
    owed = owed_by_cohort({project.cohort for project, *_ in found}, today)  # the page's cohorts only
    rows = []
    for project, *numbers in found:
        row = PortfolioRow(project, *numbers, today=today)
        if project.status == ProjectStatus.ACTIVE:
            row.reports_owed = max(0, owed.get(project.cohort_id, 0) - row.reports_done)
        rows.append(row)
    return PortfolioPage(rows, total, page, per_page, refreshed=bool(stale))
