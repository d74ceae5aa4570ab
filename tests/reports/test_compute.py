"""compute.py on hand-built frames: no Flask, no database."""

import datetime as dt
from decimal import Decimal as D

import pytest

from tracker.reports import compute
from tracker.reports.frames import frame

REF = dt.date(2025, 6, 30)
MIN_AGE, MAX_AGE = 15, 34
MEMBER_COLS = ["id", "project_id", "sex", "birth_date", "is_lead", "ownership_pct"]
PROJECT_COLS = ["id", "cohort_id", "sector", "status", "stage", "province"]


def born(age_on_ref: int, days_after_birthday: int = 0) -> dt.date:
    """Birth date of someone who is exactly `age_on_ref` on REF (birthday on REF minus some days)."""
    return REF.replace(year=REF.year - age_on_ref) - dt.timedelta(days=days_after_birthday)


def members(*rows):
    return frame(rows, MEMBER_COLS)


def projects(*rows):
    return frame(rows, PROJECT_COLS)


# ---------------------------------------------------------------- people

def test_people_no_members():
    out = compute.people(members(), REF, MIN_AGE, MAX_AGE)
    assert out == dict.fromkeys(out, 0)
    assert list(out) == ["members", "women", "men", "sex_not_stated", "youth", "young_women", "age_unknown",
                         "leads_women", "leads_men"]


def test_people_youth_bounds_sex_not_stated_and_age_unknown():
    out = compute.people(members(
        (1, 1, "F", born(34), True, None),        # 34 on REF: young
        (2, 1, "F", born(35), False, None),       # 35 on REF (birthday today): not young
        (3, 2, "M", born(34, 364), True, None),   # 34 until tomorrow: young
        (4, 2, None, born(20), False, None),      # sex not stated, young
        (5, 2, "M", None, False, None),           # age unknown: never young
        (6, 3, None, born(14), True, None),       # 14: too young
    ), REF, MIN_AGE, MAX_AGE)
    assert out == {"members": 6, "women": 2, "men": 2, "sex_not_stated": 2, "youth": 3, "young_women": 1,
                   "age_unknown": 1, "leads_women": 1, "leads_men": 1}


# ---------------------------------------------------------------- portfolio

@pytest.mark.parametrize(("share", "women_led"), [(D("51"), 1), (D("50"), 0), (D("50.99"), 0)])
def test_portfolio_women_led_ownership_threshold(share, women_led):
    out = compute.portfolio(
        projects((1, 1, "digital", "active", None, "Safi")),
        members((1, 1, "M", born(40), True, 100 - share), (2, 1, "F", born(40), False, share)),
        REF, MIN_AGE, MAX_AGE,
    )
    assert out["women_led"] == women_led
    assert out["youth_led"] == 0


def test_portfolio_counts_leads_and_unknown_codes():
    out = compute.portfolio(
        projects((1, 1, "digital", "active", "idea", "Safi"),
                 (2, 1, "agriculture", "dropped", None, None),
                 (3, 1, "digital", "active", "growth", "Safi")),
        members((1, 1, "F", born(34), True, None),          # woman lead, young → both
                (2, 2, "M", born(35), True, D("100")),       # 35: not youth-led
                (3, 3, None, None, True, None),              # lead sex/age unknown: neither
                (4, 3, "F", born(25), False, D("30")), (5, 3, "F", born(25), False, D("21"))),  # 51 % women
        REF, MIN_AGE, MAX_AGE,
    )
    assert out["projects"] == 3
    assert out["women_led"] == 2 and out["youth_led"] == 1
    assert out["by_sector"] == {"digital": 2, "agriculture": 1, "training_services": 0, "local_products": 0}
    assert out["by_status"]["active"] == 2 and out["by_status"]["dropped"] == 1 and out["by_status"]["paused"] == 0
    assert out["by_stage"]["unknown"] == 1 and out["by_stage"]["idea"] == 1
    assert out["by_province"] == {"Safi": 2, "unknown": 1}


