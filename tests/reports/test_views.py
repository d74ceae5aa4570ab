"""The cohort report page: its figures are those of `cohort_report`, filters, banner, errors, links, queries.

The page's figure cells are read back from their `data-metric` / `data-value` attributes and compared with
the report dict computed in the test for the same filters, leaf by leaf, in both directions.
"""

import datetime as dt
from decimal import Decimal

import lxml.html
import pytest
import sqlalchemy as sa
from babel.numbers import format_decimal
from flask import url_for

from tests import factories
from tests.conftest import login
from tests.indicators.factories import IndicatorFactory, TargetFactory
from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
from tests.milestones.factories import MilestoneFactory
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tracker.extensions import db
from tracker.indicators.models import Unit
from tracker.milestones.models import MilestoneCategory, MilestoneStatus
from tracker.periods.models import Cell, ReportStatus
from tracker.projects.models import Member, ProjectStatus, Sector, Sex
from tracker.reports.services import cohort_report
from tracker.trainings.models import Attendance, Topic, Training

TO = dt.date(2025, 8, 15)
T1 = ("2025-T1", dt.date(2025, 1, 1), dt.date(2025, 3, 31))
T2 = ("2025-T2", dt.date(2025, 4, 1), dt.date(2025, 6, 30))
SKIPPED_KEYS = {"code", "unit", "kind"}  # labels, not figures


def _report(project, period, status, values=(), submitter=None):
    label, start, end = period
    report = PeriodReportFactory(project=project, period_label=label, period_start=start, period_end=end,
                                 status=status)
    if status != ReportStatus.DRAFT:
        report.submitted_at = dt.datetime(end.year, end.month, end.day, 12, tzinfo=dt.UTC)
    for indicator, cell, value in values:
        IndicatorValueFactory(report=report, indicator=indicator, cell=cell, value=Decimal(value))
    return report


class Known:
    """Two cohorts with hand-picked data; `cohort` is the one the tests look at."""

    def __init__(self):
        self.cohort = factories.CohortFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31))
        self.other = factories.CohortFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31))
        c = self.cohort
        self.p1 = factories.ProjectFactory(cohort=c, name="Atelier Argan Fictif", sector=Sector.LOCAL_PRODUCTS,
                                           lead__sex=Sex.F, lead__birth_date=dt.date(1999, 1, 1))
        self.p2 = factories.ProjectFactory(cohort=c, name="Serre Connectée Fictive", sector=Sector.AGRICULTURE,
                                           lead__sex=Sex.M, lead__birth_date=dt.date(1970, 1, 1))
        factories.MemberFactory(project=self.p2, sex=None, birth_date=None)
        self.p3 = factories.ProjectFactory(cohort=c, name="Projet En Pause Fictif", status=ProjectStatus.PAUSED)
        self.elsewhere = factories.ProjectFactory(cohort=self.other, name="Projet Autre Cohorte Fictif")
        leads = {m.project_id: m for m in db.session.scalars(sa.select(Member).where(Member.is_lead))}
        early = Training(cohort=c, title="Business plan", topic=Topic.BUSINESS_PLAN, date=dt.date(2025, 2, 10),
                         duration_hours=Decimal("12.5"))
        late = Training(cohort=c, title="Finance", topic=Topic.FINANCE, date=dt.date(2025, 6, 10),
                        duration_hours=Decimal("2.5"))
        db.session.add_all([early, late,
                            Attendance(training=early, member=leads[self.p1.id], present=True),
                            Attendance(training=late, member=leads[self.p1.id], present=False),
                            Attendance(training=late, member=leads[self.p2.id], present=True)])
        MentoringSessionFactory(project=self.p1, date=dt.date(2025, 3, 1), duration_minutes=90)
        ActionItemFactory(session=MentoringSessionFactory(project=self.p2, date=dt.date(2025, 7, 1),
                                                          duration_minutes=45), due_date=dt.date(2025, 7, 15))
        MilestoneFactory(project=self.p1, category=MilestoneCategory.PROTOTYPE, planned_date=dt.date(2025, 3, 1),
                         status=MilestoneStatus.ACHIEVED, achieved_date=dt.date(2025, 2, 20))
        MilestoneFactory(project=self.p2, planned_date=dt.date(2025, 5, 1))
        self.jobs = IndicatorFactory(code="jobs_created", name_fr="Emplois créés", disaggregated=True)
        self.revenue = IndicatorFactory(code="t_rev", name_fr="Chiffre d'affaires", unit=Unit.MAD)
        TargetFactory(project=self.p1, indicator=self.jobs, baseline_value=Decimal(0), target_value=Decimal(10))
        TargetFactory(project=self.p1, indicator=self.revenue, baseline_value=Decimal(100),
                      target_value=Decimal(5000))
        _report(self.p1, T1, ReportStatus.APPROVED,
                        [(self.jobs, Cell.WOMEN_YOUTH, 2), (self.jobs, Cell.MEN_OTHER, 1),
                 (self.revenue, Cell.TOTAL, "1234.5")])
        _report(self.p2, T2, ReportStatus.SUBMITTED, [(self.jobs, Cell.WOMEN_OTHER, 3)])
        _report(self.p1, T2, ReportStatus.RETURNED)
        db.session.flush()


