"""The report pages through HTTP: form, submission, review, reopening, the lists.

Data set up by a test is committed before the requests (the outer transaction still rolls it back):
a refused POST rolls its request back and must not take the test's data with it.
"""

import datetime as dt
import html
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from tests.factories import ProjectFactory, UserFactory
from tests.periods.conftest import AFTER_T1, audit_count, report_count, state_of, stored_values
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.periods.models import Cell, PeriodReport, ReportStatus

FORM_URL = "/period-reports/projects/{id}/2025-T1"
CELLS = ("women_youth", "women_other", "men_youth", "men_other", "not_stated")


@pytest.fixture(autouse=True)
def _after_t1():
    with freeze_time(AFTER_T1):
        yield


def url(project, label="2025-T1"):
    return f"/period-reports/projects/{project.id}/{label}"


def data(ind, version="", action="save", revenue="", jobs=None, margin="", comments=None, **narrative):
    jobs = jobs or {}
    comments = comments or {}
    result = {"version": str(version), "action": action,
              f"v_{ind.revenue.id}_total": revenue, f"v_{ind.margin.id}_total": margin,
              f"c_{ind.revenue.id}": comments.get("revenue", ""), f"c_{ind.jobs.id}": comments.get("jobs", ""),
              f"c_{ind.margin.id}": comments.get("margin", ""),
              "highlights": narrative.get("highlights", "Premier salon professionnel."),
              "difficulties": narrative.get("difficulties", ""), "support_needed": narrative.get("support_needed", "")}
    for cell in CELLS:
        result[f"v_{ind.jobs.id}_{cell}"] = jobs.get(cell, "")
    return result


def text(response):
    return html.unescape(response.get_data(as_text=True))


def the_report(project):
    return db.session.scalar(sa.select(PeriodReport).where(PeriodReport.project_id == project.id))


def make_report_values(project, status, indicators, by=None, revenue=None):
    report = PeriodReportFactory(project=project, status=status, submitted_by=by)
    if revenue is not None:
        IndicatorValueFactory(report=report, indicator=indicators.revenue, value=Decimal(revenue))
    db.session.commit()
    return report


class _Inputs(HTMLParser):
    """Visible inputs, textareas and selects of a page, and the ids its <label for=…> point at."""

    def __init__(self):
        super().__init__()
        self.fields, self.labelled = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])
        if tag in ("input", "textarea", "select") and attrs.get("type") not in ("hidden", "submit"):
            self.fields.append(attrs)


# ---------------------------------------------------------------- the form

def test_form_shows_every_indicator_with_labelled_inputs_and_creates_nothing(actors, indicators, login_as):
    client = login_as("holder")
    page = text(client.get(url(actors.project)))
    assert report_count() == 0  # a GET never creates the draft
    parser = _Inputs()
    parser.feed(page)
    value_inputs = [f for f in parser.fields if f.get("name", "").startswith("v_")]
    assert len(value_inputs) == 1 + 5 + 1
    assert all(f["id"] in parser.labelled for f in parser.fields), "every input has its label"
    assert all(f.get("type") == "text" and f.get("inputmode") in ("decimal", "text") for f in value_inputs)
    assert {f["inputmode"] for f in value_inputs if f["name"] != f"v_{indicators.margin.id}_total"} == {"decimal"}
    for cell_label in ("Femmes jeunes", "Femmes non jeunes", "Hommes jeunes", "Hommes non jeunes", "Non précisé"):
        assert cell_label in page
    assert f'id="total-{indicators.jobs.id}"' in page and "<output" in page
    assert 'class="cell-grid"' in page  # the five cells as a compact women/men × young/other grid
    assert 'name="action" value="submit"' in page and 'name="action" value="save"' in page
    assert "js/report_form.js" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "no inline script (CSP)"
    assert not re.search(r"\son[a-z]+=", page), "no inline event handler (CSP)"