def test_portfolio_project_without_members():
    out = compute.portfolio(projects((1, 1, "digital", "active", None, None)), members(), REF, MIN_AGE, MAX_AGE)
    assert (out["projects"], out["women_led"], out["youth_led"]) == (1, 0, 0)


# ---------------------------------------------------------------- trainings

TRAINING_COLS = ["training_id", "date", "duration_hours", "topic", "member_id", "project_id", "present"]


def test_trainings_window_participants_person_hours_and_cells():
    rows = frame([
        (1, dt.date(2025, 3, 1), D("3"), "business_plan", 1, 1, True),
        (1, dt.date(2025, 3, 1), D("3"), "business_plan", 2, 1, False),
        (2, dt.date(2025, 4, 1), D("2.5"), "finance", 1, 1, True),
        (2, dt.date(2025, 4, 1), D("2.5"), "finance", 3, 2, True),
        (2, dt.date(2025, 4, 1), D("2.5"), "finance", 4, 2, True),
        (3, dt.date(2025, 5, 1), D("1"), "legal", None, None, None),       # nobody recorded
        (4, dt.date(2024, 12, 1), D("9"), "business_plan", 3, 2, True),    # before the window
        (5, dt.date(2025, 7, 1), D("9"), "finance", 3, 2, True),           # after the reference date
    ], TRAINING_COLS)
    people = members((1, 1, "F", born(34), True, None), (2, 1, "M", born(20), False, None),
                     (3, 2, None, born(20), True, None), (4, 2, "M", None, False, None))
    out = compute.trainings(rows, people, dt.date(2025, 1, 1), REF, MIN_AGE, MAX_AGE)
    assert out == {
        "sessions": 3,
        "hours": D("6.5"),
        "participants": 3,
        "person_hours": D("3") + D("2.5") * 3,
        "attendance_rate": 4 / 5,
        "participants_by_cell": {"women_youth": 1, "women_other": 0, "men_youth": 0, "men_other": 1,
                                 "not_stated": 1},
        "projects_with_business_plan_training": 1,
    }


def test_trainings_nothing_recorded_rate_is_none():
    rows = frame([(3, dt.date(2025, 5, 1), D("1"), "legal", None, None, None)], TRAINING_COLS)
    out = compute.trainings(rows, members(), None, REF, MIN_AGE, MAX_AGE)
    assert out["sessions"] == 1 and out["participants"] == 0 and out["attendance_rate"] is None
    assert out["person_hours"] == 0
    empty = compute.trainings(frame([], TRAINING_COLS), members(), None, REF, MIN_AGE, MAX_AGE)
    assert empty["sessions"] == 0 and empty["hours"] == 0 and empty["attendance_rate"] is None


# ---------------------------------------------------------------- mentoring

SESSION_COLS = ["session_id", "project_id", "date", "duration_minutes", "item_id", "due_date", "done_date"]


def test_mentoring():
    rows = frame([
        (1, 1, dt.date(2025, 2, 1), 90, 10, dt.date(2025, 3, 1), None),                # open, overdue
        (1, 1, dt.date(2025, 2, 1), 90, 11, dt.date(2025, 9, 1), None),                # open, not due
        (2, 1, dt.date(2025, 6, 1), 60, 12, dt.date(2025, 6, 10), dt.date(2025, 6, 9)),  # done
        (3, 2, dt.date(2025, 3, 1), 30, None, None, None),
        (4, 2, dt.date(2024, 12, 1), 45, 13, None, dt.date(2025, 7, 5)),               # done after ref: open
        (5, 3, dt.date(2025, 8, 1), 60, 14, dt.date(2025, 8, 2), None),                # after ref: ignored
    ], SESSION_COLS)
    projs = projects((1, 1, "digital", "active", None, None), (2, 1, "digital", "active", None, None),
                     (3, 1, "digital", "dropped", None, None), (4, 1, "digital", "active", None, None))
    out = compute.mentoring(rows, projs, dt.date(2025, 1, 1), REF)
    assert out == {
        "sessions": 3,
        "hours": D("3.00"),
        "projects_mentored": 2,
        "median_sessions_per_project": 0.5,   # counts 2, 1, 0, 0
        "projects_without_session_60d": 2,    # projects 2 and 4 (3 is dropped)
        "open_action_items": 3,
        "overdue_action_items": 1,
    }


