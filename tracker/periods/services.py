"""What each active project owes (DESIGN §5), the review queue, and reading reports: the queries.

The calendar itself (periods, labels, the state of an owed period) is pure and lives in
`tracker.periods.calendar`; what a report holds and the values typed by people in `tracker.periods.entries`.

What a project owes (`reports_due`): every period of its cohort that has ended, plus the current period
when it ends within `DUE_SOON_DAYS` days ("due soon"), plus any period that already has a report. Only
ACTIVE projects owe reports. A cohort without dates owes nothing. Each owed period gets one state
(`calendar.due_state`):

- `approved`, `submitted`, `returned`: the report's status;
- `overdue`: the period has ended and no report was submitted (there may be a draft);
- `draft`: a report was started and the period has not ended yet;
- `due_soon`: no report yet, the period ends within `DUE_SOON_DAYS` days.

A report may be submitted from `DUE_SOON_DAYS` days before the end of its period (holders often know
their figures in the last week), and saved as a draft any time after the period has started.
"""

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, defer, joinedload, selectinload

from tracker.auth.models import User
from tracker.cohorts.models import Cohort
from tracker.core.permissions import visible_project_ids
from tracker.extensions import db
from tracker.indicators.models import Indicator, Target
from tracker.periods.calendar import (
    DUE_STATE_LABELS,
    OPEN_STATES,
    URGENCY,
    DueState,
    Period,
    attention_kind,
    cohort_periods,
    due_state,
    is_due_soon,
)
from tracker.periods.models import IndicatorValue, PeriodReport, ReminderKind, ReportStatus
from tracker.projects.models import Project, ProjectStatus


@dataclass
class DueReport:
    project: Project
    period: Period
    report: Optional[PeriodReport]
    state: DueState
    kind: Optional[ReminderKind] = None  # set when the holder must act now (attention, reminders)

    @property
    def state_label(self) -> str:
        return str(DUE_STATE_LABELS[self.state])

    @property
    def needs_attention(self) -> bool:
        return self.kind is not None


def _entries(project_cohorts, statuses: dict, stored: dict, today: dt.date) -> list[tuple[int, Period, DueState]]:
    """(project id, period, state) for every owed period of these (project id, cohort) pairs.

    `statuses` maps (project id, label) to a report status, `stored` maps project id to
    [(label, start, end)] of its reports, so periods no longer in the cohort's calendar still show.
    """
    calendars: dict[int, list[Period]] = {}
    rows = []
    for project_id, cohort in project_cohorts:
        if cohort.id not in calendars:
            calendars[cohort.id] = cohort_periods(cohort)
        seen = set()
        for period in calendars[cohort.id]:
            status = statuses.get((project_id, period.label))
            if status is None and not (period.end < today or is_due_soon(period, today)):
                continue
            seen.add(period.label)
            rows.append((project_id, period, due_state(period, status, today)))
        for label, start, end in stored.get(project_id, ()):
            if label not in seen:
                period = Period(label, start, end)
                rows.append((project_id, period, due_state(period, statuses[(project_id, label)], today)))
    return rows


def _sort_key(names: dict[int, str]):
    return lambda row: (URGENCY[row[2]], row[1].end, names.get(row[0], "").lower(), row[0])


