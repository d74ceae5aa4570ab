"""The result periods of an IATI indicator (issue 18): one period per calendar year, each holding a target
and an actual, so IATI tools can pair them.

A project has one target per indicator (a value to reach by the target date, from a baseline at the
baseline date), and reports quarterly (or monthly, half-yearly) actuals. Both are brought to years:
- the target span runs from the baseline date (else the cohort's start, else its forum) to the target date
  (else the cohort's end). Years are the calendar years the span covers, plus any year an approved actual
  falls in; each period is its year clipped to the earliest start and latest end known;
- the yearly target is phased linearly over the span, by days: for a flow (summed) indicator, the share of
  the target value falling in that year (shares add up to the target exactly; 0 outside the span); for a
  stock, the level expected at the year's end: baseline + (target − baseline) × share of the span elapsed
  (the target itself when there is no baseline; the baseline before the span, the target after it);
- the yearly actual uses the report's rules (`indicators.figures.compute_figures`): a flow sums the year's
  periods, a stock takes the year's latest period; cells likewise.
Pure functions: no database, no Flask.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from tracker.indicators.figures import compute_figures
from tracker.indicators.models import IndicatorKind

CENT = Decimal("0.01")


@dataclass
class YearPeriod:
    start: dt.date
    end: dt.date
    target: Decimal | None
    actual: Decimal | None = None
    cells: dict = field(default_factory=dict)  # Cell → value, when the actual is broken down


def target_span(target, cohort) -> tuple[dt.date, dt.date] | None:
    start = target.baseline_date or cohort.start_date or cohort.forum_date
    end = target.target_date or cohort.end_date
    return (start, end) if start and end and start <= end else None


def _elapsed(day: dt.date, span: tuple[dt.date, dt.date]) -> Decimal:
    """Share of the span elapsed at the end of `day`, within 0–1."""
    start, end = span
    total = (end - start).days + 1
    done = min(max((day - start).days + 1, 0), total)
    return Decimal(done) / Decimal(total)


def _phased(kind: IndicatorKind, baseline, target: Decimal, span, years: list[tuple[dt.date, dt.date]]) -> list:
    if kind == IndicatorKind.FLOW:
        out, given = [], Decimal(0)
        for _start, end in years:
            cumulative = target if end >= span[1] else (target * _elapsed(end, span)).quantize(CENT, ROUND_HALF_UP)
            out.append(cumulative - given)
            given = cumulative
        return out
    if baseline is None:
        return [target] * len(years)
    return [(baseline + (target - baseline) * _elapsed(end, span)).quantize(CENT, rounding=ROUND_HALF_UP)
            for _start, end in years]


def _year_actual(kind: IndicatorKind, periods: dict) -> tuple[Decimal | None, dict]:
    values = [(end, cell, value) for (_start, end, _label), cells in periods.items() for cell, value in cells.items()]
    figures = compute_figures(kind, values)
    return figures.total, figures.cells


def yearly_periods(kind, target, cohort, by_period: dict) -> list[YearPeriod]:
    """The IATI periods of one project × indicator. `target`: the Target row (or None); `by_period`:
    {(period_start, period_end, label): {Cell: value}} of approved reports. Without a target value, no
    period is given (an actual needs a target beside it)."""
    kind = IndicatorKind(kind)
    if target is None or target.target_value is None:
        return []
    span = target_span(target, cohort)
    by_year: dict[int, dict] = {}
    for key, cells in by_period.items():
        by_year.setdefault(key[1].year, {})[key] = cells
    starts = [k[0] for k in by_period] + ([span[0]] if span else [])
    ends = [k[1] for k in by_period] + ([span[1]] if span else [])
    if not starts:
        return []
    first, last = min(starts), max(ends)
    wanted = set(by_year) | (set(range(span[0].year, span[1].year + 1)) if span else set())
    years = [(max(dt.date(y, 1, 1), first), min(dt.date(y, 12, 31), last)) for y in sorted(wanted)]
    if span is None:  # no dates to phase over: the target is the level (or total) of the last year
        span = (years[-1][0], years[-1][1])
    targets = _phased(kind, target.baseline_value, Decimal(target.target_value), span, years)
    out = []
    for (start, end), goal in zip(years, targets, strict=True):
        actual, cells = _year_actual(kind, by_year.get(start.year, {})) if start.year in by_year else (None, {})
        out.append(YearPeriod(start, end, goal, actual, cells))
    return out
