"""The validation rules on hand-built facts (tracker/periods/validation.py): each fires at its threshold and
stays silent just below it. No database: indicators are built in memory."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from flask_babel import force_locale

from tracker.indicators.models import Indicator, IndicatorKind, Unit
from tracker.periods import validation
from tracker.periods.calendar import Period
from tracker.periods.entries import IndicatorEntry
from tracker.periods.models import Cell, ReportStatus
from tracker.periods.validation import Earlier, Facts, Severity

T2 = Period("2025-T2", dt.date(2025, 4, 1), dt.date(2025, 6, 30))
REVENUE = Indicator(id=1, code="revenue", name_fr="CA", unit=Unit.MAD, kind=IndicatorKind.FLOW, disaggregated=False,
                    allow_negative=False)
OUTLETS = Indicator(id=2, code="sales_outlets", name_fr="Points de vente", unit=Unit.COUNT, kind=IndicatorKind.STOCK,
                    disaggregated=False, allow_negative=False)
JOBS = Indicator(id=3, code="jobs_created", name_fr="Emplois", unit=Unit.COUNT, kind=IndicatorKind.FLOW,
                 disaggregated=True, allow_negative=False)
NET = Indicator(id=4, code="net_jobs", name_fr="Solde d'emplois", unit=Unit.COUNT, kind=IndicatorKind.FLOW,
                disaggregated=True, allow_negative=True)
TRAINED = Indicator(id=5, code="people_trained", name_fr="Personnes formées", unit=Unit.COUNT,
                    kind=IndicatorKind.FLOW, disaggregated=True, allow_negative=False)
ALL = [REVENUE, OUTLETS, JOBS, NET, TRAINED]


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


def d(value) -> Decimal:
    return Decimal(str(value))


def single(value) -> IndicatorEntry:
    return IndicatorEntry({Cell.TOTAL: d(value)})


def split(typed_total=None, **cells) -> IndicatorEntry:
    return IndicatorEntry({Cell(name): d(v) for name, v in cells.items()}, typed_total=None if typed_total is None
                          else d(typed_total))


def earlier(label="2025-T1", **entries) -> Earlier:
    return Earlier(label, dt.date(2025, 1, 1), dt.date(2025, 3, 31), ReportStatus.APPROVED, dict(entries))


def facts(entries, earlier_reports=(), team=1, forum=None) -> Facts:
    return Facts(period=T2, indicators=ALL, entries=entries, forum_date=forum, team_size=team,
                 earlier=list(earlier_reports))


def codes(found) -> list[str]:
    return [f.code for f in found]


def test_every_rule_is_declared_once_with_a_severity_and_translated_words(app):
    assert list(validation.RULES) == ["cell_above_total", "cells_not_total", "jobs_implausible", "stock_drop",
                                      "flow_jump", "before_forum"]
    assert {r.code for r in validation.RULES.values() if r.severity == Severity.ERROR} == {
        "cell_above_total", "cells_not_total"}
    for rule in validation.RULES.values():
        with force_locale("ar"):
            arabic = str(rule.message)
        assert arabic != str(rule.message), f"{rule.code} has no Arabic text"
        assert set(re.findall(r"%\((\w+)\)s", arabic)) == set(re.findall(r"%\((\w+)\)s", str(rule.message))), rule.code


# ---------------------------------------------------------------- arithmetic

def test_a_cell_above_the_typed_total_blocks_on_that_cell():
    found = validation.check(facts({TRAINED.id: split(typed_total=4, women_youth=5, men_other=1)}))
    assert [(f.code, f.cell, f.blocks) for f in found] == [("cell_above_total", Cell.WOMEN_YOUTH, True)]
    assert "5" in found[0].message and "4" in found[0].message and "Femmes jeunes" in found[0].message


def test_cells_equal_to_the_typed_total_pass_and_a_cell_may_equal_it():
    assert validation.check(facts({TRAINED.id: split(typed_total=4, women_youth=4)})) == []
    assert validation.check(facts({TRAINED.id: split(typed_total=5, women_youth=3, men_other=2)})) == []


@pytest.mark.parametrize("cells, total", [({"women_youth": 2, "men_other": 2}, 5),
                                          ({"women_youth": 3, "men_other": 3}, 5), ({}, 5)])
def test_cells_adding_up_to_another_total_block_on_the_total(cells, total):
    found = validation.check(facts({TRAINED.id: split(typed_total=total, **cells)}))
    assert [(f.code, f.on_total, f.cell) for f in found] == [("cells_not_total", True, None)]


def test_a_stored_total_row_beside_the_cells_is_checked_like_a_typed_one():
    entry = IndicatorEntry({Cell.TOTAL: d(3), Cell.WOMEN_OTHER: d(4)})
    assert codes(validation.check(facts({TRAINED.id: entry}))) == ["cell_above_total"]
    assert validation.check(facts({TRAINED.id: IndicatorEntry({Cell.TOTAL: d(4), Cell.WOMEN_OTHER: d(4)})})) == []


def test_a_net_figure_may_split_above_its_total_but_must_still_add_up():
    assert validation.check(facts({NET.id: split(typed_total=2, women_youth=5, men_other=-3)})) == []
    assert codes(validation.check(facts({NET.id: split(typed_total=2, women_youth=5, men_other=-2)}))) == [
        "cells_not_total"]


def test_no_typed_total_means_nothing_to_check_and_plain_indicators_have_none():
    assert validation.check(facts({TRAINED.id: split(women_youth=4), REVENUE.id: single(10)})) == []


# ---------------------------------------------------------------- plausibility

def test_jobs_above_twice_the_team_and_earlier_jobs_warn():
    history = [earlier()]
    history[0].entries[JOBS.id] = split(women_youth=3)  # 3 jobs created before
    # team 2 + 3 earlier jobs = 5 people: above 10 warns
    found = validation.check(facts({JOBS.id: split(women_youth=6, men_other=5)}, history, team=2))
    assert [(f.code, f.blocks) for f in found] == [("jobs_implausible", False)]
    assert dict(found[0].params) == {"value": d(11), "limit": d(10), "team": 2, "previous": d(3)}
    assert validation.check(facts({JOBS.id: split(women_youth=6, men_other=4)}, history, team=2)) == []


def test_a_small_team_may_create_up_to_the_floor_without_a_warning():
    assert validation.check(facts({JOBS.id: split(women_youth=5)}, team=1)) == []
    assert codes(validation.check(facts({JOBS.id: split(women_youth=6)}, team=1))) == ["jobs_implausible"]


def test_the_jobs_rule_is_for_the_jobs_created_indicator_only():
    assert validation.check(facts({NET.id: split(women_youth=50)}, team=1)) == []


def test_a_stock_falling_below_half_of_the_latest_earlier_value_warns():
    history = [earlier("2024-T4"), earlier("2025-T1")]
    history[0].entries[OUTLETS.id] = single(100)
    history[1].entries[OUTLETS.id] = single(40)  # the latest earlier value is the one compared
    assert codes(validation.check(facts({OUTLETS.id: single("19.99")}, history))) == ["stock_drop"]
    assert validation.check(facts({OUTLETS.id: single(20)}, history)) == []


def test_a_flow_above_five_times_the_latest_earlier_value_warns():
    history = [earlier()]
    history[0].entries[REVENUE.id] = single(1000)
    found = validation.check(facts({REVENUE.id: single("5000.01")}, history))
    assert codes(found) == ["flow_jump"]
    assert dict(found[0].params)["period"] == "2025-T1"
    assert validation.check(facts({REVENUE.id: single(5000)}, history)) == []


def test_trends_need_a_positive_earlier_value():
    history = [earlier()]
    history[0].entries[REVENUE.id] = single(0)
    history[0].entries[OUTLETS.id] = single(0)
    assert validation.check(facts({REVENUE.id: single(90000), OUTLETS.id: single(0)}, history)) == []
    assert validation.check(facts({REVENUE.id: single(90000)})) == []  # no earlier period at all


def test_figures_for_a_period_ended_before_the_forum_warn_once_for_the_report():
    before = validation.check(facts({REVENUE.id: single(10), OUTLETS.id: single(2)}, forum=dt.date(2025, 7, 1)))
    assert [(f.code, f.indicator_id) for f in before] == [("before_forum", None)]
    assert validation.check(facts({REVENUE.id: single(10)}, forum=dt.date(2025, 6, 30))) == []
    assert validation.check(facts({}, forum=dt.date(2025, 7, 1))) == []  # nothing reported: nothing to warn


def test_limits_state_the_same_bounds_the_rules_apply():
    history = [earlier()]
    history[0].entries[REVENUE.id] = single(1000)
    history[0].entries[OUTLETS.id] = single(9)
    bounds = {(lim.code, lim.indicator_id): lim.bounds for lim in validation.limits(facts({}, history, team=3))}
    assert bounds == {("flow_jump", REVENUE.id): {"above": "5000"}, ("stock_drop", OUTLETS.id): {"below": "4.5"},
                      ("jobs_implausible", JOBS.id): {"above": "6"}}


def test_messages_put_numbers_and_labels_in_isolates_for_arabic():
    history = [earlier()]
    history[0].entries[REVENUE.id] = single(1000)
    finding = validation.check(facts({REVENUE.id: single(9000)}, history))[0]
    with force_locale("ar"):
        text = finding.message
    assert "\u2068الربع الأول 2025\u2069" in text and "\u20689" in text
    assert text != finding.message
