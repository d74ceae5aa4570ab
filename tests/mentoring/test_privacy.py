"""Staff notes never reach a holder: not in any page they can open, not in an attribute, not in JSON."""

import datetime as dt

import pytest
from flask import render_template
from flask_login import login_user

from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
from tests.milestones.factories import MilestoneFactory
from tracker.extensions import db
from tracker.mentoring import services

NOTES = "NOTE-INTERNE-7f3a : les associés envisagent de se séparer"
SUMMARY = "RÉSUMÉ-PARTAGÉ : fixer les prix avant le salon"


@pytest.fixture
def shared_session(actors):
    MilestoneFactory(project=actors.project, title="Premier salon")
    session = MentoringSessionFactory(project=actors.project, mentor=actors.staff, staff_notes=NOTES,
                                      shared_summary=SUMMARY, date=dt.date.today() - dt.timedelta(days=2),
                                      next_session_date=None)
    ActionItemFactory(session=session, description="Préparer la grille tarifaire")
    db.session.commit()
    return session


def holder_pages(actors, session):
    """Every page a holder can reach that shows, or could one day show, this session."""
    return [
        f"/sessions/{session.id}",
        f"/projects/{actors.project.id}",
        "/",
        "/projects/",
        f"/projects/{actors.project.id}/edit",
    ]


def test_staff_notes_appear_in_no_page_a_holder_can_open(actors, login_as, shared_session):
    client = login_as("holder")
    for url in holder_pages(actors, shared_session):
        response = client.get(url)
        assert response.status_code == 200, url
        assert NOTES.encode() not in response.data, url
        assert b"NOTE-INTERNE" not in response.data, url
        assert b"Notes internes" not in response.data, url
    detail = client.get(f"/sessions/{shared_session.id}").get_data(as_text=True)
    assert SUMMARY in detail and "Préparer la grille tarifaire" in detail


def test_a_holder_reaches_no_staff_side_session_page(actors, login_as, shared_session):
    client = login_as("holder")
    session_id = shared_session.id
    refused = [
        ("GET", "/sessions/"),
        ("GET", "/sessions/new"),
        ("GET", f"/sessions/new?project={actors.project.id}"),
        ("POST", "/sessions/new"),
        ("GET", f"/sessions/{session_id}/edit"),
        ("POST", f"/sessions/{session_id}/edit"),
        ("GET", f"/sessions/{session_id}/delete"),
        ("POST", f"/sessions/{session_id}/delete"),
        ("GET", f"/sessions/milestones?project={actors.project.id}"),
    ]
    for method, url in refused:
        response = client.open(url, method=method, data={"staff_notes": "écrasé", "topics": "écrasé"})
        assert response.status_code == 404, (method, url)
        assert b"NOTE-INTERNE" not in response.data
    db.session.expire_all()
    session = services.get_session(session_id)
    assert session is not None and session.staff_notes == NOTES and session.topics != "écrasé"


def test_a_holder_of_another_project_does_not_see_the_session_at_all(actors, login_as, shared_session):
    from tests.factories import UserFactory

    stranger = UserFactory(role="holder", projects=[actors.other_project])
    db.session.commit()
    response = login_as(stranger).get(f"/sessions/{shared_session.id}")
    assert response.status_code == 404
    assert SUMMARY.encode() not in response.data and b"NOTE-INTERNE" not in response.data


def _render_detail_as(app, user, session):
    with app.test_request_context():
        login_user(user)
        return render_template("mentoring/session_detail.html", mentoring_session=services.get_session(session.id),
                               today=dt.date.today())


def test_detail_template_holder_path_leaves_the_notes_out(app, actors, shared_session):
    html = _render_detail_as(app, actors.holder, shared_session)
    assert SUMMARY in html
    assert "NOTE-INTERNE" not in html and "Notes internes" not in html
    assert f"/sessions/{shared_session.id}/edit" not in html  # no edit or delete buttons either
    assert f"/sessions/{shared_session.id}/delete" not in html
    assert f"/sessions/action-items/{shared_session.action_items[0].id}/done" in html  # holders may tick items


@pytest.mark.parametrize("role", ["admin", "manager", "staff"])
def test_detail_template_staff_path_shows_the_notes(app, actors, shared_session, role):
    html = _render_detail_as(app, actors.by_role(role), shared_session)
    assert NOTES in html and "Notes internes" in html
