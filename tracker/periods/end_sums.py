"""`indicator_end_sums`: each project's values of one indicator at one period end, kept equal to what
`report_value_sums` and the reports' statuses give.

The programme-wide report walks every project's period ends in date order (the previous end's total, the
latest end, the first end giving a cell). Grouping the reports' sums per project × indicator × end on each
click meant joining, sorting and grouping 650,000 rows: about 0.6 s of the report (issue 20). The sums per end
are derived data, rewritten for the projects concerned in the same transaction as the change, never by a timer:

- `value_sums`' `after_flush` listener calls `refresh()` with the projects of the reports whose values it
  rewrote, and of every report added, deleted, or whose status, period end or project changed;
- a deleted project or indicator takes its rows with it (`ON DELETE CASCADE`);
- bulk loaders that bypass the ORM call `rebuild()` after `value_sums.rebuild()`.

Each end is kept twice, `include_submitted` false (approved reports) and true (approved and submitted), the
two sets of reports the cohort report counts. `differing()` compares the table with `recomputed()`, which the
tests do after every test and `flask report check-sums` does on a live database.
"""

import sqlalchemy as sa

from tracker.core.derived import DerivedTable
from tracker.periods.models import DISAGGREGATED_CELLS, IndicatorEndSums, PeriodReport, ReportStatus, ReportValueSums
from tracker.projects.models import Project

CELLS = tuple(f"{cell}_cents" for cell in DISAGGREGATED_CELLS)
COLUMNS = ("project_id", "indicator_id", "period_end", "include_submitted", "end_total_cents", *CELLS)
COUNTED = {False: (ReportStatus.APPROVED,), True: (ReportStatus.APPROVED, ReportStatus.SUBMITTED)}


def _per_end(include_submitted: bool, project_ids) -> sa.Select:
    """One row per project × indicator × period end of the reports counted: the end's total is the sum of
    its five cells when any is given, else of its total cells (`figures.period_total`); a cell's sum stays
    NULL when no report gives it."""
    s, r = ReportValueSums, PeriodReport
    cells = sum((sa.func.coalesce(getattr(s, cell), 0) for cell in CELLS), sa.literal(0, sa.BigInteger))
    end_total = sa.case((sa.func.sum(s.broken_down) > 0, sa.func.sum(cells)),
                        else_=sa.func.sum(sa.func.coalesce(s.total_cents, 0)))
    query = (
        sa.select(r.project_id, s.indicator_id, r.period_end,
                  sa.literal(include_submitted, sa.Boolean).label("include_submitted"),
                  end_total.label("end_total_cents"), *(sa.func.sum(getattr(s, cell)).label(cell) for cell in CELLS))
        .join(r, s.report_id == r.id)
        .where(r.status.in_(COUNTED[include_submitted]))
        .group_by(r.project_id, s.indicator_id, r.period_end)
    )
    return query if project_ids is None else query.where(r.project_id.in_(project_ids))


def recomputed(project_ids=None) -> sa.Select:
    """The sums per end, computed from the reports' sums (of the given projects, or of all)."""
    both = sa.union_all(*(_per_end(flag, project_ids) for flag in COUNTED)).subquery()
    return sa.select(*(both.c[name] for name in COLUMNS))


def _lock_projects(connection: sa.Connection, project_ids: list[int]) -> None:
    """On PostgreSQL, the projects' rows are locked first (FOR NO KEY UPDATE, in id order): two transactions
    writing reports of one project then rewrite its sums one after the other, the second seeing the first's
    rows, instead of both inserting the same keys."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(Project.id).where(Project.id.in_(project_ids)).order_by(Project.id)
                           .with_for_update(key_share=True))


_TABLE = DerivedTable(IndicatorEndSums, "project_id", COLUMNS, recomputed, before_rewrite=_lock_projects)
refresh = _TABLE.refresh  # (connection, project_ids): rewrite the sums per end of these projects
rebuild = _TABLE.rebuild  # (connection): rewrite every sum
differing = _TABLE.differing  # (connection): rows of the table or of its recomputation the other lacks
