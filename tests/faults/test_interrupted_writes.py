"""An exception in the middle of a write (a bug, a full disk, a lost connection): nothing half-written.

The fault is injected with monkeypatch into a function the write calls half-way, after some rows were
already flushed: the import's per-project writer on its second project, the audit call of a report
approval after the new status was flushed. The user gets the translated 500 page (exceptions are not
propagated to the test, as in production), every count and status is as before, and once the fault is gone
the same action succeeds (the import's claim was released).
"""

import html

import pytest
import sqlalchemy as sa
from flask import url_for

from tests.periods.factories import PeriodReportFactory
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.imports import services as import_services
from tracker.imports import storage
from tracker.periods import workflow
from tracker.periods.models import PeriodReport, ReportStatus
from tracker.projects.models import Member, Project

THREE_PROJECTS = (
    "N° projet;Nom du projet;Secteur;Nom complet;Sexe;Porteur principal;Date de consentement\r\n"
    "P01;Atelier Un;Numérique;Salma Exemple;F;Oui;01/03/2025\r\n"
    "P02;Atelier Deux;Numérique;Karim Exemple;M;Oui;01/03/2025\r\n"
    "P03;Atelier Trois;Numérique;Nadia Exemple;F;Oui;01/03/2025\r\n"
).encode("utf-8-sig")


class Injected(RuntimeError):
    pass


@pytest.fixture
def production_errors(app, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


def _counts():
    return {model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Project, Member, AuditEvent, PeriodReport)}


def _fail_on_call(monkeypatch, owner, name, call_number):
    original = getattr(owner, name)
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == call_number:
            raise Injected(f"fault injected in {name}")
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


def test_exception_half_way_through_an_import(actors, login_as, monkeypatch, production_errors):
    client = login_as("staff")
    entry = storage.save(THREE_PROJECTS, "forum.csv", "csv", actors.staff.id, actors.cohort.id)
    db.session.commit()
    before = _counts()
    calls = _fail_on_call(monkeypatch, import_services, "write_project", 2)

    response = client.post(f"/imports/{entry.token}/confirm", data={"mode": "all"})
    assert len(calls) == 2  # the first project was written (and flushed) before the fault
    assert response.status_code == 500
    assert "Erreur interne" in html.unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert _counts() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)
                             .where(Project.name.in_(["Atelier Un", "Atelier Deux", "Atelier Trois"]))) == 0

    monkeypatch.undo()
    retry = client.post(f"/imports/{entry.token}/confirm", data={"mode": "all"})
    assert retry.status_code == 302
    db.session.expire_all()
    assert _counts()["projects"] == before["projects"] + 3


def test_exception_half_way_through_an_approval(app, actors, login_as, monkeypatch, production_errors):
    report = PeriodReportFactory(project=actors.project, status=ReportStatus.SUBMITTED, submitted_by=actors.holder)
    db.session.commit()
    state = (report.status, report.version, report.reviewed_by_id, report.reviewed_at, report.review_comment)
    client = login_as("staff")
    before = _counts()
    with app.test_request_context():
        url = url_for("periods.review_report", report_id=report.id)
    calls = _fail_on_call(monkeypatch, workflow.audit, "record", 1)

    response = client.post(url, data={"version": str(report.version), "decision": "approve", "comment": "Bien."})
    assert len(calls) == 1
    assert response.status_code == 500
    db.session.expire_all()
    again = db.session.get(PeriodReport, report.id)
    assert (again.status, again.version, again.reviewed_by_id, again.reviewed_at, again.review_comment) == state
    assert _counts() == before

    monkeypatch.undo()
    assert client.post(url, data={"version": str(report.version), "decision": "approve"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(PeriodReport, report.id).status == ReportStatus.APPROVED
