"""One project's actual figures and progress against targets, read from the database (DESIGN §4–§5).

The rules (what counts, flow and stock, the cells, progress) are the pure functions of
`tracker.indicators.figures`; `project_progress` reads one project's values in two queries and reduces them
with those.
"""

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from tracker.indicators.figures import Figures, ValueTuple, compute_figures, compute_progress, counted_statuses
from tracker.indicators.models import Indicator, Target
from tracker.periods.models import IndicatorValue, PeriodReport


@dataclass(frozen=True)
class Row:
    """One indicator of a project's results table.

    `target` is None for an indicator the project reported values for but has no target (any more)."""

    indicator: Indicator
    target: Target | None
    figures: Figures

    @property
    def baseline(self) -> Decimal | None:
        return self.target.baseline_value if self.target else None

    @property
    def target_value(self) -> Decimal | None:
        return self.target.target_value if self.target else None

    @property
    def actual(self) -> Decimal | None:
        return self.figures.total

    @property
    def progress(self) -> Decimal | None:
        return compute_progress(self.baseline, self.target_value, self.actual)


def _counted_values(statuses) -> sa.Select:
    """The counted values of the project `project_id` by `today` (both bound at execution)."""
    return (
        sa.select(IndicatorValue.indicator_id, PeriodReport.period_end, IndicatorValue.cell, IndicatorValue.value)
        .join(PeriodReport, IndicatorValue.report_id == PeriodReport.id)
        .where(
            PeriodReport.project_id == sa.bindparam("project_id", type_=sa.Integer),
            PeriodReport.status.in_(statuses),
            PeriodReport.period_end <= sa.bindparam("today", type_=sa.Date),
        )
    )


@functools.cache
def _progress_statements(include_submitted: bool) -> tuple[sa.Select, sa.Select]:
    """(the indicators with the project's targets, its counted values): built once, their cache keys with them
    (the holder's home runs them at each view, issue 20)."""
    statuses = counted_statuses(include_submitted)
    counted = _counted_values(statuses).subquery()
    project_id = sa.bindparam("project_id", type_=sa.Integer)
    pairs = (
        sa.select(Indicator, Target)
        .outerjoin(Target, sa.and_(Target.indicator_id == Indicator.id, Target.project_id == project_id))
        .where(sa.or_(Target.id.is_not(None), Indicator.id.in_(sa.select(counted.c.indicator_id))))
        .order_by(Indicator.sort_order, Indicator.code)
    )
    return pairs, _counted_values(statuses)


def project_progress(project_id: int, today: dt.date, include_submitted: bool = False) -> list[Row]:
    """Baseline, target, actual and progress of every indicator of one project, in catalogue order.

    Lists the indicators the project has a target for, plus those it has counted values for without a
    target (a target may be removed; its values stay). Two queries whatever the number of indicators:
    targets with their indicators, then the counted values, reduced in Python. (`Target.indicator` is
    then served from the identity map, without a query.)"""
    from tracker.extensions import db

    pairs_statement, values_statement = _progress_statements(include_submitted)
    bound = {"project_id": project_id, "today": today}
    pairs = db.session.execute(pairs_statement, bound).all()
    values: dict[int, list[ValueTuple]] = defaultdict(list)
    for indicator_id, period_end, cell, value in db.session.execute(values_statement, bound):
        values[indicator_id].append((period_end, cell, value))
    return [
        Row(indicator, target, compute_figures(indicator.kind, values.get(indicator.id, ())))
        for indicator, target in pairs
    ]