@pytest.fixture
def known():
    return Known()


def _client(app, role="manager", locale="fr"):
    user = factories.UserFactory(role=role, locale=locale)
    db.session.flush()
    return login(app.test_client(), user)


def _url(**args):
    with_dates = {("from" if k == "date_from" else "to" if k == "date_to" else k): v for k, v in args.items()}
    return url_for("reports.cohort_report", **with_dates)


def _page(client, **args):
    with client.application.test_request_context():
        url = _url(**args)
    response = client.get(url)
    return response, lxml.html.fromstring(response.get_data(as_text=True))


def _metrics(tree) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for el in tree.xpath("//*[@data-metric]"):
        out.setdefault(el.get("data-metric"), []).append(el.get("data-value"))
    return out


def _raw(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _leaves(report: dict) -> dict[str, str]:
    """Every figure of the report dict under its dotted path (lists keyed by indicator code / period)."""
    out = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}", sub)
        else:
            out[prefix] = _raw(value)

    for section, body in report.items():
        if section == "filters":
            out.update({f"filters.{k}": (",".join(v) if k == "cohorts" else _raw(v)) for k, v in body.items()})
        elif section == "indicators":
            for row in body:
                for key, value in row.items():
                    if key not in SKIPPED_KEYS:
                        walk(f"indicators.{row['code']}.{key}", value)
        elif section == "completeness":
            for row in body:
                for key in ("owed", "submitted", "approved"):
                    out[f"completeness.{row['period']}.{key}"] = _raw(row[key])
        elif section == "trends":
            for trend in body:
                for period in trend["periods"]:
                    for key in ("value", "cumulative", "progress", "projects_reporting"):
                        out[f"trends.{trend['code']}.{period['period']}.{key}"] = _raw(period[key])
        else:
            walk(section, body)
    return out


@pytest.mark.parametrize("include_submitted", [False, True])
def test_every_figure_on_the_page_is_the_report_dict(app, known, include_submitted):
    client = _client(app)
    args = {"cohort": known.cohort.id, "date_from": "2025-02-01", "date_to": TO.isoformat()}
    if include_submitted:
        args["submitted"] = "1"
    response, tree = _page(client, **args)
    assert response.status_code == 200
    expected = _leaves(cohort_report([known.cohort.id], dt.date(2025, 2, 1), TO, include_submitted))
    shown = _metrics(tree)
    assert set(shown) == set(expected)
    for metric, values in shown.items():
        assert set(values) == {expected[metric]}, metric
    # a few figures checked by hand against the data built above (a figure may appear twice: key figures)
    one = {metric: values[0] for metric, values in shown.items()}
    assert one["portfolio.projects"] == "3" and one["portfolio.women_led"] == "2"  # p1 and p3's leads
    assert one["people.members"] == "4" and one["people.age_unknown"] == "1"
    assert one["trainings.sessions"] == "2" and Decimal(one["trainings.hours"]) == Decimal("15")
    assert float(one["trainings.attendance_rate"]) == pytest.approx(2 / 3)
    assert Decimal(one["indicators.jobs_created.actual"]) == (6 if include_submitted else 3)
    assert float(one["indicators.t_rev.progress"]) == pytest.approx((1234.5 - 100) / (5000 - 100))