def test_save_draft_reads_numbers_as_typed(actors, indicators, login_as):
    client = login_as("holder")
    response = client.post(url(actors.project), data=data(
        indicators, revenue="1 234,5", jobs={"women_youth": "٢", "men_other": "1"}, margin="-3,5",
        comments={"jobs": "Deux couturières."}))
    assert response.status_code == 302 and response.location.endswith(url(actors.project))
    report = the_report(actors.project)
    assert report.status == ReportStatus.DRAFT and report.highlights == "Premier salon professionnel."
    assert stored_values(report.id) == {
        (indicators.revenue.id, Cell.TOTAL): (Decimal("1234.5"), None),
        (indicators.jobs.id, Cell.WOMEN_YOUTH): (Decimal(2), "Deux couturières."),
        (indicators.jobs.id, Cell.MEN_OTHER): (Decimal(1), None),
        (indicators.margin.id, Cell.TOTAL): (Decimal("-3.5"), None),
    }
    page = text(client.get(url(actors.project)))
    assert "brouillon du rapport \u2068T1 2025\u2069 a été enregistré" in page
    assert 'value="1234,5"' in page  # shown back in the French way, read back as is


def test_a_forged_total_is_ignored_and_recomputed(actors, indicators, login_as):
    client = login_as("holder")
    posted = data(indicators, jobs={"women_youth": "1", "men_youth": "2"})
    posted[f"v_{indicators.jobs.id}_total"] = "999"
    assert client.post(url(actors.project), data=posted).status_code == 302
    report = the_report(actors.project)
    assert set(stored_values(report.id)) == {(indicators.jobs.id, Cell.WOMEN_YOUTH),
                                             (indicators.jobs.id, Cell.MEN_YOUTH)}
    page = text(client.get(url(actors.project)))
    total = re.search(rf'<output id="total-{indicators.jobs.id}"[^>]*>([^<]*)</output>', page).group(1)
    assert total == "3"


@pytest.mark.parametrize("field, typed, message", [
    ("revenue", "-5", "ne peut pas être négative"),
    ("margin", "150", "ne peut pas dépasser 100"),
    ("jobs", "1,5", "nombre entier"),
    ("revenue", "douze", "Saisissez un nombre"),
    ("revenue", "1,500", "deux chiffres après la virgule"),
])
def test_invalid_values_are_shown_next_to_their_field_and_nothing_is_written(actors, indicators, login_as, field,
                                                                           typed, message):
    client = login_as("holder")
    kwargs = {"jobs": {"men_youth": typed}} if field == "jobs" else {field: typed}
    response = client.post(url(actors.project), data=data(indicators, revenue=kwargs.pop("revenue", "10"), **kwargs))
    assert response.status_code == 200
    page = text(response)
    field_id = f"v_{getattr(indicators, field).id}_{'men_youth' if field == 'jobs' else 'total'}"
    assert re.search(rf'id="{field_id}-errors"[^>]*>\s*<div>[^<]*{message}', page)
    assert f'value="{typed}"' in page  # what was typed stays
    assert report_count() == 0 and audit_count() == 0


def test_a_comment_without_value_is_refused_next_to_the_comment(actors, indicators, login_as):
    client = login_as("holder")
    response = client.post(url(actors.project), data=data(indicators, comments={"revenue": "Rien ce trimestre."}))
    assert response.status_code == 200
    assert f'id="c_{indicators.revenue.id}-errors"' in text(response)
    assert report_count() == 0


def test_submit_makes_the_report_read_only(actors, indicators, login_as):
    client = login_as("holder")
    response = client.post(url(actors.project), data=data(indicators, action="submit", revenue="500"))
    assert response.status_code == 302
    report = the_report(actors.project)
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by_id == actors.holder.id
    page = text(client.get(url(actors.project)))
    assert "a été soumis" in page and 'id="report-form"' not in page
    assert "500" in page


def test_double_submission_is_an_info_and_changes_nothing(actors, indicators, login_as):
    client = login_as("holder")
    posted = data(indicators, action="submit", revenue="500")
    client.post(url(actors.project), data=posted)
    report = the_report(actors.project)
    before = state_of(report.id)
    response = client.post(url(actors.project), data=posted, follow_redirects=True)
    assert response.status_code == 200
    assert "déjà été soumis" in text(response) and 'alert-info' in text(response)
    assert state_of(report.id) == before