def reports_due(project_ids, today: dt.date, loaded: list[Project] | None = None) -> list[DueReport]:
    """What these projects owe (module docstring), most urgent first, then oldest period first.

    `project_ids` is an iterable of ids, or a `select()` of project ids for large sets (no parameter
    list). Inactive projects owe nothing. Two queries whatever the number of projects and periods: the
    projects with their cohort, and their reports (narratives not loaded; reviewer and submitter are).
    A caller that has the projects with their cohort already passes them as `loaded` (one query less).
    """
    if loaded is not None:
        projects = {p.id: p for p in loaded if p.status == ProjectStatus.ACTIVE}
        active = list(projects)
    else:
        wanted = project_ids if isinstance(project_ids, sa.Select) else list(project_ids or [])
        if not isinstance(wanted, sa.Select) and not wanted:
            return []
        projects = {p.id: p for p in db.session.scalars(
            sa.select(Project)
            .where(Project.id.in_(wanted), Project.status == ProjectStatus.ACTIVE)
            .options(joinedload(Project.cohort))
        )}
        active = sa.select(Project.id).where(Project.id.in_(wanted), Project.status == ProjectStatus.ACTIVE)
    if not projects:
        return []
    reports = {(r.project_id, r.period_label): r for r in db.session.scalars(
        sa.select(PeriodReport)
        .where(PeriodReport.project_id.in_(active))
        .options(defer(PeriodReport.highlights), defer(PeriodReport.difficulties),
                 defer(PeriodReport.support_needed), joinedload(PeriodReport.submitted_by),
                 joinedload(PeriodReport.reviewed_by))
    )}
    statuses = {key: r.status for key, r in reports.items()}
    stored: dict[int, list] = {}
    for (project_id, label), r in reports.items():
        stored.setdefault(project_id, []).append((label, r.period_start, r.period_end))
    rows = _entries([(p.id, p.cohort) for p in projects.values()], statuses, stored, today)
    rows.sort(key=_sort_key({p.id: p.name for p in projects.values()}))
    return [
        DueReport(projects[pid], period, reports.get((pid, period.label)), state,
                  attention_kind(period, state, today))
        for pid, period, state in rows
    ]


def attention_reports(user, today: dt.date, loaded: list[Project] | None = None) -> list[DueReport]:
    """A holder's reports that need them now: due within DUE_SOON_DAYS days, overdue (even with a draft
    started) or returned — until submitted. Most urgent first; four queries at most (`loaded`: the
    holder's projects with their cohort, when the caller has them)."""
    return [due for due in reports_due(user.project_ids, today, loaded) if due.needs_attention]


# ---------------------------------------------------------------- the "reports due" list page

@dataclass
class DueFilters:
    cohort_id: int | None = None
    mentor_id: int | None = None
    state: str = "open"  # "open" (everything not approved), "all", or a DueState value