def test_mentoring_no_projects():
    out = compute.mentoring(frame([], SESSION_COLS), projects(), None, REF)
    assert out["median_sessions_per_project"] is None and out["sessions"] == 0


# ---------------------------------------------------------------- milestones

MILESTONE_COLS = ["id", "project_id", "category", "planned_date", "status", "achieved_date"]


def test_milestones_planned_achieved_late_dropped():
    rows = frame([
        (1, 1, "prototype", dt.date(2025, 3, 1), "achieved", dt.date(2025, 2, 20)),   # on time
        (2, 1, "prototype", dt.date(2025, 3, 1), "achieved", dt.date(2025, 4, 1)),    # late achievement
        (3, 1, "first_sale", dt.date(2025, 5, 1), "in_progress", None),               # late
        (4, 1, "funding", dt.date(2025, 5, 1), "dropped", None),                      # dropped, not late
        (5, 1, "hiring", dt.date(2025, 9, 1), "achieved", dt.date(2025, 6, 1)),       # early, in window
        (6, 1, "hiring", dt.date(2025, 9, 1), "planned", None),                       # future: not counted
        (7, 1, "other", dt.date(2025, 6, 30), "planned", None),                       # due today: not late
    ], MILESTONE_COLS)
    out = compute.milestones(rows, dt.date(2025, 1, 1), REF)
    assert {k: out[k] for k in ("planned", "achieved", "achieved_on_time", "late", "dropped")} == {
        "planned": 6, "achieved": 3, "achieved_on_time": 2, "late": 1, "dropped": 1}
    assert out["achievement_rate"] == 3 / 5
    assert out["by_category"]["prototype"] == {"planned": 2, "achieved": 2}
    assert out["by_category"]["hiring"] == {"planned": 1, "achieved": 1}
    assert out["by_category"]["certification"] == {"planned": 0, "achieved": 0}


def test_milestones_all_dropped_rate_is_none():
    rows = frame([(1, 1, "other", dt.date(2025, 1, 1), "dropped", None)], MILESTONE_COLS)
    out = compute.milestones(rows, None, REF)
    assert out["planned"] == 1 and out["dropped"] == 1 and out["achievement_rate"] is None


# ---------------------------------------------------------------- indicators

CATALOGUE = frame([
    (1, "revenue", "MAD", "flow", False, 1),
    (2, "employees", "count", "stock", True, 2),
    (3, "unused", "count", "flow", False, 3),
], ["id", "code", "unit", "kind", "disaggregated", "sort_order"])
TARGET_COLS = ["project_id", "indicator_id", "baseline_value", "target_value"]
VALUE_COLS = ["project_id", "indicator_id", "period_end", "status", "cell", "value"]
Q1, Q2, Q3 = dt.date(2025, 3, 31), dt.date(2025, 6, 30), dt.date(2025, 9, 30)


def _values():
    return frame([
        (1, 1, Q1, "approved", "total", D("100")),
        (1, 1, Q2, "approved", "total", D("50")),
        (2, 1, Q2, "submitted", "total", D("1000")),   # counts only with include_submitted
        (2, 1, Q1, "returned", "total", D("7777")),    # never counts
        (2, 1, Q1, "draft", "total", D("8888")),       # never counts
        (1, 1, Q3, "approved", "total", D("9999")),    # after the window
        (1, 2, Q1, "approved", "women_youth", D("2")),
        (1, 2, Q1, "approved", "men_other", D("1")),
        (1, 2, Q2, "approved", "women_youth", D("3")),  # latest stock of project 1: 3 + 2
        (1, 2, Q2, "approved", "men_youth", D("2")),
        (2, 2, Q1, "approved", "not_stated", D("4")),   # project 2's latest stock
    ], VALUE_COLS)


def _targets():
    return frame([(1, 1, D("0"), D("300")), (2, 1, D("50"), None), (1, 2, D("1"), D("11")), (2, 2, None, D("4"))],
                 TARGET_COLS)