def test_posting_to_an_approved_report_is_refused(actors, indicators, login_as):
    report = make_report_values(actors.project, ReportStatus.APPROVED, indicators, by=actors.holder, revenue="0")
    before = state_of(report.id)
    client = login_as("holder")
    response = client.post(url(actors.project), data=data(indicators, version=report.version, revenue="9"))
    assert response.status_code == 302
    page = text(client.get(url(actors.project)))
    assert "est approuvé : il ne peut plus être modifié" in page
    assert 'id="report-form"' not in page
    assert state_of(report.id) == before


def test_concurrent_edits_are_detected_and_the_input_kept(actors, indicators, login_as):
    report = make_report_values(actors.project, ReportStatus.DRAFT, indicators, revenue="1")
    holder, staff = login_as("holder"), login_as("staff")
    loaded = report.version  # both forms were loaded from this version
    assert holder.post(url(actors.project), data=data(indicators, version=loaded, revenue="10")).status_code == 302
    before = state_of(report.id)
    response = staff.post(url(actors.project), data=data(indicators, version=loaded, revenue="20"))
    assert response.status_code == 200
    page = text(response)
    assert "modifié par quelqu'un d'autre" in page
    assert 'value="20"' in page  # the staff member's input is still there
    assert "Valeurs enregistrées entre-temps" in page and ">10<" in page
    assert state_of(report.id) == before
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page) or re.search(
        r'name="version" value="(\d+)"', page)
    assert version and int(version.group(1)) == before[0][1]  # saving again now overwrites deliberately


def test_returned_report_shows_the_comment_first_and_is_resubmitted(actors, indicators, login_as):
    report = make_report_values(actors.project, ReportStatus.RETURNED, indicators, by=actors.holder, revenue="1")
    report.review_comment = "Le chiffre d'affaires du trimestre manque."
    report.reviewed_by = actors.staff
    db.session.commit()
    client = login_as("holder")
    page = text(client.get(url(actors.project)))
    assert page.index("Le chiffre d'affaires du trimestre manque.") < page.index('id="report-form"')
    assert "Rapport renvoyé pour correction" in page
    response = client.post(url(actors.project), data=data(indicators, version=report.version, action="submit",
                                                            revenue="35000"))
    assert response.status_code == 302
    db.session.expire_all()
    assert the_report(actors.project).status == ReportStatus.SUBMITTED


@freeze_time("2025-03-01")
def test_submission_waits_for_the_last_week_of_the_period(actors, indicators, login_as):
    client = login_as("holder")
    page = text(client.get(url(actors.project)))
    assert 'value="submit"' not in page and "à partir du 24 mars 2025" in page
    response = client.post(url(actors.project), data=data(indicators, action="submit", revenue="5"))
    assert response.status_code == 200 and "pourra être soumis à partir du" in text(response)
    assert report_count() == 0


@freeze_time("2025-03-01")
def test_a_period_not_started_yet_is_404(actors, indicators, login_as):
    assert login_as("holder").get(url(actors.project, "2025-T2")).status_code == 404


def test_holder_cannot_post_a_report_for_another_project(actors, indicators, login_as):
    response = login_as("holder").post(url(actors.other_project), data=data(indicators, action="submit"))
    assert response.status_code == 404
    assert report_count() == 0 and audit_count() == 0


def test_arabic_form_is_right_to_left_and_reads_arabic_digits(actors, indicators, login_as):
    actors.holder.locale = "ar"
    db.session.commit()
    client = login_as("holder")
    page = text(client.get(url(actors.project)))
    assert '<html lang="ar" dir="rtl">' in page and "bootstrap.rtl.min.css" in page
    assert indicators.revenue.name_ar in page
    assert client.post(url(actors.project), data=data(indicators, revenue="١٢٣٤٫٥")).status_code == 302
    assert stored_values(the_report(actors.project).id)[(indicators.revenue.id, Cell.TOTAL)][0] == Decimal("1234.5")


# ---------------------------------------------------------------- review

def review_url(report):
    return f"/period-reports/{report.id}/review"


