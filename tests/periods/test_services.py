import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories import CohortFactory, ProjectFactory, UserFactory
from tests.indicators.factories import IndicatorFactory
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tracker.cohorts.models import Cohort, Frequency
from tracker.extensions import db
from tracker.indicators.models import Unit
from tracker.periods.calendar import (
    DueState,
    Period,
    cohort_periods,
    due_state,
    ended_periods,
    is_due_soon,
    owed_periods,
    periods_between,
    submission_opens_on,
)
from tracker.periods.entries import parse_decimal, report_entries, value_error
from tracker.periods.models import Cell, PeriodReport, ReminderKind, ReportStatus
from tracker.periods.services import attention_reports, reports_due
from tracker.projects.models import ProjectStatus


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


# ---------------------------------------------------------------- what each active project owes



def test_due_soon_is_the_running_period_in_its_last_seven_days():
    t1 = Period("2025-T1", dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert not is_due_soon(t1, dt.date(2025, 3, 23))
    assert is_due_soon(t1, dt.date(2025, 3, 24))
    assert is_due_soon(t1, dt.date(2025, 3, 31))
    assert not is_due_soon(t1, dt.date(2025, 4, 1))  # ended: overdue, not due soon
    assert submission_opens_on(t1.end) == dt.date(2025, 3, 24)


@pytest.mark.parametrize("frequency, today, labels", [
    (Frequency.QUARTERLY, dt.date(2025, 3, 23), []),
    (Frequency.QUARTERLY, dt.date(2025, 3, 24), ["2025-T1"]),
    (Frequency.QUARTERLY, dt.date(2025, 7, 2), ["2025-T1", "2025-T2"]),
    (Frequency.SEMIANNUAL, dt.date(2025, 12, 28), ["2025-S1", "2025-S2"]),
    (Frequency.MONTHLY, dt.date(2025, 3, 10), ["2025-01", "2025-02"]),
])
def test_owed_periods_include_the_one_due_soon(frequency, today, labels):
    cohort = Cohort(slug="x", name="x", start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31),
                    reporting_frequency=frequency)
    assert [p.label for p in owed_periods(cohort, today)] == labels


@pytest.mark.parametrize("status, today, state", [
    (None, dt.date(2025, 3, 25), DueState.DUE_SOON),
    (None, dt.date(2025, 4, 1), DueState.OVERDUE),
    (ReportStatus.DRAFT, dt.date(2025, 3, 25), DueState.DRAFT),
    (ReportStatus.DRAFT, dt.date(2025, 4, 1), DueState.OVERDUE),  # a draft does not stop the clock
    (ReportStatus.RETURNED, dt.date(2025, 4, 20), DueState.RETURNED),
    (ReportStatus.SUBMITTED, dt.date(2025, 4, 20), DueState.SUBMITTED),
    (ReportStatus.APPROVED, dt.date(2025, 4, 20), DueState.APPROVED),
])
def test_due_states(status, today, state):
    assert due_state(Period("2025-T1", dt.date(2025, 1, 1), dt.date(2025, 3, 31)), status, today) == state


def _report(project, label, status, start, end):
    return PeriodReportFactory(project=project, period_label=label, period_start=start, period_end=end, status=status)