def test_indicators_flow_sum_stock_latest_approved_only():
    out = compute.indicators(CATALOGUE, _targets(), _values(), None, REF)
    assert [i["code"] for i in out] == ["revenue", "employees"]
    revenue, employees = out
    assert revenue == {"code": "revenue", "unit": "MAD", "kind": "flow", "baseline": D("50"), "target": D("300"),
                       "actual": D("150"), "progress": 0.4, "projects_reporting": 1, "cells": {}}
    assert employees["projects_reporting"] == 2
    assert employees["baseline"] == D("1") and employees["target"] == D("15")
    assert employees["actual"] == D("9")
    assert employees["progress"] == pytest.approx(8 / 14)
    assert employees["cells"] == {"women_youth": D("3"), "women_other": D("0"), "men_youth": D("2"),
                                  "men_other": D("0"), "not_stated": D("4")}


def test_indicators_include_submitted_and_window_cutting_a_period():
    with_submitted = compute.indicators(CATALOGUE, _targets(), _values(), None, REF, include_submitted=True)
    assert with_submitted[0]["actual"] == D("1150")
    # window starting after Q1 ends: only Q2 values count; the stock of project 2 (Q1 only) drops out
    q2_only = compute.indicators(CATALOGUE, _targets(), _values(), dt.date(2025, 4, 1), REF)
    assert q2_only[0]["actual"] == D("50")
    assert q2_only[1]["actual"] == D("5")


def test_indicators_no_values_and_equal_baseline_target():
    targets = frame([(1, 1, D("10"), D("10"))], TARGET_COLS)
    out = compute.indicators(CATALOGUE, targets, frame([], VALUE_COLS), None, REF)
    assert out == [{"code": "revenue", "unit": "MAD", "kind": "flow", "baseline": D("10"), "target": D("10"),
                    "actual": None, "progress": None, "projects_reporting": 0, "cells": {}}]


PERCENT_CATALOGUE = frame([(4, "gross_margin", "percent", "stock", False, 1)], CATALOGUE.columns)


def test_percent_indicator_is_the_mean_over_the_projects_reporting_it():
    """83 % would be the sum 24.2 + 37.5 + 21.3: a margin is averaged over the projects that report one."""
    values = frame([
        (1, 4, Q1, "approved", "total", D("30")),
        (1, 4, Q2, "approved", "total", D("24.2")),  # stock: project 1's latest
        (2, 4, Q2, "approved", "total", D("37.5")),
        (3, 4, Q1, "approved", "total", D("21.3")),
        (4, 4, Q1, "draft", "total", D("99")),  # not counted: project 4 does not report
    ], VALUE_COLS)
    targets = frame([(1, 4, D("20"), D("40")), (2, 4, D("30"), D("50")), (4, 4, None, D("45"))], TARGET_COLS)
    [margin] = compute.indicators(PERCENT_CATALOGUE, targets, values, None, REF)
    assert margin["projects_reporting"] == 3
    assert margin["actual"] == D("27.67")  # (24.2 + 37.5 + 21.3) / 3, to the cent
    assert margin["baseline"] == D("25.00") and margin["target"] == D("45.00")  # means of the targets set
    assert margin["progress"] == pytest.approx((27.67 - 25) / (45 - 25))


def _trend_cohorts():
    return frame([(1, dt.date(2025, 1, 1), dt.date(2025, 12, 31), "quarterly")],
                 ["id", "start_date", "end_date", "reporting_frequency"])


def _labelled(values):
    labels = {Q1: "2025-T1", Q2: "2025-T2", Q3: "2025-T3"}
    return frame([(*row, labels[row[2]]) for row in values.itertuples(index=False)], [*VALUE_COLS, "period_label"])


