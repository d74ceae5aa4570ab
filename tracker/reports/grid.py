"""The completeness grid of the cohort report: one row per active project, one column per period.

Periods and projects follow `compute.completeness` (DESIGN §5, §12): every period of each cohort's
frequency ending inside the window [date_from, ref], owed by the cohort's ACTIVE projects, so each
column adds up to that period's row of the report's completeness section. Cohorts with different
frequencies give different labels; a project's cell is `None` for a period its cohort does not have.

A cell's state is the report's status (approved, submitted, returned, draft) or, without a report,
`missing` once the period has ended before `today` and `not_due` before that. The page links a cell to
the period report page whenever that page exists (a stored report, or a period that has started).

Four queries whatever the number of projects: cohorts, projects (at most `limit` rows), their count,
their reports.
"""

import datetime as dt
import enum
from dataclasses import dataclass, field

import sqlalchemy as sa

from tracker.cohorts.models import Cohort
from tracker.extensions import db
from tracker.periods.calendar import Period, cohort_periods
from tracker.periods.models import PeriodReport, ReportStatus
from tracker.projects.models import Project, ProjectStatus

GRID_MAX_PROJECTS = 200  # beyond that the page says how many were left out and asks for narrower filters


class CellState(enum.StrEnum):
    APPROVED = "approved"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    DRAFT = "draft"
    MISSING = "missing"  # period ended, no report submitted (nor a draft started)
    NOT_DUE = "not_due"  # period not ended yet, nothing started


@dataclass(frozen=True)
class GridCell:
    state: CellState
    period: Period
    report_id: int | None
    linkable: bool  # the period report page exists for this project and period

    @property
    def counts_as_submitted(self) -> bool:
        """Same rule as `compute.completeness`: ever submitted."""
        return self.state in (CellState.SUBMITTED, CellState.APPROVED, CellState.RETURNED)


@dataclass
class GridRow:
    project_id: int
    code: str | None
    name: str
    cohort_id: int
    cells: dict[str, GridCell | None] = field(default_factory=dict)  # period label -> cell


@dataclass
class Grid:
    periods: list[Period]  # columns, by end date
    rows: list[GridRow]
    total_projects: int  # active projects of the selection, shown or not

    @property
    def truncated(self) -> bool:
        return self.total_projects > len(self.rows)


def _state(report, period: Period, today: dt.date) -> CellState:
    if report is not None:
        if report.status != ReportStatus.DRAFT:
            return CellState(str(report.status))
        if report.submitted_at is not None:  # reopened after a submission: counted as ever submitted
            return CellState.SUBMITTED
    if period.end < today:
        return CellState.MISSING
    return CellState.DRAFT if report is not None else CellState.NOT_DUE


def completeness_grid(cohort_ids, date_from: dt.date | None, ref: dt.date, today: dt.date,
                      limit: int = GRID_MAX_PROJECTS) -> Grid:
    """The grid for these cohorts and window; `today` decides missing vs not yet due and links."""
    ids = list(cohort_ids)
    cohorts = list(db.session.scalars(sa.select(Cohort).where(Cohort.id.in_(ids)).order_by(Cohort.slug)))
    calendars: dict[int, list[Period]] = {}
    columns: dict[str, Period] = {}
    for cohort in cohorts:
        periods = [p for p in cohort_periods(cohort)
                   if p.end <= ref and (date_from is None or p.end >= date_from)]
        calendars[cohort.id] = periods
        for period in periods:
            columns.setdefault(period.label, period)
    active = sa.and_(Project.cohort_id.in_(ids), Project.status == ProjectStatus.ACTIVE)
    total = db.session.scalar(sa.select(sa.func.count(Project.id)).where(active)) or 0
    projects = db.session.execute(
        sa.select(Project.id, Project.code, Project.name, Project.cohort_id)
        .where(active).order_by(Project.cohort_id, Project.code, Project.name, Project.id).limit(limit)
    ).all()
    project_ids = [p.id for p in projects]
    reports = {}
    if project_ids and columns:
        for r in db.session.execute(
            sa.select(PeriodReport.id, PeriodReport.project_id, PeriodReport.period_label, PeriodReport.status,
                      PeriodReport.submitted_at)
            .where(PeriodReport.project_id.in_(project_ids), PeriodReport.period_label.in_(list(columns)))
        ):
            reports[(r.project_id, r.period_label)] = r
    rows = []
    for p in projects:
        row = GridRow(p.id, p.code, p.name, p.cohort_id, dict.fromkeys(columns))
        for period in calendars.get(p.cohort_id, ()):
            report = reports.get((p.id, period.label))
            row.cells[period.label] = GridCell(
                state=_state(report, period, today),
                period=period,
                report_id=report.id if report is not None else None,
                linkable=report is not None or period.start <= today,
            )
        rows.append(row)
    return Grid(sorted(columns.values(), key=lambda p: (p.end, p.label)), rows, total)
