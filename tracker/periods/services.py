"""Reporting periods (DESIGN §5): calendar months, quarters or half-years inside a cohort's dates.

Labels: monthly `2025-03`, quarterly `2025-T1`, semiannual `2025-S1`. A period is owed once it has ended;
a cohort without dates owes nothing yet.
"""

import datetime as dt
from dataclasses import dataclass

from tracker.cohorts.models import Cohort, Frequency

_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.SEMIANNUAL: 6}


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
