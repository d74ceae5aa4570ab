"""The reporting calendar (DESIGN §5): periods, their labels, and the state of an owed period. Pure: no
database, no Flask request; the cohorts and reports passed in are read through their attributes only.

Labels: monthly `2025-03`, quarterly `2025-T1`, semiannual `2025-S1`. A cohort without dates has no periods.
The states of an owed period (`due_state`) are described in `tracker.periods.services`.
"""

import datetime as dt
import enum
import functools
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from tracker.cohorts.models import Cohort, Frequency
from tracker.periods.models import PeriodReport, ReminderKind, ReportStatus

_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.SEMIANNUAL: 6}
DUE_SOON_DAYS = 7


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
    return list(_periods_between(Frequency(frequency), start, end))


@functools.lru_cache(maxsize=4096)
def _periods_between(frequency: Frequency, start: dt.date, end: dt.date) -> tuple[Period, ...]:
    """Cached (a pure function of its arguments; Period is frozen): the home page and the review queue ask for
    the periods of every cohort at each request (bench/profiles/my-portfolio-staff.txt)."""
    step = _MONTHS[frequency]
    first_month = (start.month - 1) // step * step + 1
    cursor = dt.date(start.year, first_month, 1)
    periods = []
    while cursor <= end:
        following = _add_months(cursor, step)
        periods.append(Period(_label(frequency, cursor), cursor, following - dt.timedelta(days=1)))
        cursor = following
    return tuple(periods)


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


def get_period(cohort: Cohort, label: str) -> Period | None:
    return next((p for p in cohort_periods(cohort) if p.label == label), None)


def report_period(report: PeriodReport) -> Period:
    """The period as stored on the report (the cohort's dates may have changed since)."""
    return Period(report.period_label, report.period_start, report.period_end)


# ---------------------------------------------------------------- the state of an owed period

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
URGENCY = {DueState.RETURNED: 0, DueState.OVERDUE: 1, DueState.DUE_SOON: 2, DueState.DRAFT: 3,
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