def test_staff_approve_a_holders_submission(actors, indicators, login_as):
    report = make_report_values(actors.project, ReportStatus.SUBMITTED, indicators, by=actors.holder, revenue="7")
    client = login_as("staff")
    page = text(client.get(review_url(report)))
    assert 'value="approve"' in page and 'value="return"' in page
    response = client.post(review_url(report), data={"version": report.version, "decision": "approve"})
    assert response.status_code == 302 and response.location.endswith("/period-reports/review")
    db.session.expire_all()
    assert (report.status, report.reviewed_by_id) == (ReportStatus.APPROVED, actors.staff.id)
    page = text(login_as("holder").get(url(actors.project)))
    assert "Approuvé le" in page and 'id="report-form"' not in page


def test_return_needs_a_comment(actors, indicators, login_as):
    report = make_report_values(actors.project, ReportStatus.SUBMITTED, indicators, by=actors.holder, revenue="7")
    before = state_of(report.id)
    client = login_as("staff")
    response = client.post(review_url(report), data={"version": report.version, "decision": "return", "comment": " "})
    assert response.status_code == 200 and "le commentaire est obligatoire" in text(response)
    assert state_of(report.id) == before
    response = client.post(review_url(report), data={"version": report.version, "decision": "return",
                                                     "comment": "Précisez les emplois créés."})
    assert response.status_code == 302
    db.session.expire_all()
    assert (report.status, report.review_comment) == (ReportStatus.RETURNED, "Précisez les emplois créés.")


def test_a_report_staff_submitted_on_behalf_is_approved_by_someone_else(actors, indicators, login_as):
    staff = login_as("staff")
    assert staff.post(url(actors.project), data=data(indicators, action="submit", revenue="3")).status_code == 302
    report = the_report(actors.project)
    assert report.submitted_by_id == actors.staff.id
    page = text(staff.get(review_url(report)))
    assert 'value="approve"' not in page and "un·e autre membre de l'équipe doit l'approuver" in page
    before = state_of(report.id)
    response = staff.post(review_url(report), data={"version": report.version, "decision": "approve"})
    assert response.status_code == 200 and "doit l'approuver" in text(response)
    assert state_of(report.id) == before
    assert login_as("manager").post(review_url(report), data={"version": report.version,
                                                              "decision": "approve"}).status_code == 302
    db.session.expire_all()
    assert report.status == ReportStatus.APPROVED


def test_approving_a_draft_through_the_review_page_is_refused(actors, indicators, login_as):
    report = make_report_values(actors.project, ReportStatus.DRAFT, indicators, revenue="7")
    before = state_of(report.id)
    response = login_as("staff").post(review_url(report), data={"version": report.version, "decision": "approve"})
    assert response.status_code == 200 and "Seul un rapport soumis" in text(response)
    assert state_of(report.id) == before


def test_manager_reopens_with_a_reason_staff_cannot(actors, indicators, login_as):
    report = make_report_values(actors.project, ReportStatus.APPROVED, indicators, by=actors.holder, revenue="7")
    before = state_of(report.id)
    reopen = f"/period-reports/{report.id}/reopen"
    assert login_as("staff").post(reopen, data={"version": report.version, "reason": "x"}).status_code == 403
    assert state_of(report.id) == before
    manager = login_as("manager")
    assert f'action="/period-reports/{report.id}/reopen"' in text(manager.get(url(actors.project)))
    response = manager.post(reopen, data={"version": report.version, "reason": ""})
    assert response.status_code == 200 and "le motif est obligatoire" in text(response)
    assert state_of(report.id) == before
    response = manager.post(reopen, data={"version": report.version, "reason": "Chiffre d'affaires mal saisi."})
    assert response.status_code == 302 and response.location.endswith(url(actors.project))
    db.session.expire_all()
    assert report.status == ReportStatus.DRAFT
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reopen"))
    assert event.user_id == actors.manager.id and event.changes["reason"][1] == "Chiffre d'affaires mal saisi."
    page = text(login_as("holder").get(url(actors.project)))
    assert "Chiffre d'affaires mal saisi." in page and 'id="report-form"' in page