def test_figures_are_shown_in_the_user_locale(app, known):
    args = {"cohort": known.cohort.id, "date_to": TO.isoformat()}
    _, tree = _page(_client(app, locale="fr"), **args)
    revenue = tree.xpath('//td[@data-metric="indicators.t_rev.actual"]')[0].text_content()
    # an amount: two decimals, grouped as in French ("1 234,50")
    assert revenue == format_decimal(Decimal("1234.5"), format="#,##0.00", locale="fr") and "\u202f" in revenue
    rate = tree.xpath('//td[@data-metric="trainings.attendance_rate"]')[0].text_content()
    assert rate.replace("\u202f", " ").replace("\xa0", " ") == "66,7 %"
    assert tree.xpath('//td[@data-metric="trainings.sessions"]')[0].text_content() == "2"  # a count: whole
    assert tree.xpath('//td[@data-metric="indicators.jobs_created.actual"]')[0].text_content() == "3"
    response, tree = _page(_client(app, locale="ar"), **args)
    assert tree.get("dir") == "rtl" and tree.get("lang") == "ar"
    assert tree.xpath('//td[@data-metric="indicators.t_rev.actual"]')[0].text_content() == "1,234.50"


def test_window_and_cohort_choice_change_the_figures(app, known):
    client = _client(app)
    _, tree = _page(client, cohort=known.cohort.id, date_from="2025-05-01", date_to=TO.isoformat())
    shown = _metrics(tree)
    assert shown["trainings.sessions"] == ["1"]  # the February training is outside the window
    assert shown["mentoring.sessions"] == ["1"]
    assert "completeness.2025-T1.owed" not in shown and shown["completeness.2025-T2.owed"] == ["2"]
    text = tree.text_content()
    assert "Projet Autre Cohorte Fictif" not in text
    _, tree = _page(client, cohort=[known.cohort.id, known.other.id], date_to=TO.isoformat())
    assert set(_metrics(tree)["portfolio.projects"]) == {"4"}
    assert sorted(_metrics(tree)["filters.cohorts"][0].split(",")) == sorted([known.cohort.slug, known.other.slug])
    selected = tree.xpath('//select[@name="cohort"]/option[@selected]/@value')
    assert sorted(selected) == sorted([str(known.cohort.id), str(known.other.id)])


def test_include_submitted_shows_the_banner(app, known):
    client = _client(app)
    _, tree = _page(client, cohort=known.cohort.id, date_to=TO.isoformat())
    assert not tree.xpath('//*[@id="submitted-banner"]')
    assert not tree.xpath('//input[@name="submitted"]/@checked')
    _, tree = _page(client, cohort=known.cohort.id, date_to=TO.isoformat(), submitted="1")
    banner = tree.xpath('//*[@id="submitted-banner"]')
    assert banner and "pas encore été approuvées" in banner[0].text_content()
    assert tree.xpath('//input[@name="submitted"]/@checked')


def test_jobs_for_women_and_youth_are_called_out(app, known):
    _, tree = _page(_client(app), cohort=known.cohort.id, date_to=TO.isoformat(), submitted="1")
    women = tree.xpath('//*[@data-derived="jobs.women"]')[0]
    youth = tree.xpath('//*[@data-derived="jobs.youth"]')[0]
    # approved T1: women-youth 2, men-other 1; submitted T2: women-other 3
    assert (Decimal(women.get("data-value")), Decimal(youth.get("data-value"))) == (5, 2)
    assert "Emplois créés pour des femmes" in tree.text_content()


BAD_FILTERS = [
    ({"date_from": "01/02/2025"}, "Date de début invalide"),
    ({"date_to": "2025-13-45"}, "Date de fin invalide"),
    ({"date_from": "2025-06-01", "date_to": "2025-01-01"}, "postérieure à la date de fin"),
    ({"date_from": "2999-01-01"}, "dans le futur"),
    ({"cohort": "abc"}, "Cohorte inconnue"),
    ({"cohort": "987654"}, "Cohorte inconnue"),
]


