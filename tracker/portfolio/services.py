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
import functools
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


# The page's statements are built once per shape of the filters (which of them are set), their values bound at
# each execution (`_values`): building the page's statement and its cache key took longer than PostgreSQL
# took to run it (about 1.5 ms of a page's 10 at scale, issue 20). A built statement keeps its cache key.
Shape = tuple[bool, bool, bool, bool, bool]  # by mentor, cohort, status, name; attention only


def _shape(filters: PortfolioFilters) -> Shape:
    return (bool(filters.mentor_id), bool(filters.cohort_id), bool(filters.status), bool(filters.q),
            filters.attention_only)


def _values(filters: PortfolioFilters, today: dt.date) -> dict:
    born_after, born_until = flags.birth_date_range(today, *flags.youth_bounds())
    return {"today": today, "mentor_id": filters.mentor_id, "cohort_id": filters.cohort_id, "status": filters.status,
            "name_like": f"%{filters.q.strip().lower()}%" if filters.q else None,
            "born_after": born_after, "born_until": born_until}


_TODAY = sa.bindparam("today", type_=sa.Date)


def _filtered(stmt: sa.Select, shape: Shape) -> sa.Select:
    by_mentor, by_cohort, by_status, by_name, _ = shape
    if by_mentor:
        stmt = stmt.where(Project.staff.any(User.id == sa.bindparam("mentor_id")))
    if by_cohort:
        stmt = stmt.where(Project.cohort_id == sa.bindparam("cohort_id"))
    if by_status:
        stmt = stmt.where(Project.status == sa.bindparam("status"))
    if by_name:
        stmt = stmt.where(sa.func.lower(Project.name).like(sa.bindparam("name_like")))
    return stmt


@functools.cache
def _counts_statement(shape: Shape) -> sa.Select:
    """(projects the page lists, projects whose figures are not up to date for `today`), in one statement. The
    second reads the ranking index (every project has a row: `attention`), nothing when all are up to date."""
    kept = ProjectAttention
    stale = sa.or_(kept.as_of.is_(None), kept.as_of < _TODAY, kept.as_of > _TODAY)
    listed = sa.select(sa.func.count()).select_from(Project)
    if shape[-1]:  # attention only
        listed = listed.join(kept, summary.fresh(_TODAY)).where(kept.score > 0)
    stale_count = sa.select(sa.func.count()).select_from(kept).where(stale)
    return sa.select(_filtered(listed, shape).scalar_subquery(), stale_count.scalar_subquery())


def _counts(filters: PortfolioFilters, today: dt.date) -> tuple[int, int]:
    total, stale = db.session.execute(_counts_statement(_shape(filters)), _values(filters, today)).one()
    return total, stale


@functools.cache
def _page_statement(shape: Shape, with_staff: bool) -> sa.Select:
    """The page's rows: projects with their up-to-date figures, in the order of attention, with their cohort,
    their women-led and youth-led flags (the SQL rules of `tracker.projects.flags`: no member is loaded), and
    their staff when the page shows them (`with_staff`: a mentor's own portfolio does not); `limit` and
    `offset` are bound too."""
    kept = ProjectAttention
    loads = (joinedload(Project.cohort), *((selectinload(Project.staff),) if with_staff else ()))
    youth_led = flags.youth_led_value(sa.bindparam("born_after", type_=sa.Date),
                                              sa.bindparam("born_until", type_=sa.Date))
    stmt = (
        sa.select(
            Project, kept.last_session, kept.next_session, kept.open_items, kept.overdue_items,
            kept.late_milestones, kept.returned_reports, kept.reports_done, kept.overdue_reports, kept.late_points,
            kept.score, flags.women_led_value().label("women_led"), youth_led.label("youth_led"),
        )
        .join(kept, summary.fresh(_TODAY))
        .options(*loads)
    )
    stmt = _filtered(stmt, shape)
    if shape[-1]:  # attention only
        stmt = stmt.where(kept.score > 0)
    return stmt.order_by(
        kept.score.desc(), kept.overdue_items.desc(), kept.late_milestones.desc(),
        kept.last_session.asc().nulls_first(), Project.name, Project.id,
    ).limit(sa.bindparam("limit", type_=sa.Integer)).offset(sa.bindparam("offset", type_=sa.Integer))


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
    result = db.session.execute(_page_statement(_shape(filters), with_staff),
                                {**_values(filters, today), "limit": per_page, "offset": (page - 1) * per_page})
    found = result.unique().all()
    owed = owed_by_cohort({project.cohort for project, *_ in found}, today)  # the page's cohorts only
    rows = []
    for project, *numbers in found:
        row = PortfolioRow(project, *numbers, today=today)
        if project.status == ProjectStatus.ACTIVE:
            row.reports_owed = max(0, owed.get(project.cohort_id, 0) - row.reports_done)
        rows.append(row)
    return PortfolioPage(rows, total, page, per_page, refreshed=bool(stale))
