"""The validation rules where people meet them (issue 14 item 7): each rule fires, and does not, in the
holder's report form and on the reviewer's page, rendered in French and in Arabic.

The report is 2025-T2 of the Actors cohort (quarterly from 2025-01-01); earlier figures sit in an approved
2025-T1. Data set up by a test is committed before the requests (the outer transaction still rolls it back).
"""

import datetime as dt
import html
import re
from decimal import Decimal

import lxml.html
import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from freezegun import freeze_time

from tests.factories import MemberFactory
from tests.indicators.factories import IndicatorFactory, TargetFactory
from tests.periods.conftest import report_count, state_of
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tracker.extensions import db
from tracker.indicators.models import IndicatorKind, Unit
from tracker.periods.models import Cell, IndicatorValue, PeriodReport, ReportStatus
from tracker.periods.validation import RULES

TODAY = dt.date(2025, 7, 10)
T2 = {"period_label": "2025-T2", "period_start": dt.date(2025, 4, 1), "period_end": dt.date(2025, 6, 30)}
CELLS = ("women_youth", "women_other", "men_youth", "men_other", "not_stated")
LOCALES = ("fr", "ar")


@pytest.fixture(autouse=True)
def _today():
    with freeze_time(TODAY):
        yield


class Figures:
    """Three indicators with targets on the holder's project: a flow, a stock and the jobs created."""

    def __init__(self, actors):
        self.actors = actors
        self.revenue = IndicatorFactory(code="v_revenue", unit=Unit.MAD, kind=IndicatorKind.FLOW)
        self.outlets = IndicatorFactory(code="v_outlets", kind=IndicatorKind.STOCK)
        self.jobs = IndicatorFactory(code="jobs_created", disaggregated=True)
        for indicator in (self.revenue, self.outlets, self.jobs):
            TargetFactory(project=actors.project, indicator=indicator, target_value=Decimal(500))
        db.session.flush()

    def earlier(self, **values):
        """An approved 2025-T1 holding these totals."""
        report = PeriodReportFactory(project=self.actors.project, status=ReportStatus.APPROVED,
                                     submitted_by=self.actors.holder)
        for name, value in values.items():
            IndicatorValueFactory(report=report, indicator=getattr(self, name), value=Decimal(value))
        return report


@pytest.fixture
def figures(actors):
    return Figures(actors)


# Each scenario prepares what the rule looks at and returns the figures of the 2025-T2 report:
# {"revenue": …, "outlets": …, "jobs": {cell: …}, "total": control total of the jobs}.

def _cell_above_total(f: Figures, fires: bool) -> dict:
    return {"jobs": {"women_youth": 6 if fires else 3, "men_other": 1 if fires else 2}, "total": 5}


def _cells_not_total(f: Figures, fires: bool) -> dict:
    return {"jobs": {"women_youth": 2, "men_other": 2 if fires else 3}, "total": 5}


def _jobs_implausible(f: Figures, fires: bool) -> dict:
    MemberFactory(project=f.actors.project)  # a team of two with the lead: up to max(5, 2 × 2) = 5 jobs
    return {"jobs": {"women_youth": 3, "men_youth": 3 if fires else 2}}


def _stock_drop(f: Figures, fires: bool) -> dict:
    f.earlier(outlets=40)
    return {"outlets": 15 if fires else 25}


def _flow_jump(f: Figures, fires: bool) -> dict:
    f.earlier(revenue=1000)
    return {"revenue": 6000 if fires else 4000}


def _before_forum(f: Figures, fires: bool) -> dict:
    f.actors.cohort.forum_date = dt.date(2025, 7, 5) if fires else dt.date(2025, 6, 1)
    return {"revenue": 100}


SCENARIOS = {
    "cell_above_total": _cell_above_total,
    "cells_not_total": _cells_not_total,
    "jobs_implausible": _jobs_implausible,
    "stock_drop": _stock_drop,
    "flow_jump": _flow_jump,
    "before_forum": _before_forum,
}
ARITHMETIC = ("cell_above_total", "cells_not_total")
CASES = [(code, locale, fires) for code in SCENARIOS for locale in LOCALES for fires in (True, False)]


