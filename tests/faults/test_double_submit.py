"""A form sent twice (double click, "resend" after a slow answer, back button): one effect only.

The mentoring session form carries a one-time `form_token` (tracker/core/forms.py SubmitOnceMixin); the
second POST with the same token creates nothing and lands on the same project page with a message. The
other creating or deciding forms are protected by their own rules, checked here too: an import file is
claimed once (tracker/imports/storage.py), a second approval of a report is "already recorded".
"""

import datetime as dt
import html
import re

import sqlalchemy as sa
from flask import url_for

from tests.imports.permission_cases import TINY_CSV
from tests.mentoring.test_views import form_data, row
from tests.periods.factories import PeriodReportFactory
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.imports import storage
from tracker.mentoring.models import ActionItem, MentoringSession
from tracker.periods.models import PeriodReport, ReportStatus
from tracker.projects.models import Project


def _count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _token(client) -> str:
    page = client.get("/sessions/new").get_data(as_text=True)
    match = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)
    assert match, "the session form carries a one-time token"
    return match.group(1)


def test_same_session_form_posted_twice_logs_one_session(actors, login_as):
    client = login_as("staff")
    data = form_data(actors.project) | row(0, "Envoyer trois devis") | {"form_token": _token(client)}

    first = client.post("/sessions/new", data=data)
    second = client.post("/sessions/new", data=data, follow_redirects=True)

    assert first.status_code == 302
    assert second.status_code == 200
    assert "la séance n'a été enregistrée qu'une fois" in html.unescape(second.get_data(as_text=True))
    assert _count(MentoringSession, MentoringSession.project_id == actors.project.id) == 1
    assert _count(ActionItem) == 1
    assert _count(AuditEvent, AuditEvent.entity_type == "mentoring_session") == 1


def test_two_page_loads_are_two_sessions_and_a_refused_post_can_be_corrected(actors, login_as):
    client = login_as("staff")
    token = _token(client)
    refused = client.post("/sessions/new", data=form_data(actors.project, duration_minutes="0") | {"form_token": token})
    assert refused.status_code == 200 and _count(MentoringSession) == 0
    assert client.post("/sessions/new", data=form_data(actors.project) | {"form_token": token}).status_code == 302
    assert client.post("/sessions/new", data=form_data(actors.project) | {"form_token": _token(client)}) \
        .status_code == 302
    assert _count(MentoringSession, MentoringSession.project_id == actors.project.id) == 2


def test_service_refusal_releases_the_token(actors, login_as):
    """A rule the service enforces (here: a date in the future) refuses the POST; the same page, corrected,
    still goes through."""
    client = login_as("staff")
    token = _token(client)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    refused = client.post("/sessions/new", data=form_data(actors.project, date=future) | {"form_token": token})
    assert refused.status_code == 200 and _count(MentoringSession) == 0
    assert client.post("/sessions/new", data=form_data(actors.project) | {"form_token": token}).status_code == 302
    assert _count(MentoringSession) == 1


def test_import_confirmed_twice_imports_once(app, actors, login_as):
    client = login_as("staff")
    entry = storage.save(TINY_CSV, "mini.csv", "csv", actors.staff.id, actors.cohort.id)
    before = _count(Project)
    url = f"/imports/{entry.token}/confirm"
    assert client.post(url, data={"mode": "all"}).status_code == 302
    second = client.post(url, data={"mode": "all"}, follow_redirects=True)
    assert second.status_code == 200
    assert "rien n'a été importé une seconde fois" in html.unescape(second.get_data(as_text=True))
    assert _count(Project) == before + 1


def test_report_approved_twice_changes_once(app, actors, login_as):
    report = PeriodReportFactory(project=actors.project, status=ReportStatus.SUBMITTED, submitted_by=actors.holder)
    db.session.commit()
    client = login_as("staff")
    with app.test_request_context():
        url = url_for("periods.review_report", report_id=report.id)
    data = {"version": str(report.version), "decision": "approve"}
    assert client.post(url, data=data).status_code == 302
    second = client.post(url, data=data, follow_redirects=True)
    assert "Cette décision était déjà enregistrée" in html.unescape(second.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(PeriodReport, report.id).status == ReportStatus.APPROVED
    assert _count(AuditEvent, AuditEvent.entity_type == "period_report", AuditEvent.entity_id == report.id) == 1