def test_trends_period_by_period_with_cumulative_progress():
    out = compute.trends(CATALOGUE, _targets(), _labelled(_values()), _trend_cohorts(), None, REF)
    assert [t["code"] for t in out] == ["revenue", "employees"]
    revenue, employees = out
    assert [p["period"] for p in revenue["periods"]] == ["2025-T1", "2025-T2"]  # periods ending by REF
    assert [(p["value"], p["cumulative"]) for p in revenue["periods"]] == [(D("100"), D("100")), (D("50"), D("150"))]
    assert [p["progress"] for p in revenue["periods"]] == [pytest.approx(50 / 250), 0.4]
    # stock: each project's latest value as of the period's end (project 2 keeps its Q1 value in Q2)
    assert [(p["value"], p["cumulative"]) for p in employees["periods"]] == [(D("7"), D("7")), (D("5"), D("9"))]
    assert [p["projects_reporting"] for p in employees["periods"]] == [2, 1]
    # the last period's cumulative figure is the report's actual
    report = compute.indicators(CATALOGUE, _targets(), _values(), None, REF)
    assert [t["periods"][-1]["cumulative"] for t in out] == [i["actual"] for i in report]


def test_trends_keep_calendar_periods_without_values_and_window():
    values = frame([(1, 1, Q1, "approved", "total", D("100"), "2025-T1")], [*VALUE_COLS, "period_label"])
    out = compute.trends(CATALOGUE, _targets(), values, _trend_cohorts(), None, dt.date(2025, 10, 1))
    revenue = out[0]
    assert [p["period"] for p in revenue["periods"]] == ["2025-T1", "2025-T2", "2025-T3"]
    assert [p["value"] for p in revenue["periods"]] == [D("100"), None, None]
    assert [p["cumulative"] for p in revenue["periods"]] == [D("100")] * 3
    later = compute.trends(CATALOGUE, _targets(), values, _trend_cohorts(), dt.date(2025, 4, 1), dt.date(2025, 10, 1))
    assert [p["period"] for p in later[0]["periods"]] == ["2025-T2", "2025-T3"]
    assert [p["cumulative"] for p in later[0]["periods"]] == [None, None]


def test_percent_trend_is_a_mean():
    values = frame([(1, 4, Q1, "approved", "total", D("20"), "2025-T1"),
                    (2, 4, Q1, "approved", "total", D("30"), "2025-T1"),
                    (1, 4, Q2, "approved", "total", D("40"), "2025-T2")], [*VALUE_COLS, "period_label"])
    [margin] = compute.trends(PERCENT_CATALOGUE, frame([], TARGET_COLS), values, _trend_cohorts(), None, REF)
    assert [(p["value"], p["cumulative"], p["projects_reporting"]) for p in margin["periods"]] == [
        (D("25.00"), D("25.00"), 2), (D("40.00"), D("35.00"), 1)]


# ---------------------------------------------------------------- completeness

def test_completeness_owed_submitted_approved():
    cohorts = frame([(1, dt.date(2025, 1, 1), dt.date(2025, 12, 31), "quarterly")],
                    ["id", "start_date", "end_date", "reporting_frequency"])
    projs = projects((1, 1, "digital", "active", None, None), (2, 1, "digital", "active", None, None),
                     (3, 1, "digital", "dropped", None, None))
    reports = frame([
        (1, "2025-T1", "approved", dt.datetime(2025, 4, 2)),
        (2, "2025-T1", "draft", dt.datetime(2025, 4, 3)),    # returned then back to draft: ever submitted
        (1, "2025-T2", "submitted", dt.datetime(2025, 7, 2)),
        (2, "2025-T2", "draft", None),
        (3, "2025-T1", "approved", dt.datetime(2025, 4, 2)),  # dropped project: owes nothing
    ], ["project_id", "period_label", "status", "submitted_at"])
    out = compute.completeness(cohorts, projs, reports, None, REF)
    assert out == [
        {"period": "2025-T1", "owed": 2, "submitted": 2, "approved": 1},
        {"period": "2025-T2", "owed": 2, "submitted": 1, "approved": 0},
    ]
    assert compute.completeness(cohorts, projs, reports, dt.date(2025, 4, 1), REF) == out[1:]
    assert compute.completeness(cohorts, projs, reports, None, dt.date(2025, 6, 29)) == out[:1]