def test_every_rule_has_a_scenario():
    assert set(SCENARIOS) == set(RULES)


def _post_data(f: Figures, typed: dict) -> dict:
    data = {"version": "", "action": "save", "highlights": "Trimestre de test.", "difficulties": "",
            "support_needed": "", f"v_{f.revenue.id}_total": str(typed.get("revenue", "")),
            f"v_{f.outlets.id}_total": str(typed.get("outlets", "")), f"t_{f.jobs.id}": str(typed.get("total", ""))}
    for indicator in (f.revenue, f.outlets, f.jobs):
        data[f"c_{indicator.id}"] = ""
    for cell in CELLS:
        data[f"v_{f.jobs.id}_{cell}"] = str(typed.get("jobs", {}).get(cell, ""))
    return data


def _store(f: Figures, typed: dict, status=ReportStatus.SUBMITTED) -> PeriodReport:
    """The figures as a report holds them; a control total becomes a `total` row beside the cells, as a
    report written by another path (an older version, a script) would hold it."""
    report = PeriodReportFactory(project=f.actors.project, status=status, submitted_by=f.actors.holder,
                                 submitted_at=dt.datetime(2025, 7, 5, 9, tzinfo=dt.UTC), **T2)
    for name in ("revenue", "outlets"):
        if name in typed:
            IndicatorValueFactory(report=report, indicator=getattr(f, name), value=Decimal(typed[name]))
    for cell, value in typed.get("jobs", {}).items():
        IndicatorValueFactory(report=report, indicator=f.jobs, cell=Cell(cell), value=Decimal(value))
    if "total" in typed:
        IndicatorValueFactory(report=report, indicator=f.jobs, cell=Cell.TOTAL, value=Decimal(typed["total"]))
    return report


def _words(app, code: str, locale: str) -> str:
    """The longest run of words of the rule's message in `locale` (placeholders cut out)."""
    with app.test_request_context(), force_locale(locale):
        template = str(RULES[code].message)
    return max((part.strip() for part in re.split(r"%\(\w+\)s", template)), key=len)


def _title(app, code: str, locale: str) -> str:
    with app.test_request_context(), force_locale(locale):
        return str(RULES[code].title)


def _page(response):
    assert response.status_code == 200, response.status_code
    text = response.get_data(as_text=True)
    return lxml.html.fromstring(text), html.unescape(text)


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _in_language(client, locale):
    client.post("/language", data={"locale": locale})
    return client


def _check_language(tree, locale):
    assert tree.get("lang") == locale and tree.get("dir") == ("rtl" if locale == "ar" else "ltr")


# ---------------------------------------------------------------- the holder's form

@pytest.mark.parametrize("code, locale, fires", CASES)
def test_rule_in_the_holder_form(app, actors, figures, login_as, code, locale, fires):
    typed = SCENARIOS[code](figures, fires)
    db.session.commit()
    client = _in_language(login_as("holder"), locale)
    url = f"/period-reports/projects/{actors.project.id}/2025-T2"
    response = client.post(url, data=_post_data(figures, typed))
    words = _words(app, code, locale)

    if code in ARITHMETIC:
        if fires:  # blocks: nothing saved, the message next to the field at fault
            tree, _ = _page(response)
            _check_language(tree, locale)
            assert report_count() == 0
            field = f"v_{figures.jobs.id}_women_youth" if code == "cell_above_total" else f"t_{figures.jobs.id}"
            assert words in _text(tree.get_element_by_id(f"{field}-errors"))
            assert tree.get_element_by_id(field).get("aria-invalid") == "true"
        else:
            assert response.status_code == 302
            report = db.session.scalar(sa.select(PeriodReport).where(PeriodReport.project_id == actors.project.id))
            cells = set(db.session.scalars(sa.select(IndicatorValue.cell).where(
                IndicatorValue.report_id == report.id, IndicatorValue.indicator_id == figures.jobs.id)))
            assert cells == {Cell.WOMEN_YOUTH, Cell.MEN_OTHER}  # the control total is never stored
        return

    assert response.status_code == 302, "a warning never blocks saving"
    tree, _ = _page(client.get(url))
    _check_language(tree, locale)
    shown = [e for e in tree.xpath(f"//*[@data-finding='{code}' or @data-limit='{code}']") if e.get("hidden") is None]
    if fires:
        assert len(shown) == 1
        assert words in _text(shown[0]) and _title(app, code, locale) in _text(shown[0])
    else:
        assert shown == []


