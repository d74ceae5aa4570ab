"""`report_value_sums`: each report's values of one indicator side by side, kept equal to `indicator_values`.

The programme-wide report would otherwise join 2 million values to their reports and group them on every
click (issue 20). The sums are derived data, rewritten for the reports whose values changed in the same
transaction as the change, never by a timer:

- every ORM write of an `IndicatorValue` (the report forms, the review, the demo, the tests' factories) is
  seen by the `after_flush` listener, which rewrites the sums of the reports touched;
- a deleted report or indicator takes its sums with it (`ON DELETE CASCADE`);
- the same listener then rewrites the sums per period end of the projects concerned (`end_sums`);
- bulk loaders that bypass the ORM (the scale set's COPY) call `rebuild()` when they are done.

`recomputed()` is the same statement over all the values: `differing()` compares it with the table, which the
tests do after every test and `flask report check-sums [--fix]` does on a live database.
"""

import itertools

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tracker.core.derived import DerivedTable
from tracker.core.models import cents
from tracker.periods import end_sums
from tracker.periods.models import DISAGGREGATED_CELLS, Cell, IndicatorValue, PeriodReport, ReportValueSums

COLUMNS = ("report_id", "indicator_id", "first_value_id", "broken_down", "total_cents",
           *(f"{cell}_cents" for cell in DISAGGREGATED_CELLS))


def recomputed(report_ids=None) -> sa.Select:
    """The sums, computed from `indicator_values` (of the given reports, or of all)."""
    v = IndicatorValue
    amount = cents(v.value)
    query = (
        sa.select(v.report_id, v.indicator_id, sa.func.min(v.id), sa.func.count(sa.case((v.cell != Cell.TOTAL, 1))),
                  sa.func.max(sa.case((v.cell == Cell.TOTAL, amount))),
                  *(sa.func.max(sa.case((v.cell == cell, amount))) for cell in DISAGGREGATED_CELLS))
        .group_by(v.report_id, v.indicator_id)
    )
    return query if report_ids is None else query.where(v.report_id.in_(report_ids))


_TABLE = DerivedTable(ReportValueSums, "report_id", COLUMNS, recomputed)
refresh = _TABLE.refresh  # (connection, report_ids): rewrite the sums of these reports from their values
rebuild = _TABLE.rebuild  # (connection): rewrite every sum
differing = _TABLE.differing  # (connection): rows of the table or of its recomputation the other lacks


def _touched_reports(session: Session) -> set[int]:
    return {obj.report_id for obj in itertools.chain(session.new, session.dirty, session.deleted)
            if isinstance(obj, IndicatorValue) and obj.report_id is not None}


# What a report's sums per end depend on besides its values.
_END_KEYS = ("project_id", "period_end", "status")


def _touched_projects(session: Session, reports: set[int]) -> set[int]:
    """The projects whose sums per end may have changed: those of the reports whose values changed, of the
    reports added or deleted, and of the reports whose project, period end or status changed (before and
    after)."""
    projects = set()
    for obj in itertools.chain(session.new, session.dirty, session.deleted):
        if not isinstance(obj, PeriodReport):
            continue
        state = sa.inspect(obj)
        if obj in session.dirty and not any(state.attrs[key].history.has_changes() for key in _END_KEYS):
            continue
        projects.update(state.attrs.project_id.history.deleted or ())
        projects.add(obj.project_id)
        reports.discard(obj.id)  # its project is known
    if reports:
        projects.update(session.connection().scalars(
            sa.select(PeriodReport.project_id).where(PeriodReport.id.in_(sorted(reports))).distinct()))
    projects.discard(None)
    return projects


def _after_flush(session: Session, flush_context) -> None:
    # The session's new, dirty and deleted objects are still those of the flush that just ran.
    touched = _touched_reports(session)
    if touched:
        refresh(session.connection(), touched)
    projects = _touched_projects(session, set(touched))
    if projects:
        end_sums.refresh(session.connection(), projects)


def listen() -> None:
    """Keep the sums with every ORM session (called once when the app is created)."""
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
