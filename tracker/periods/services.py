"""Reporting periods (DESIGN §5), what each active project owes, and reading reports.

Labels: monthly `2025-03`, quarterly `2025-T1`, semiannual `2025-S1`. A cohort without dates owes nothing.

What a project owes (`reports_due`): every period of its cohort that has ended, plus the current period
when it ends within `DUE_SOON_DAYS` days ("due soon"), plus any period that already has a report. Only
ACTIVE projects owe reports. Each owed period gets one state:

- `approved`, `submitted`, `returned`: the report's status;
- `overdue`: the period has ended and no report was submitted (there may be a draft);
- `draft`: a report was started and the period has not ended yet;
- `due_soon`: no report yet, the period ends within `DUE_SOON_DAYS` days.

A report may be submitted from `DUE_SOON_DAYS` days before the end of its period (holders often know
their figures in the last week), and saved as a draft any time after the period has started.

Values typed by people (`parse_decimal`, `check_value`): "1 234,5", "1234.5", "1,234.5", "1.234,5" and
Arabic-Indic digits are read; anything ambiguous (more than two decimals, such as "1,500") is refused rather
than guessed.
"""

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager, defer, joinedload, selectinload

from tracker.auth.models import User
from tracker.cohorts.models import Cohort, Frequency
from tracker.core.fields import parse_number
from tracker.core.permissions import visible_project_ids
from tracker.extensions import db
from tracker.indicators.models import Indicator, Target, Unit
from tracker.periods.models import Cell, IndicatorValue, PeriodReport, ReminderKind, ReportStatus
from tracker.projects.models import Project, ProjectStatus

_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.SEMIANNUAL: 6}
DUE_SOON_DAYS = 7
DISAGGREGATED_CELLS = (Cell.WOMEN_YOUTH, Cell.WOMEN_OTHER, Cell.MEN_YOUTH, Cell.MEN_OTHER, Cell.NOT_STATED)
MAX_VALUE = Decimal("1e16")  # Numeric(18, 2)
COMMENT_MAX = 1000


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date


def _label(frequency: Frequency, start: dt.date) -> str:
    if frequency == Frequency.MONTHLY:
        return f"{start.year}-{start.month:02d}"
    if frequency == Frequency.QUARTERLY:
        return f"{start.year}-T{(start.month - 1) // 3 + 1}"
    return f"{start.year}-S{(start.month - 1) // 6 + 1}"


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def periods_between(frequency: Frequency, start: dt.date, end: dt.date) -> list[Period]:
    """Every calendar period of `frequency` that overlaps [start, end]."""
    step = _MONTHS[Frequency(frequency)]
    first_month = (start.month - 1) // step * step + 1
    cursor = dt.date(start.year, first_month, 1)
    periods = []
    while cursor <= end:
        following = _add_months(cursor, step)
        periods.append(Period(_label(frequency, cursor), cursor, following - dt.timedelta(days=1)))
        cursor = following
    return periods


def cohort_periods(cohort: Cohort) -> list[Period]:
    if cohort.start_date is None or cohort.end_date is None:
        return []
    return periods_between(cohort.reporting_frequency, cohort.start_date, cohort.end_date)


def ended_periods(cohort: Cohort, today: dt.date) -> list[Period]:
    """The periods whose report is due: those that ended before today."""
    return [p for p in cohort_periods(cohort) if p.end < today]


def is_due_soon(period: Period, today: dt.date) -> bool:
    """The period is running and ends within DUE_SOON_DAYS days (its last day included)."""
    return period.start <= today <= period.end and (period.end - today).days <= DUE_SOON_DAYS


def owed_periods(cohort: Cohort, today: dt.date) -> list[Period]:
    """Ended periods, plus the current one when it is due soon."""
    return [p for p in cohort_periods(cohort) if p.end < today or is_due_soon(p, today)]


def submission_opens_on(period_end: dt.date) -> dt.date:
    """First day a report may be submitted: DUE_SOON_DAYS days before the period's last day."""
    return period_end - dt.timedelta(days=DUE_SOON_DAYS)


def find_period(cohort: Cohort, label: str) -> Period | None:
    return next((p for p in cohort_periods(cohort) if p.label == label), None)


def report_period(report: PeriodReport) -> Period:
    """The period as stored on the report (the cohort's dates may have changed since)."""
    return Period(report.period_label, report.period_start, report.period_end)


# ---------------------------------------------------------------- what is owed

