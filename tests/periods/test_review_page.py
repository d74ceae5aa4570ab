"""What the reviewer sees beside a report (issue 14 item 7): the project's earlier periods side by side with
this one and the target, and what changed since the report was returned, read from the audit trail
(tracker/periods/history.py, which replaced the view's own audit query: issue 16 item 5)."""

import datetime as dt
import html
from decimal import Decimal

import lxml.html
import pytest
from freezegun import freeze_time

from tests.periods.conftest import T1, entries
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tracker.extensions import db
from tracker.periods import history, workflow
from tracker.periods.models import Cell, ReportStatus
from tracker.periods.services import get_report, report_indicators

AFTER_T1 = dt.date(2025, 4, 10)


def _quarter(year, q):
    start = dt.date(year, 3 * q - 2, 1)
    end = (dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1))
    return {"period_label": f"{year}-T{q}", "period_start": start, "period_end": end}


def _tree(response):
    assert response.status_code == 200
    return lxml.html.fromstring(response.get_data(as_text=True))


def _text(element) -> str:
    return " ".join(element.text_content().split())


# ---------------------------------------------------------------- earlier periods side by side

@freeze_time(dt.date(2026, 4, 10))
def test_earlier_periods_stand_beside_this_one_with_the_target(actors, indicators, login_as):
    project = actors.project
    for q, status, revenue in ((1, ReportStatus.APPROVED, 100), (2, ReportStatus.APPROVED, 200),
                               (3, ReportStatus.SUBMITTED, 300), (4, ReportStatus.APPROVED, 400)):
        report = PeriodReportFactory(project=project, status=status, submitted_by=actors.holder, **_quarter(2025, q))
        IndicatorValueFactory(report=report, indicator=indicators.revenue, value=Decimal(revenue))
        IndicatorValueFactory(report=report, indicator=indicators.jobs, cell=Cell.WOMEN_YOUTH, value=Decimal(q))
    PeriodReportFactory(project=project, status=ReportStatus.RETURNED, **_quarter(2026, 2))  # later: not shown
    current = PeriodReportFactory(project=project, status=ReportStatus.SUBMITTED, submitted_by=actors.holder,
                                  **_quarter(2026, 1))
    IndicatorValueFactory(report=current, indicator=indicators.revenue, value=Decimal(450))
    db.session.commit()

    tree = _tree(login_as("staff").get(f"/period-reports/{current.id}/review"))
    table = tree.get_element_by_id("comparison")
    periods = [th.get("data-period") for th in table.xpath(".//thead//th[@data-period]")]
    assert periods == ["2025-T2", "2025-T3", "2025-T4", "2026-T1"]  # the three latest earlier ones, then this one
    revenue = table.xpath(f".//tbody[@data-indicator-id='{indicators.revenue.id}']/tr[@data-row='total']")[0]
    cells = [_text(td) for td in revenue.xpath("./td")]
    assert cells[:4] == ["200", "300", "400", "450"] and cells[4].startswith("100")  # … and the target
    jobs = table.xpath(f".//tbody[@data-indicator-id='{indicators.jobs.id}']")[0]
    women_youth = [_text(td) for td in jobs.xpath("./tr[th[contains(., 'Femmes jeunes')]]/td")]
    assert women_youth[:4] == ["2", "3", "4", "—"]


@freeze_time(AFTER_T1)
def test_a_first_report_has_no_earlier_column(actors, indicators, login_as):
    report = PeriodReportFactory(project=actors.project, status=ReportStatus.SUBMITTED, submitted_by=actors.holder)
    db.session.commit()
    tree = _tree(login_as("staff").get(f"/period-reports/{report.id}/review"))
    assert [th.get("data-period") for th in tree.xpath("//table[@id='comparison']//th[@data-period]")] == ["2025-T1"]
    assert tree.xpath("//section[@id='checks']//p")  # "nothing to report"


# ---------------------------------------------------------------- history

def _returned_then_corrected(actors, ind):
    """Saved and submitted by the holder, returned by staff, then corrected in two saves and resubmitted."""
    project = actors.project
    with freeze_time(AFTER_T1):
        report, _ = workflow.save_report(actors.holder, project, T1, entries(ind, revenue=1000,
                                         jobs={Cell.WOMEN_YOUTH: 2}), {"highlights": "Premier salon."}, "",
                                         submit=True)
        workflow.return_report(actors.staff, report, report.version, "Le chiffre d'affaires semble bas.")
        report, _ = workflow.save_report(actors.holder, project, T1, entries(ind, revenue=1500,
                                         jobs={Cell.WOMEN_YOUTH: 3}), {"highlights": "Premier salon."},
                                         report.version, report=report)
        report, _ = workflow.save_report(actors.holder, project, T1, entries(ind, revenue=1200,
                                         jobs={Cell.WOMEN_YOUTH: 2}, margin=12),
                                         {"highlights": "Premier salon, deux commandes."}, report.version,
                                         report=report, submit=True)
    db.session.commit()
    return report