def test_holder_never_reaches_the_review_pages(actors, indicators, login_as):
    report = make_report_values(actors.project, ReportStatus.SUBMITTED, indicators, by=actors.holder, revenue="7")
    holder = login_as("holder")
    assert holder.get("/period-reports/review").status_code == 404
    assert holder.post(review_url(report), data={"version": report.version, "decision": "approve"}).status_code == 404
    assert state_of(report.id)[0][0] == ReportStatus.SUBMITTED


# ---------------------------------------------------------------- lists

def test_due_list_for_a_holder_shows_only_their_projects(actors, login_as):
    page = text(login_as("holder").get("/period-reports/due"))
    assert actors.project.name in page and actors.other_project.name not in page
    assert "En retard" in page and 'scope="col"' in page
    assert f"/period-reports/projects/{actors.project.id}/2025-T1" in page


def test_due_list_for_staff_defaults_to_their_projects(actors, login_as):
    actors.project.staff = [actors.staff]
    db.session.commit()
    client = login_as("staff")
    mine = text(client.get("/period-reports/due"))
    assert actors.project.name in mine and actors.other_project.name not in mine
    everyone = text(client.get("/period-reports/due?mentor=all"))
    assert actors.project.name in everyone and actors.other_project.name in everyone
    manager = text(login_as("manager").get("/period-reports/due"))
    assert actors.other_project.name in manager


def test_due_list_filters_by_state(actors, indicators, login_as):
    make_report_values(actors.project, ReportStatus.SUBMITTED, indicators, by=actors.holder, revenue="7")
    client = login_as("manager")
    submitted = text(client.get("/period-reports/due?state=submitted"))
    assert actors.project.name in submitted and actors.other_project.name not in submitted
    overdue = text(client.get("/period-reports/due?state=overdue"))
    assert actors.other_project.name in overdue and actors.project.name not in overdue
    assert client.get("/period-reports/due?state=nonsense").status_code == 200


def test_review_queue_is_oldest_submission_first_and_mine_by_default(actors, login_as):
    third = ProjectFactory(cohort=actors.cohort, name="Projet troisième")
    actors.project.staff = [actors.staff]
    third.staff = [actors.staff]
    for project, day in ((actors.project, 9), (third, 3), (actors.other_project, 1)):
        PeriodReportFactory(project=project, status=ReportStatus.SUBMITTED, submitted_by=actors.holder,
                            submitted_at=dt.datetime(2025, 4, day, tzinfo=dt.UTC))
    db.session.commit()
    client = login_as("staff")
    page = text(client.get("/period-reports/review"))
    assert actors.other_project.name not in page
    assert page.index(third.name) < page.index(actors.project.name)
    everyone = text(client.get("/period-reports/review?mentor=all"))
    assert everyone.index(actors.other_project.name) < everyone.index(third.name)


def _fill(actors, n, staff):
    for k in range(n):
        project = ProjectFactory(cohort=actors.cohort, lead=False)
        project.staff = [staff]
        PeriodReportFactory(project=project, status=ReportStatus.SUBMITTED, submitted_by=UserFactory(role="holder"),
                            submitted_at=dt.datetime(2025, 4, 1 + k % 9, tzinfo=dt.UTC))
    db.session.commit()


@pytest.mark.parametrize("page_url", ["/period-reports/due?state=all&mentor=all", "/period-reports/review?mentor=all"])
def test_list_query_count_does_not_grow_with_rows(app, actors, login_as, count_queries, page_url):
    app.config["REPORTS_PER_PAGE"] = 100
    client = login_as("staff")
    try:
        _fill(actors, 5, actors.staff)
        client.get(page_url)
        with count_queries() as five:
            first = client.get(page_url)
        _fill(actors, 45, actors.staff)
        with count_queries() as fifty:
            second = client.get(page_url)
    finally:
        app.config.pop("REPORTS_PER_PAGE")
    assert first.status_code == second.status_code == 200
    assert text(second).count("/review\"") > text(first).count("/review\"") >= 5
    assert len(fifty) == len(five), f"{page_url}: {len(five)} queries for 5 rows, {len(fifty)} for 50"