def test_a_warning_does_not_block_submission(actors, figures, login_as):
    typed = _flow_jump(figures, True)
    db.session.commit()
    response = login_as("holder").post(f"/period-reports/projects/{actors.project.id}/2025-T2",
                                       data=dict(_post_data(figures, typed), action="submit"))
    assert response.status_code == 302
    report = db.session.scalar(sa.select(PeriodReport).where(PeriodReport.period_label == "2025-T2"))
    assert report.status == ReportStatus.SUBMITTED
    # read-only now: the holder still sees what the reviewer will see
    tree, _ = _page(login_as("holder").get(f"/period-reports/projects/{actors.project.id}/2025-T2"))
    assert tree.xpath("//form[@id='report-form']") == []
    assert len(tree.xpath("//section[@id='checks']//*[@data-finding='flow_jump']")) == 1


def test_an_arithmetic_error_blocks_submission(actors, figures, login_as):
    typed = _cell_above_total(figures, True)
    db.session.commit()
    response = login_as("holder").post(f"/period-reports/projects/{actors.project.id}/2025-T2",
                                       data=dict(_post_data(figures, typed), action="submit"))
    assert response.status_code == 200 and report_count() == 0


def test_the_hint_carries_the_bound_and_the_words_for_the_script(app, actors, figures, login_as):
    figures.earlier(revenue=1000)
    db.session.commit()
    tree, _ = _page(login_as("holder").get(f"/period-reports/projects/{actors.project.id}/2025-T2"))
    hint = tree.xpath("//*[@data-limit='flow_jump']")[0]
    assert hint.get("hidden") is not None and hint.get("data-above") == "5000.00"
    assert "__VALUE__" in hint.get("data-message") and _words(app, "flow_jump", "fr") in hint.get("data-message")
    assert tree.xpath(f"//input[@name='t_{figures.jobs.id}']")[0].get("data-cell") is None  # not one of the cells


# ---------------------------------------------------------------- the reviewer's page

@pytest.mark.parametrize("code, locale, fires", CASES)
def test_rule_on_the_review_page(app, actors, figures, login_as, code, locale, fires):
    report = _store(figures, SCENARIOS[code](figures, fires))
    db.session.commit()
    client = _in_language(login_as("staff"), locale)
    tree, _ = _page(client.get(f"/period-reports/{report.id}/review"))
    _check_language(tree, locale)
    listed = tree.xpath(f"//section[@id='checks']//*[@data-finding='{code}']")
    approve = tree.xpath("//button[@name='decision'][@value='approve']")
    if fires:
        assert len(listed) == 1
        assert _words(app, code, locale) in _text(listed[0]) and _title(app, code, locale) in _text(listed[0])
        flagged = tree.xpath("//tbody[@data-indicator-id]//td[@data-flagged]")
        assert len(flagged) == (0 if code == "before_forum" else 1)
        assert (approve == []) == (code in ARITHMETIC), "only arithmetic keeps the reviewer from approving"
    else:
        assert listed == [] and len(approve) == 1


def test_approving_figures_that_do_not_add_up_is_refused(actors, figures, login_as):
    report = _store(figures, _cell_above_total(figures, True))
    db.session.commit()
    before = state_of(report.id)
    response = login_as("staff").post(f"/period-reports/{report.id}/review",
                                      data={"decision": "approve", "version": str(report.version), "comment": ""})
    assert response.status_code == 200
    assert "ne concordent pas" in html.unescape(response.get_data(as_text=True))
    assert state_of(report.id) == before