def test_history_folds_the_changes_made_since_the_last_return(app, actors, indicators):
    report = _returned_then_corrected(actors, indicators)
    with app.test_request_context():
        result = history.report_history(report, report_indicators(report.project_id, report))
    assert [s.event.action for s in result.steps] == ["create", "submit", "return", "update", "edit", "update",
                                                      "submit"]
    assert result.returned.why == "Le chiffre d'affaires semble bas."
    changes = {c.key: (c.before_value, c.after_value) for c in result.since_return}
    assert changes == {  # the women-youth cell went 2 → 3 → 2: back where it was, so not listed
        "t_revenue.total": (Decimal("1000.00"), Decimal("1200.00")),
        "t_margin.total": (None, Decimal("12.00")),
        "highlights": ("Premier salon.", "Premier salon, deux commandes."),
    }
    revenue = next(c for c in result.since_return if c.key == "t_revenue.total")
    assert revenue.indicator == indicators.revenue and revenue.cell == Cell.TOTAL and revenue.is_figure


def test_a_report_never_returned_has_nothing_since_a_return(app, actors, indicators):
    with freeze_time(AFTER_T1):
        report, _ = workflow.save_report(actors.holder, actors.project, T1, entries(indicators, revenue=10), {}, "",
                                         submit=True)
    with app.test_request_context():
        result = history.report_history(report, [])
    assert result.returned is None and result.since_return == []
    assert [s.event.action for s in result.steps] == ["create", "submit"]


def test_history_is_one_query(app, actors, indicators, count_queries):
    report = _returned_then_corrected(actors, indicators)
    assert report.id  # loaded before counting
    with app.test_request_context(), count_queries() as queries:
        history.report_history(report, [])
    assert len(queries) == 1


@pytest.mark.parametrize("locale, title, now", [("fr", "Modifié depuis le renvoi", "Maintenant"),
                                                ("ar", "ما تغيّر منذ الإرجاع", "الآن")])
@freeze_time(AFTER_T1)
def test_the_review_page_shows_what_changed_since_the_return(actors, indicators, login_as, locale, title, now):
    report = _returned_then_corrected(actors, indicators)
    client = login_as("staff")
    client.post("/language", data={"locale": locale})
    response = client.get(f"/period-reports/{report.id}/review")
    tree = _tree(response)
    assert tree.get("lang") == locale
    section = tree.get_element_by_id("since-return")
    assert title in _text(section) and now in _text(section)
    assert "Le chiffre d'affaires semble bas." in _text(section)
    row = section.xpath(".//tr[@data-change='t_revenue.total']")[0]
    assert [_text(td) for td in row.xpath("./td")] == ["1 000" if locale == "fr" else "1,000",
                                                       "1 200" if locale == "fr" else "1,200"]
    assert indicators.revenue.name(locale) in _text(row)
    assert section.xpath(".//tr[@data-change='highlights']")
    # every step of the history is listed, the saves with what they changed
    steps = [li.get("data-action") for li in tree.xpath("//section[@aria-labelledby='history-title']/ol/li")]
    assert steps == ["create", "submit", "return", "update", "edit", "update", "submit"]
    assert html.unescape(response.get_data(as_text=True)).count("Premier salon, deux commandes.") >= 2


@freeze_time(AFTER_T1)
def test_a_returned_report_resubmitted_unchanged_says_so(actors, indicators, login_as):
    report, _ = workflow.save_report(actors.holder, actors.project, T1, entries(indicators, revenue=10), {}, "",
                                     submit=True)
    workflow.return_report(actors.staff, report, report.version, "Ajoutez un commentaire.")
    report, _ = workflow.save_report(actors.holder, actors.project, T1, entries(indicators, revenue=10), {},
                                     report.version, report=report, submit=True)
    db.session.commit()
    tree = _tree(login_as("staff").get(f"/period-reports/{get_report(report.id).id}/review"))
    section = tree.get_element_by_id("since-return")
    assert section.xpath(".//table") == [] and "n'a changé" in _text(section)


def test_changes_are_listed_in_the_report_order_figures_before_their_comment(app, actors, indicators):
    with freeze_time(AFTER_T1):
        report, _ = workflow.save_report(actors.holder, actors.project, T1, entries(indicators, revenue=10), {}, "",
                                         submit=True)
        workflow.return_report(actors.staff, report, report.version, "Détaillez.")
        report, _ = workflow.save_report(
            actors.holder, actors.project, T1,
            entries(indicators, revenue=20, jobs={Cell.MEN_OTHER: 1, Cell.WOMEN_YOUTH: 2}, margin=5,
                    comments={"revenue": "Nouveau client."}),
            {"highlights": "Salon.", "support_needed": "Un local."}, report.version, report=report, submit=True)
    with app.test_request_context():
        result = history.report_history(report, report_indicators(report.project_id, report))
    assert [c.key for c in result.since_return] == [
        "t_revenue.total", "t_revenue.comment", "t_jobs.women_youth", "t_jobs.men_other", "t_margin.total",
        "highlights", "support_needed"]
