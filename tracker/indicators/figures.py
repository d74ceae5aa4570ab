"""Actual figures and progress against targets (DESIGN §4–§5).

Rules:
- official figures count values of **approved** reports only; `include_submitted=True` also counts
  submitted ones (the page that uses it must say so). Drafts and returned reports never count;
- a flow indicator sums its values over every period of the project that ended on or before the date;
  a stock indicator takes the value of the latest such period (by period end);
- a disaggregated value is entered in five cells: its total is the sum of the cells, women are the two
  women cells and youth the two youth cells. A period recorded with a single `total` cell (no breakdown)
  still counts in the total, and leaves women and youth unknown;
- progress = (actual − baseline) / (target − baseline): a fraction (0.5 is 50 %), not capped, negative when
  the figure went the wrong way, None when a figure is missing or target equals baseline.

This module is pure (no Flask, no database) so it can be tested with hand-built values and used by the
report's pure figures (`tracker.reports.compute`); `tracker.indicators.progress.project_progress` reads one
project's figures in two queries.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from tracker.indicators.models import IndicatorKind
from tracker.periods.models import DISAGGREGATED_CELLS, Cell, ReportStatus

WOMEN_CELLS = (Cell.WOMEN_YOUTH, Cell.WOMEN_OTHER)
YOUTH_CELLS = (Cell.WOMEN_YOUTH, Cell.MEN_YOUTH)

# (period_end, cell, value) for one project × indicator
ValueTuple = tuple[dt.date, Cell | str, Decimal]


@dataclass(frozen=True)
class Figures:
    """What one project reported for one indicator, reduced by its kind.

    `total` is None when nothing counts yet. `women` and `youth` are None when no counted period has a
    breakdown by cell. `cells` holds the per-cell figures ({} when there is no breakdown). `periods` is the
    number of periods counted, `last_period_end` the latest of them."""

    total: Decimal | None = None
    women: Decimal | None = None
    youth: Decimal | None = None
    cells: dict[Cell, Decimal] = field(default_factory=dict)
    periods: int = 0
    last_period_end: dt.date | None = None


def _by_period(values: Iterable[ValueTuple]) -> dict[dt.date, dict[Cell, Decimal]]:
    periods: dict[dt.date, dict[Cell, Decimal]] = defaultdict(dict)
    for period_end, cell, value in values:
        if value is None:
            continue
        cells = periods[period_end]
        cell = Cell(cell)
        cells[cell] = cells.get(cell, Decimal(0)) + Decimal(value)
    return periods


def _period_figures(cells: dict[Cell, Decimal]) -> tuple[Decimal, dict[Cell, Decimal]]:
    """(total, breakdown) of one period: the five cells when any is there, else the single total cell."""
    breakdown = {c: cells[c] for c in DISAGGREGATED_CELLS if c in cells}
    if breakdown:
        return sum(breakdown.values(), Decimal(0)), breakdown
    return cells.get(Cell.TOTAL, Decimal(0)), {}


def period_cells(values: Iterable[ValueTuple]) -> dict[dt.date, dict[Cell, Decimal]]:
    """The values of one project × indicator by period end, then by cell (what `compute_figures` reduces)."""
    return _by_period(values)


def period_total(cells: dict[Cell, Decimal]) -> Decimal:
    """One period's total: the sum of its five cells when any is there, else its total cell."""
    return _period_figures(cells)[0]


def compute_figures(kind: IndicatorKind | str, values: Iterable[ValueTuple]) -> Figures:
    """Reduces the counted values of one project × indicator to its figures (see the module rules).

    `values` must already be limited to the counted reports and periods; order does not matter."""
    periods = _by_period(values)
    if not periods:
        return Figures()
    ends = sorted(periods)
    if IndicatorKind(kind) == IndicatorKind.STOCK:
        ends = ends[-1:]
    total, cells, broken_down = Decimal(0), {}, False
    for end in ends:
        period_total, breakdown = _period_figures(periods[end])
        total += period_total
        broken_down = broken_down or bool(breakdown)
        for cell, value in breakdown.items():
            cells[cell] = cells.get(cell, Decimal(0)) + value
    women = sum((cells.get(c, Decimal(0)) for c in WOMEN_CELLS), Decimal(0)) if broken_down else None
    youth = sum((cells.get(c, Decimal(0)) for c in YOUTH_CELLS), Decimal(0)) if broken_down else None
    return Figures(total=total, women=women, youth=youth, cells=cells, periods=len(ends), last_period_end=ends[-1])


def compute_actual(kind: IndicatorKind | str, values: Iterable[ValueTuple]) -> Decimal | None:
    """The actual figure: flow → sum over periods, stock → latest period; None when nothing counts."""
    return compute_figures(kind, values).total


def compute_progress(baseline: Decimal | None, target: Decimal | None, actual: Decimal | None) -> Decimal | None:
    """(actual − baseline) / (target − baseline) as a fraction; None when a figure is missing or the
    denominator is 0. Not capped: 1.5 means 150 %, -0.2 means the figure went below its baseline."""
    if baseline is None or target is None or actual is None:
        return None
    denominator = Decimal(target) - Decimal(baseline)
    if denominator == 0:
        return None
    return (Decimal(actual) - Decimal(baseline)) / denominator


def counted_statuses(include_submitted: bool = False) -> tuple[ReportStatus, ...]:
    if include_submitted:
        return (ReportStatus.APPROVED, ReportStatus.SUBMITTED)
    return (ReportStatus.APPROVED,)