class DueState(enum.StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    RETURNED = "returned"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"


DUE_STATE_LABELS = {
    DueState.DUE_SOON: _l("À remettre bientôt"),
    DueState.OVERDUE: _l("En retard"),
    DueState.RETURNED: _l("Renvoyé pour correction"),
    DueState.DRAFT: _l("Brouillon en cours"),
    DueState.SUBMITTED: _l("Soumis, en attente de relecture"),
    DueState.APPROVED: _l("Approuvé"),
}
# Most urgent first: what the holder must act on, then what waits for staff, then what is done.
_URGENCY = {DueState.RETURNED: 0, DueState.OVERDUE: 1, DueState.DUE_SOON: 2, DueState.DRAFT: 3,
            DueState.SUBMITTED: 4, DueState.APPROVED: 5}
OPEN_STATES = frozenset(set(DueState) - {DueState.APPROVED})


def due_state(period: Period, status: ReportStatus | None, today: dt.date) -> DueState:
    if status in (ReportStatus.APPROVED, ReportStatus.SUBMITTED, ReportStatus.RETURNED):
        return DueState(status.value)
    if period.end < today:
        return DueState.OVERDUE
    if status == ReportStatus.DRAFT:
        return DueState.DRAFT
    return DueState.DUE_SOON


def attention_kind(period: Period, state: DueState, today: dt.date) -> ReminderKind | None:
    """Why a holder must act on this report now, or None (submitted, approved, or not due yet)."""
    if state == DueState.RETURNED:
        return ReminderKind.RETURNED
    if state == DueState.OVERDUE:
        return ReminderKind.OVERDUE
    if state in (DueState.DUE_SOON, DueState.DRAFT) and is_due_soon(period, today):
        return ReminderKind.DUE_SOON
    return None


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
    return lambda row: (_URGENCY[row[2]], row[1].end, names.get(row[0], "").lower(), row[0])


def reports_due(project_ids, today: dt.date) -> list[DueReport]:
    """What these projects owe (module docstring), most urgent first, then oldest period first.

    `project_ids` is an iterable of ids, or a `select()` of project ids for large sets (no parameter
    list). Inactive projects owe nothing. Two queries whatever the number of projects and periods: the
    projects with their cohort, and their reports (narratives not loaded; reviewer and submitter are).
    """
    if isinstance(project_ids, sa.Select):
        wanted = project_ids
    else:
        wanted = list(project_ids or [])
        if not wanted:
            return []
    active = sa.select(Project.id).where(Project.id.in_(wanted), Project.status == ProjectStatus.ACTIVE)
    projects = {p.id: p for p in db.session.scalars(
        sa.select(Project)
        .where(Project.id.in_(wanted), Project.status == ProjectStatus.ACTIVE)
        .options(joinedload(Project.cohort))
    )}
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


def attention_reports(user, today: dt.date) -> list[DueReport]:
    """A holder's reports that need them now: due within DUE_SOON_DAYS days, overdue (even with a draft
    started) or returned — until submitted. Most urgent first; four queries at most."""
    return [due for due in reports_due(user.project_ids, today) if due.needs_attention]


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


def review_queue_query(filters: ReviewFilters) -> sa.Select:
    """Submitted reports, oldest submission first, with project, cohort, submitter and the project's
    staff loaded eagerly (the narratives are not loaded: the queue does not show them)."""
    stmt = (
        sa.select(PeriodReport)
        .join(PeriodReport.project)
        .where(PeriodReport.status == ReportStatus.SUBMITTED)
        .options(
            contains_eager(PeriodReport.project).joinedload(Project.cohort),
            contains_eager(PeriodReport.project).selectinload(Project.staff),
            joinedload(PeriodReport.submitted_by),
            defer(PeriodReport.highlights), defer(PeriodReport.difficulties), defer(PeriodReport.support_needed),
        )
    )
    if filters.cohort_id:
        stmt = stmt.where(Project.cohort_id == filters.cohort_id)
    if filters.mentor_id:
        stmt = stmt.where(Project.staff.any(User.id == filters.mentor_id))
    return stmt.order_by(PeriodReport.submitted_at, PeriodReport.id)


# ---------------------------------------------------------------- one report

def get_report(report_id: int) -> PeriodReport | None:
    """A report with what its pages show: project and cohort, values, submitter and reviewer."""
    return db.session.scalar(
        sa.select(PeriodReport).where(PeriodReport.id == report_id).options(*_report_options())
    )


def find_report(project_id: int, label: str) -> PeriodReport | None:
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


def cells_of(indicator: Indicator) -> tuple[Cell, ...]:
    return DISAGGREGATED_CELLS if indicator.disaggregated else (Cell.TOTAL,)


@dataclass
class IndicatorEntry:
    """What a report holds for one indicator: a value per cell (None = left blank) and a comment."""

    cells: dict[Cell, Optional[Decimal]]
    comment: Optional[str] = None

    @property
    def total(self) -> Optional[Decimal]:
        """The sum of the cells typed in; None when every cell is blank."""
        present = [v for v in self.cells.values() if v is not None]
        return sum(present, Decimal(0)) if present else None


def report_entries(report: PeriodReport | None) -> dict[int, IndicatorEntry]:
    """{indicator id: entry} as stored. The comment sits on one cell of the indicator (the first one)."""
    entries: dict[int, IndicatorEntry] = {}
    if report is None:
        return entries
    order = {cell: n for n, cell in enumerate((Cell.TOTAL, *DISAGGREGATED_CELLS))}
    for value in sorted(report.values, key=lambda v: (v.indicator_id, order[v.cell])):
        entry = entries.setdefault(value.indicator_id, IndicatorEntry({}))
        entry.cells[value.cell] = value.value
        if value.comment and not entry.comment:
            entry.comment = value.comment
    return entries


# ---------------------------------------------------------------- values typed by people

def parse_decimal(text: str) -> Decimal:
    """Reads a number as people type it (`tracker.core.fields.parse_number`: "1 234,5", "1.234,5", "١٢٫٥"…);
    raises ValueError when it is blank or cannot be read without guessing. Extra decimals are kept ("1,500"
    reads 1.500), so `value_error` refuses them."""
    number = parse_number(text)
    if number is None:
        raise ValueError(text)
    return number


def value_error(indicator: Indicator, value: Decimal):
    """The lazy translated message when `value` breaks the indicator's rules, else None."""
    if value.as_tuple().exponent < -2:
        return _l("Au plus deux chiffres après la virgule. Pour grouper les milliers, utilisez une espace "
                  "(exemple : 1 234,5).")
    if abs(value) >= MAX_VALUE:
        return _l("Cette valeur est trop grande.")
    if value < 0 and not indicator.allow_negative:
        return _l("La valeur ne peut pas être négative.")
    if indicator.unit == Unit.PERCENT and value > 100:
        return _l("Un pourcentage ne peut pas dépasser 100.")
    if indicator.unit == Unit.COUNT and value != value.to_integral_value():
        return _l("Saisissez un nombre entier.")
    return None