@dataclass
class DuePage:
    items: list[DueReport]
    total: int
    page: int
    per_page: int
    counts: dict[DueState, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _state_matches(state: DueState, wanted: str) -> bool:
    if wanted == "all":
        return True
    if wanted == "open":
        return state in OPEN_STATES
    return state.value == wanted


def due_page(user, filters: DueFilters, today: dt.date, page: int = 1, per_page: int = 25) -> DuePage:
    """One page of what the projects the user may see owe, filtered and most urgent first.

    Holders see their own projects only. The states are computed from light rows (ids, labels and
    statuses, no ORM objects); only the page's projects and reports are then loaded. Six queries
    whatever the number of rows; the Python work grows with projects × periods of the filter.
    """
    stmt = sa.select(Project.id, Project.cohort_id, Project.name).where(Project.status == ProjectStatus.ACTIVE)
    visible = visible_project_ids(user)
    if visible is not None:
        stmt = stmt.where(Project.id.in_(visible or [-1]))
    if filters.cohort_id:
        stmt = stmt.where(Project.cohort_id == filters.cohort_id)
    if filters.mentor_id:
        stmt = stmt.where(Project.staff.any(User.id == filters.mentor_id))
    projects = db.session.execute(stmt).all()
    cohort_ids = {row.cohort_id for row in projects}
    cohorts = {c.id: c for c in db.session.scalars(sa.select(Cohort).where(Cohort.id.in_(cohort_ids or [-1])))}
    project_ids = stmt.with_only_columns(Project.id).scalar_subquery()
    report_rows = db.session.execute(
        sa.select(PeriodReport.project_id, PeriodReport.period_label, PeriodReport.period_start,
                  PeriodReport.period_end, PeriodReport.status, PeriodReport.id)
        .where(PeriodReport.project_id.in_(project_ids))
    ).all()
    statuses, stored, report_ids = {}, {}, {}
    for project_id, label, start, end, status, report_id in report_rows:
        statuses[(project_id, label)] = status
        report_ids[(project_id, label)] = report_id
        stored.setdefault(project_id, []).append((label, start, end))

    rows = _entries([(row.id, cohorts[row.cohort_id]) for row in projects], statuses, stored, today)
    counts: dict[DueState, int] = {}
    for _pid, _period, state in rows:
        counts[state] = counts.get(state, 0) + 1
    rows = [row for row in rows if _state_matches(row[2], filters.state)]
    rows.sort(key=_sort_key({row.id: row.name for row in projects}))
    total = len(rows)
    page = max(1, min(page, max(1, -(-total // per_page))))
    shown = rows[(page - 1) * per_page: page * per_page]

    page_projects, page_reports = {}, {}
    if shown:
        page_projects = {p.id: p for p in db.session.scalars(
            sa.select(Project).where(Project.id.in_({pid for pid, _p, _s in shown}))
            .options(joinedload(Project.cohort), selectinload(Project.staff))
        )}
        wanted = [report_ids[(pid, p.label)] for pid, p, _s in shown if (pid, p.label) in report_ids]
        if wanted:
            page_reports = {r.id: r for r in db.session.scalars(
                sa.select(PeriodReport).where(PeriodReport.id.in_(wanted))
                .options(defer(PeriodReport.highlights), defer(PeriodReport.difficulties),
                         defer(PeriodReport.support_needed), joinedload(PeriodReport.reviewed_by))
            )}
    items = []
    for pid, period, state in shown:
        report_id = report_ids.get((pid, period.label))
        items.append(DueReport(page_projects[pid], period, page_reports.get(report_id), state,
                               attention_kind(period, state, today)))
    return DuePage(items, total, page, per_page, counts)


# ---------------------------------------------------------------- the review queue

@dataclass
class ReviewFilters:
    cohort_id: int | None = None
    mentor_id: int | None = None
    reviewer_id: int | None = None  # only the reports this person is asked to review
    not_reviewer_id: int | None = None  # the others (routing.py: "waiting for another reviewer")
    submitted_before: dt.datetime | None = None  # waiting since before this moment (stalled)


QueueShape = tuple[bool, bool, bool, bool, bool]  # which of the filters are set, in ReviewFilters' order


def _queue_shape(filters: ReviewFilters) -> QueueShape:
    return (bool(filters.cohort_id), bool(filters.mentor_id), bool(filters.reviewer_id),
            bool(filters.not_reviewer_id), bool(filters.submitted_before))


def _queue_values(filters: ReviewFilters) -> dict:
    return {"cohort_id": filters.cohort_id, "mentor_id": filters.mentor_id, "reviewer_id": filters.reviewer_id,
            "not_reviewer_id": filters.not_reviewer_id, "submitted_before": filters.submitted_before}


def _queue_conditions(shape: QueueShape) -> list:
    """The queue's conditions, all on the reports: a filter on their projects is a subquery of project ids.
    Their values are bound at execution (`_queue_values`)."""
    by_cohort, by_mentor, by_reviewer, by_other_reviewer, before = shape
    conditions = [PeriodReport.status == ReportStatus.SUBMITTED]
    if by_reviewer:
        conditions.append(PeriodReport.reviewer_id == sa.bindparam("reviewer_id", type_=sa.Integer))
    if by_other_reviewer:
        conditions.append(sa.or_(PeriodReport.reviewer_id.is_(None),
                                 PeriodReport.reviewer_id != sa.bindparam("not_reviewer_id", type_=sa.Integer)))
    if before:
        conditions.append(PeriodReport.submitted_at < sa.bindparam("submitted_before"))
    projects = []
    if by_cohort:
        projects.append(Project.cohort_id == sa.bindparam("cohort_id", type_=sa.Integer))
    if by_mentor:
        projects.append(Project.staff.any(User.id == sa.bindparam("mentor_id", type_=sa.Integer)))
    if projects:
        conditions.append(PeriodReport.project_id.in_(sa.select(Project.id).where(*projects)))
    return conditions


@functools.cache
def _queue_statements(shape: QueueShape) -> tuple[sa.Select, sa.Select]:
    """(a page of the queue, its count), built once per shape of the filters (issue 20: building the two
    statements and their cache keys at each view cost about 1 ms a queue, and the page shows two queues).

    The page: submitted reports, oldest submission first, with project, cohort, and the submitter's and
    reviewer's names loaded eagerly: what the queue shows. Neither the narratives nor the project's staff are
    loaded (a second statement per queue, for nothing shown). The count reads the reports alone: joined to the
    projects, the 10,000 reports a programme's queue can hold took 12 ms to count."""
    conditions = _queue_conditions(shape)
    page = (
        sa.select(PeriodReport)
        .join(PeriodReport.project)
        .where(*conditions)
        .options(
            contains_eager(PeriodReport.project).joinedload(Project.cohort),
            joinedload(PeriodReport.submitted_by).load_only(User.id, User.display_name),
            joinedload(PeriodReport.reviewer).load_only(User.id, User.display_name),
            defer(PeriodReport.highlights), defer(PeriodReport.difficulties), defer(PeriodReport.support_needed),
        )
        .order_by(PeriodReport.submitted_at, PeriodReport.id)
        .limit(sa.bindparam("limit", type_=sa.Integer)).offset(sa.bindparam("offset", type_=sa.Integer))
    )
    count = sa.select(sa.func.count()).select_from(PeriodReport).where(*conditions)
    return page, count


def review_queue_page(filters: ReviewFilters, page: int | None, per_page: int):
    """A page of the queue (`page` None: the request's ?page=), with its total."""
    select, count = _queue_statements(_queue_shape(filters))
    return db.paginate_bound(select, count, _queue_values(filters), page=page, per_page=per_page, error_out=False)


# ---------------------------------------------------------------- one report

def get_report(report_id: int) -> PeriodReport | None:
    """A report with what its pages show: project and cohort, values, submitter and reviewer."""
    return db.session.scalar(
        sa.select(PeriodReport).where(PeriodReport.id == report_id).options(*_report_options())
    )


def get_report_by_label(project_id: int, label: str) -> PeriodReport | None:
    return db.session.scalar(
        sa.select(PeriodReport)
        .where(PeriodReport.project_id == project_id, PeriodReport.period_label == label)
        .options(*_report_options())
    )


def _report_options():
    return (
        joinedload(PeriodReport.project).joinedload(Project.cohort),
        selectinload(PeriodReport.values),
        joinedload(PeriodReport.submitted_by),
        joinedload(PeriodReport.reviewed_by),
    )


def report_indicators(project_id: int, report: PeriodReport | None = None) -> list[Indicator]:
    """What the report form asks for: every active indicator the project has a target for, plus any
    indicator the report already holds values for (a target removed later must not hide figures)."""
    condition = Indicator.id.in_(
        sa.select(Target.indicator_id).where(Target.project_id == project_id)
    ) & Indicator.active.is_(True)
    if report is not None and report.id is not None:
        condition = condition | Indicator.id.in_(
            sa.select(IndicatorValue.indicator_id).where(IndicatorValue.report_id == report.id))
    return list(db.session.scalars(sa.select(Indicator).where(condition).order_by(Indicator.sort_order,
                                                                                  Indicator.code)))


def project_targets(project_id: int) -> dict[int, Target]:
    return {t.indicator_id: t for t in db.session.scalars(sa.select(Target).where(Target.project_id == project_id))}