@pytest.mark.parametrize("args, message", BAD_FILTERS)
def test_bad_filters_give_a_translated_message_never_a_500(app, known, args, message):
    response, tree = _page(_client(app), **args)
    assert response.status_code == 400
    errors = tree.xpath('//*[@id="filter-errors"]')
    assert errors and message in errors[0].text_content()
    assert not tree.xpath("//*[@data-metric]")
    assert tree.xpath('//form[@method="get"]//select[@name="cohort"]')  # the filters stay usable


def _download_hrefs(tree) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for a in tree.xpath("//a[@data-format]"):
        out.setdefault(a.get("data-format"), []).append(a.get("href"))
    return out


def test_staff_see_no_download_links(app, known):
    response, tree = _page(_client(app, role="staff"), cohort=known.cohort.id)
    assert response.status_code == 200
    assert _download_hrefs(tree) == {}
    assert "/reports/cohort." not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_get_download_links_with_the_same_filters(app, known, role):
    _, tree = _page(_client(app, role=role), cohort=known.cohort.id, date_from="2025-02-01", date_to=TO.isoformat(),
                    submitted="1")
    links = _download_hrefs(tree)
    assert sorted(links) == ["csv", "iati", "json", "pdf", "xlsx"]
    with app.test_request_context():
        for fmt in ("xlsx", "csv", "pdf", "json"):
            assert links[fmt] == [url_for("report_files.cohort_file", fmt=fmt, cohort=[known.cohort.id],
                                          **{"from": "2025-02-01", "to": TO.isoformat()}, submitted="1")]
        assert links["iati"] == [url_for("report_files.iati_file", cohort=known.cohort.id)]


def test_the_iati_link_works_for_a_single_cohort_and_says_why_otherwise(app, known):
    """Issue 19: always in sight, disabled with its reason until exactly one cohort is chosen."""
    client = _client(app)
    for args in ({"cohort": [known.cohort.id, known.other.id]}, {}):
        response, tree = _page(client, **args)
        links = _download_hrefs(tree)
        assert "iati" not in links and len(links["xlsx"]) == 1
        [disabled] = tree.xpath("//*[@data-iati-disabled]")
        assert disabled.get("aria-disabled") == "true"
        why = tree.xpath(f"//*[@id='{disabled.get('aria-describedby')}']")
        assert why and why[0].text_content().strip()
    _, tree = _page(client, cohort=known.cohort.id)
    assert len(_download_hrefs(tree)["iati"]) == 1 and not tree.xpath("//*[@data-iati-disabled]")


def test_chosen_cohorts_are_removable_chips(app, known):
    client = _client(app)
    response, tree = _page(client, cohort=[known.cohort.id, known.other.id])
    html = response.get_data(as_text=True)
    chips = tree.xpath("//a[@data-chip]")
    assert sorted(int(c.get("data-chip")) for c in chips) == sorted([known.cohort.id, known.other.id])
    assert "Aucune cohorte choisie" not in html
    without = next(c for c in chips if int(c.get("data-chip")) == known.other.id).get("href")
    assert f"cohort={known.cohort.id}" in without and f"cohort={known.other.id}" not in without
    assert client.get(without.replace("&amp;", "&")).status_code == 200
    response, tree = _page(client)
    assert not tree.xpath("//a[@data-chip]") and "Aucune cohorte choisie" in response.get_data(as_text=True)


def test_holder_gets_404(app, known):
    holder = factories.UserFactory(role="holder", projects=[known.p1])
    db.session.flush()
    response = login(app.test_client(), holder).get("/reports/cohort")
    assert response.status_code == 404


