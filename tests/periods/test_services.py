import datetime as dt

import pytest

from tracker.cohorts.models import Cohort, Frequency
from tracker.periods.services import cohort_periods, ended_periods, periods_between


@pytest.mark.parametrize("frequency, labels", [
    (Frequency.QUARTERLY, ["2025-T1", "2025-T2", "2025-T3", "2025-T4", "2026-T1"]),
    (Frequency.SEMIANNUAL, ["2025-S1", "2025-S2", "2026-S1"]),
])
def test_periods_are_calendar_aligned(frequency, labels):
    periods = periods_between(frequency, dt.date(2025, 2, 15), dt.date(2026, 1, 10))
    assert [p.label for p in periods] == labels
    assert periods[0].start == dt.date(2025, 1, 1)
    assert all(b.start == a.end + dt.timedelta(days=1) for a, b in zip(periods, periods[1:], strict=False))


def test_monthly_periods_cross_the_year_and_february():
    periods = periods_between(Frequency.MONTHLY, dt.date(2023, 12, 5), dt.date(2024, 3, 1))
    assert [(p.label, p.end) for p in periods] == [
        ("2023-12", dt.date(2023, 12, 31)), ("2024-01", dt.date(2024, 1, 31)),
        ("2024-02", dt.date(2024, 2, 29)), ("2024-03", dt.date(2024, 3, 31)),
    ]


def test_owed_periods_are_those_ended_before_today():
    cohort = Cohort(slug="x", name="x", start_date=dt.date(2025, 4, 1), end_date=dt.date(2026, 3, 31),
                    reporting_frequency=Frequency.QUARTERLY)
    assert len(cohort_periods(cohort)) == 4
    assert [p.label for p in ended_periods(cohort, dt.date(2025, 10, 1))] == ["2025-T2", "2025-T3"]
    assert [p.label for p in ended_periods(cohort, dt.date(2025, 9, 30))] == ["2025-T2"]
    assert ended_periods(Cohort(slug="y", name="y", reporting_frequency=Frequency.MONTHLY), dt.date(2030, 1, 1)) == []