def test_reports_due_lists_every_state_most_urgent_first(actors):
    today = dt.date(2025, 12, 26)  # T1–T3 ended, T4 ends in 5 days
    project = actors.project
    _report(project, "2025-T1", ReportStatus.APPROVED, dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    _report(project, "2025-T2", ReportStatus.RETURNED, dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    db.session.flush()
    due = reports_due([project.id], today)
    assert [(d.period.label, d.state, d.kind) for d in due] == [
        ("2025-T2", DueState.RETURNED, ReminderKind.RETURNED),
        ("2025-T3", DueState.OVERDUE, ReminderKind.OVERDUE),
        ("2025-T4", DueState.DUE_SOON, ReminderKind.DUE_SOON),
        ("2025-T1", DueState.APPROVED, None),
    ]
    assert due[0].report.status == ReportStatus.RETURNED and due[1].report is None


def test_inactive_projects_owe_nothing_and_unknown_ids_are_ignored(actors):
    actors.project.status = ProjectStatus.PAUSED
    db.session.flush()
    assert reports_due([actors.project.id, 987654], dt.date(2025, 12, 26)) == []
    assert reports_due([], dt.date(2025, 12, 26)) == []


def test_a_report_outside_the_cohort_calendar_still_shows(actors):
    _report(actors.project, "2024-T4", ReportStatus.SUBMITTED, dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    db.session.flush()
    due = reports_due([actors.project.id], dt.date(2025, 2, 1))
    assert [(d.period.label, d.state) for d in due] == [("2024-T4", DueState.SUBMITTED)]


def test_attention_reports_are_the_holders_until_submitted(actors):
    today = dt.date(2025, 7, 3)  # T1 and T2 ended
    second = ProjectFactory(cohort=actors.cohort)
    actors.holder.projects = [actors.project, second]
    actors.holder.__dict__.pop("_project_ids", None)
    _report(actors.project, "2025-T1", ReportStatus.SUBMITTED, dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    _report(actors.project, "2025-T2", ReportStatus.DRAFT, dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    _report(second, "2025-T1", ReportStatus.RETURNED, dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    _report(second, "2025-T2", ReportStatus.APPROVED, dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    _report(actors.other_project, "2025-T1", ReportStatus.RETURNED, dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    db.session.flush()
    items = attention_reports(actors.holder, today)
    assert [(d.project.id, d.period.label, d.kind) for d in items] == [
        (second.id, "2025-T1", ReminderKind.RETURNED),
        (actors.project.id, "2025-T2", ReminderKind.OVERDUE),
    ]


def test_a_draft_started_early_needs_no_attention_until_due_soon(actors):
    _report(actors.project, "2025-T1", ReportStatus.DRAFT, dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    db.session.flush()
    [early] = reports_due([actors.project.id], dt.date(2025, 2, 1))
    assert (early.state, early.kind) == (DueState.DRAFT, None)
    assert attention_reports(actors.holder, dt.date(2025, 2, 1)) == []
    [soon] = attention_reports(actors.holder, dt.date(2025, 3, 30))
    assert soon.kind == ReminderKind.DUE_SOON


def test_reports_due_costs_two_queries_whatever_the_number_of_projects(actors, count_queries):
    today = dt.date(2026, 1, 10)

    def make(n):
        ids = []
        for _ in range(n):
            project = ProjectFactory(cohort=CohortFactory(), lead=False)
            _report(project, "2025-T1", ReportStatus.SUBMITTED, dt.date(2025, 1, 1), dt.date(2025, 3, 31))
            ids.append(project.id)
        db.session.flush()
        db.session.expire_all()
        return ids

    few = make(3)
    with count_queries() as small:
        assert len(reports_due(few, today)) == 3 * 4
    many = few + make(30)
    with count_queries() as large:
        due = reports_due(many, today)
        [d.report.submitted_by for d in due if d.report]  # already loaded
    assert len(due) == 33 * 4
    assert len(small) == len(large) == 2


def test_reports_due_of_projects_already_loaded_are_the_same_in_one_query_less(actors, count_queries):
    """The holder's home passes the projects it loaded with their cohort (issue 20): same reports due, same
    order, one statement (the reports) instead of two; a paused project still owes nothing."""
    from tracker.projects.services import holder_projects

    today = dt.date(2026, 1, 10)
    paused = ProjectFactory(cohort=actors.cohort, status=ProjectStatus.PAUSED, status_reason="Pause",
                            status_date=dt.date(2025, 12, 1))
    actors.holder.projects.append(paused)
    _report(actors.project, "2025-T3", ReportStatus.RETURNED, dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    db.session.flush()
    db.session.expire_all()

    def key(due):
        return [(d.project.id, d.period.label, d.state) for d in due]

    expected = key(attention_reports(actors.holder, today))
    loaded = holder_projects(actors.holder)
    with count_queries() as statements:
        found = key(attention_reports(actors.holder, today, loaded))
    assert found == expected and expected
    assert paused.id not in {project_id for project_id, _label, _state in found}
    assert len(statements) == 1


def test_holder_without_projects_needs_nothing():
    user = UserFactory(role="holder")
    assert attention_reports(user, dt.date(2025, 7, 1)) == []


# ---------------------------------------------------------------- values typed by people

@pytest.mark.parametrize("text, value", [
    ("1234.5", "1234.5"), ("1 234,5", "1234.5"), ("1\u202f234,5", "1234.5"), ("1,234.5", "1234.5"),
    ("1.234,5", "1234.5"), ("1.234.567", "1234567"), ("1,234,567", "1234567"), ("12", "12"), ("0", "0"),
    ("-3,5", "-3.5"), ("− 3,5", "-3.5"), ("+7", "7"), (",5", "0.5"), ("١٢٣٤٫٥", "1234.5"), ("١٬٢٣٤", "1234"),
    ("۱۲", "12"), ("\u200f١٢\u200f", "12"), ("1,500", "1.500"),
])
def test_parse_decimal_reads_what_people_type(text, value):
    assert parse_decimal(text) == Decimal(value)
    assert str(parse_decimal(text)) == value


@pytest.mark.parametrize("text", ["", "abc", "1e5", "--1", "1,2.5", "1,23,456", "1.2.3,4", "12,5,", "NaN", "1 2a"])
def test_parse_decimal_refuses_what_it_cannot_read_without_guessing(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


class _Ind:
    def __init__(self, unit=Unit.COUNT, allow_negative=False):
        self.unit, self.allow_negative = unit, allow_negative


@pytest.mark.parametrize("indicator, value, fragment", [
    (_Ind(Unit.MAD), "1234.56", None),
    (_Ind(Unit.MAD), "1.500", "deux chiffres"),  # "1,500" is ambiguous: never guessed
    (_Ind(Unit.MAD), "-1", "négative"),
    (_Ind(Unit.MAD, allow_negative=True), "-1", None),
    (_Ind(Unit.PERCENT), "100", None),
    (_Ind(Unit.PERCENT), "100.01", "100"),
    (_Ind(Unit.COUNT), "3", None),
    (_Ind(Unit.COUNT), "3.00", None),
    (_Ind(Unit.COUNT), "3.5", "entier"),
    (_Ind(Unit.HOURS), "2.5", None),
    (_Ind(Unit.MAD), "10000000000000000", "trop grande"),
])
def test_value_rules(indicator, value, fragment):
    message = value_error(indicator, Decimal(value))
    assert (message is None) if fragment is None else (fragment in str(message))


def test_the_count_of_reports_table_is_untouched_by_reading(actors):
    reports_due([actors.project.id], dt.date(2026, 1, 1))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PeriodReport)) == 0


def test_stored_cells_come_back_in_the_order_of_the_form(actors):
    report = PeriodReportFactory(project=actors.project)
    jobs = IndicatorFactory(disaggregated=True)
    for cell in (Cell.NOT_STATED, Cell.MEN_OTHER, Cell.WOMEN_YOUTH):
        IndicatorValueFactory(report=report, indicator=jobs, cell=cell, value=Decimal(1))
    db.session.flush()
    db.session.expire_all()
    assert list(report_entries(db.session.get(PeriodReport, report.id))[jobs.id].cells) == [
        Cell.WOMEN_YOUTH, Cell.MEN_OTHER, Cell.NOT_STATED]