def test_grid_and_attention_link_to_reports_and_projects(app, known):
    _, tree = _page(_client(app), cohort=known.cohort.id, date_to=TO.isoformat())
    with app.test_request_context():
        approved = url_for("periods.edit_report", project_id=known.p1.id, period_label="2025-T1")
        project = url_for("projects.view_project", project_id=known.p2.id)
        returned = url_for("periods.edit_report", project_id=known.p1.id, period_label="2025-T2")
    cell = tree.xpath(f'//td[@data-project="{known.p1.id}"][@data-period="2025-T1"]')[0]
    assert cell.get("data-state") == "approved" and cell.xpath(".//a/@href") == [approved]
    assert not tree.xpath(f'//td[@data-project="{known.p3.id}"]')  # paused: owes no report
    item = tree.xpath(f'//*[contains(@class, "attention-list")]/li[@data-project="{known.p2.id}"]')[0]
    assert item.xpath(".//a/@href")[0] == project
    assert item.xpath('.//li[@data-reason="late_milestones"]')
    p1 = tree.xpath(f'//*[contains(@class, "attention-list")]/li[@data-project="{known.p1.id}"]')[0]
    assert returned in p1.xpath('.//li[@data-reason="returned_reports"]//a/@href')


def test_charts_get_their_data_as_json_and_no_inline_script(app, known):
    response, tree = _page(_client(app), cohort=known.cohort.id, date_to=TO.isoformat())
    blocks = tree.xpath('//script[@type="application/json"][@data-chart]')
    assert len(blocks) == 9  # the trends' line chart is the ninth
    for block in blocks:
        canvas = tree.xpath(f'//canvas[@id="{block.get("data-chart")}"]')
        assert canvas and canvas[0].get("aria-label") and canvas[0].get("role") == "img"
    executable = [s for s in tree.xpath("//script") if s.get("type") != "application/json"]
    assert executable and all(s.get("src") and not (s.text or "").strip() for s in executable)
    assert any("chartjs/chart.umd.min.js" in s.get("src") for s in executable)
    assert any("js/report-charts.js" in s.get("src") for s in executable)


def test_nav_link_only_for_roles_that_may_see_the_report(app, known):
    for role, shown in (("manager", True), ("staff", True)):
        _, tree = _page(_client(app, role=role))
        assert bool(tree.xpath('//nav//a[@href="/reports/cohort"]')) is shown
    holder = factories.UserFactory(role="holder", projects=[known.p1])
    db.session.flush()
    page = login(app.test_client(), holder).get("/").get_data(as_text=True)
    assert 'href="/reports/cohort"' not in page


def _cohort_of(n: int):
    """n active projects, each with a member, session + overdue item, late milestone, target, an approved
    report with a value and a returned one: every section, the grid and the attention list have rows."""
    cohort = factories.CohortFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31))
    indicator = IndicatorFactory(disaggregated=True)
    training = Training(cohort=cohort, title="BP", topic=Topic.BUSINESS_PLAN, date=dt.date(2025, 2, 1),
                        duration_hours=Decimal(3))
    db.session.add(training)
    mentor = factories.UserFactory(role="staff")
    for _ in range(n):
        project = factories.ProjectFactory(cohort=cohort)
        member = factories.MemberFactory(project=project, sex=Sex.M)
        db.session.add(Attendance(training=training, member=member, present=True))
        ActionItemFactory(session=MentoringSessionFactory(project=project, mentor=mentor, date=dt.date(2025, 3, 1)))
        MilestoneFactory(project=project, planned_date=dt.date(2025, 4, 1))
        TargetFactory(project=project, indicator=indicator)
        _report(project, T1, ReportStatus.APPROVED, [(indicator, Cell.WOMEN_YOUTH, 2)])
        _report(project, T2, ReportStatus.RETURNED)
    db.session.flush()
    return cohort


def test_query_count_does_not_grow_with_the_number_of_projects(app, count_queries):
    cohorts = [_cohort_of(5), _cohort_of(50)]
    client = _client(app)
    client.get("/reports/cohort")  # warm-up: first request of this client
    counts = []
    for cohort in cohorts:
        db.session.expire_all()
        with app.test_request_context():
            url = _url(cohort=cohort.id, date_to=TO.isoformat())
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
        tree = lxml.html.fromstring(response.get_data(as_text=True))
        listed = tree.xpath('//*[contains(@class, "attention-list")]/li[@data-project]')
        assert len(listed) == min(len(cohort.projects), 100)
        assert len(tree.xpath('//ol[contains(@class, "attention-top")]/li')) == min(len(cohort.projects), 10)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 25, counts
