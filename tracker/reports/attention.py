"""The "needs attention" list of the cohort report: active projects of the selected cohorts that have,
as of `today`, at least one of these reasons (DESIGN §6, issues 6 and 18):

- overdue reports (period ended, no report submitted; a draft does not count);
- returned reports (sent back for correction, not submitted again);
- late milestones (neither achieved nor dropped, planned date passed), weighed by days late;
- no mentoring session in the last `QUIET_DAYS` (60) days, or never.

Projects are ranked by their attention score (`tracker.portfolio.score`: overdue reports weigh most, then
returned reports, late milestones by days late, days without a session), the one the staff portfolio uses
for its red bar. The session and milestone aggregates are the portfolio's (`tracker.portfolio.services`);
report states are `periods.calendar.due_state`, as on the "reports due" page. Three queries whatever the
number of projects: cohorts, projects with their aggregates, reports.
"""

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa

from tracker.cohorts.models import Cohort
from tracker.extensions import db
from tracker.periods.calendar import DueState, Period, cohort_periods, due_state
from tracker.periods.models import PeriodReport
from tracker.portfolio import score as attention
from tracker.portfolio.aggregates import project_aggregates
from tracker.portfolio.score import QUIET_DAYS
from tracker.projects.models import Project, ProjectStatus

ATTENTION_MAX_PROJECTS = 100  # shown on the page; the total is always given
ATTENTION_TOP = 10  # shown first, with their reasons; the others are folded


@dataclass
class AttentionItem:
    project_id: int
    code: str | None
    name: str
    cohort_id: int
    last_session: dt.date | None
    late_milestones: int
    late_points: int
    today: dt.date
    overdue_reports: list[Period] = field(default_factory=list)
    returned_reports: list[Period] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        return self.last_session is None or (self.today - self.last_session).days > QUIET_DAYS

    @property
    def days_since_session(self) -> int | None:
        return (self.today - self.last_session).days if self.last_session else None

    @property
    def reason_count(self) -> int:
        return sum((self.quiet, self.late_milestones > 0, bool(self.overdue_reports), bool(self.returned_reports)))

    @property
    def score(self) -> attention.Score:
        return attention.Score(len(self.overdue_reports), len(self.returned_reports), self.late_points,
                               attention.quiet_points(self.days_since_session))

    @property
    def needs_attention(self) -> bool:
        return self.reason_count > 0


@dataclass
class AttentionList:
    items: list[AttentionItem]  # at most `limit`, most in need first
    total: int  # every project needing attention

    @property
    def truncated(self) -> bool:
        return self.total > len(self.items)

    @property
    def top(self) -> list[AttentionItem]:
        return self.items[:ATTENTION_TOP]

    @property
    def others(self) -> list[AttentionItem]:
        return self.items[ATTENTION_TOP:]


def _sort_key(item: AttentionItem):
    """Highest score first; then more reasons, then the longest without a session, then by name."""
    return (-item.score.total, -item.reason_count, item.last_session is not None, -(item.days_since_session or 0),
            item.name.lower(), item.project_id)


def needs_attention(cohort_ids, today: dt.date, limit: int = ATTENTION_MAX_PROJECTS) -> AttentionList:
    ids = list(cohort_ids)
    cohorts = {c.id: c for c in db.session.scalars(sa.select(Cohort).where(Cohort.id.in_(ids)))}
    active = sa.and_(Project.cohort_id.in_(ids), Project.status == ProjectStatus.ACTIVE)
    sessions, _items, late, _reports = project_aggregates(today, sa.select(Project.id).where(active))
    rows = db.session.execute(
        sa.select(Project.id, Project.code, Project.name, Project.cohort_id, sessions.c.last_session,
                  sa.func.coalesce(late.c.late_milestones, 0), sa.func.coalesce(late.c.late_points, 0))
        .outerjoin(sessions, sessions.c.project_id == Project.id)
        .outerjoin(late, late.c.project_id == Project.id)
        .where(active)
    ).all()
    statuses: dict[int, dict[str, tuple]] = {}
    for r in db.session.execute(
        sa.select(PeriodReport.project_id, PeriodReport.period_label, PeriodReport.period_start,
                  PeriodReport.period_end, PeriodReport.status)
        .join(Project, Project.id == PeriodReport.project_id)
        .where(active)
    ):
        statuses.setdefault(r.project_id, {})[r.period_label] = (r.status, Period(r.period_label, r.period_start,
                                                                                  r.period_end))
    calendars = {cid: cohort_periods(c) for cid, c in cohorts.items()}
    found = []
    for pid, code, name, cohort_id, last_session, late_count, late_points in rows:
        item = AttentionItem(pid, code, name, cohort_id, last_session, int(late_count), int(late_points), today)
        stored = statuses.get(pid, {})
        periods = {p.label: p for p in calendars.get(cohort_id, ())}
        for label, (_status, period) in stored.items():
            periods.setdefault(label, period)
        for period in sorted(periods.values(), key=lambda p: p.end):
            status = stored.get(period.label, (None, None))[0]
            if status is None and period.end >= today:
                continue
            state = due_state(period, status, today)
            if state == DueState.OVERDUE:
                item.overdue_reports.append(period)
            elif state == DueState.RETURNED:
                item.returned_reports.append(period)
        if item.needs_attention:
            found.append(item)
    found.sort(key=_sort_key)
    return AttentionList(found[:limit], len(found))
