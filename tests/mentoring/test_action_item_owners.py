"""Issue 15, point 6: who may close and reopen an action item, and the done dates that are never lost.

A holder marks done the items their project owns, never one the programme's team owns, and never reopens
one; the programme's team does both. Every date an item was marked done stays in the audit trail and in the
item's history on the session page, whatever happens to the item afterwards.
"""

import datetime as dt

import sqlalchemy as sa
from freezegun import freeze_time

from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
from tracker.core.audit import AuditEvent
from tracker.extensions import db
from tracker.mentoring import services
from tracker.mentoring.models import ActionItem, ActionOwner

DONE_FIRST = dt.date(2026, 3, 2)


def _session(actors):
    session = MentoringSessionFactory(project=actors.project, mentor=actors.staff, date=dt.date(2026, 2, 20),
                                      next_session_date=None)
    db.session.flush()
    return session


def _items(actors):
    session = _session(actors)
    ours = ActionItemFactory(session=session, owner_kind=ActionOwner.PROJECT, description="Déposer les statuts")
    staff = ActionItemFactory(session=session, owner_kind=ActionOwner.STAFF, owner_user=actors.staff,
                              description="Présenter un banquier fictif")
    db.session.commit()
    return session, ours, staff


def _done(item_id):
    db.session.expire_all()
    return db.session.get(ActionItem, item_id).done_date


def test_a_holder_closes_an_item_of_their_project_but_not_one_the_team_owns(actors, login_as):
    session, ours, staff = _items(actors)
    client = login_as("holder")
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert f"/sessions/action-items/{ours.id}/done" in page
    assert f"/sessions/action-items/{staff.id}/done" not in page
    assert client.post(f"/sessions/action-items/{ours.id}/done").status_code == 302
    assert _done(ours.id) == dt.date.today()
    refused = client.post(f"/sessions/action-items/{staff.id}/done", follow_redirects=True)
    assert "Cette action est confiée à l&#39;équipe du programme" in refused.get_data(as_text=True)
    assert _done(staff.id) is None


def test_a_holder_never_reopens_a_done_item(actors, login_as):
    session, ours, _staff = _items(actors)
    ours.done_date = DONE_FIRST
    db.session.commit()
    client = login_as("holder")
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "/reopen" not in page
    assert client.post(f"/sessions/action-items/{ours.id}/reopen").status_code == 404
    assert _done(ours.id) == DONE_FIRST
    # The service refuses too, whoever calls it.
    try:
        services.reopen_action_item(actors.holder, ours)
    except services.ServiceError as error:
        assert "Seule l'équipe du programme" in str(error.message)
    else:
        raise AssertionError("a holder reopened an item")


def test_the_team_closes_and_reopens_any_item(actors, login_as):
    _session_, ours, staff = _items(actors)
    client = login_as("staff")
    for item in (ours, staff):
        assert client.post(f"/sessions/action-items/{item.id}/done").status_code == 302
        assert _done(item.id) is not None
        assert client.post(f"/sessions/action-items/{item.id}/reopen").status_code == 302
        assert _done(item.id) is None


def test_the_original_done_date_survives_reopening_and_edits(actors, login_as):
    session, ours, _staff = _items(actors)
    for day, role, verb in ((DONE_FIRST, "holder", "done"), ("2026-03-09", "staff", "reopen"),
                            ("2026-03-16", "holder", "done")):
        with freeze_time(day):  # signed in that day: the idle timeout follows the frozen clock
            response = login_as(role).post(f"/sessions/action-items/{ours.id}/{verb}")
            assert response.status_code == 302 and "/login" not in response.location
    holder, staff = login_as("holder"), login_as("staff")
    assert _done(ours.id) == dt.date(2026, 3, 16)
    # Editing the session (another field of the item) keeps its done date.
    item = db.session.get(ActionItem, ours.id)
    services.update_session(actors.staff, db.session.get(type(session), session.id), {
        "date": session.date, "duration_minutes": 60, "mode": "phone"}, [
        {"id": ours.id, "description": "Déposer les statuts au tribunal", "owner_kind": "project",
         "owner_user_id": None, "due_date": None, "milestone_id": None}], session.version,
        today=dt.date(2026, 3, 20))
    db.session.commit()
    assert _done(ours.id) == dt.date(2026, 3, 16) and item.description == "Déposer les statuts au tribunal"
    # The audit trail holds every date it was done on ...
    trail = db.session.scalars(sa.select(AuditEvent.changes).where(
        AuditEvent.entity_type == "action_item", AuditEvent.entity_id == ours.id).order_by(AuditEvent.id)).all()
    done_changes = [c["done_date"] for c in trail if "done_date" in c]
    assert done_changes == [[None, "2026-03-02"], ["2026-03-02", None], [None, "2026-03-16"]]
    # ... and so does the item's history on the session page, for the team and for the holder.
    for client in (staff, holder):
        # (dates and names are wrapped in bidi isolates, for Arabic sentences)
        page = client.get(f"/sessions/{session.id}").get_data(as_text=True).replace("\u2068", "").replace("\u2069", "")
        assert "Rouverte le 9 mars 2026, " in page and "elle avait été faite le 2 mars 2026" in page
        assert "Marquée faite le 2 mars 2026" in page and "Marquée faite le 16 mars 2026" in page


def test_the_history_takes_one_query_whatever_the_number_of_items(actors, count_queries):
    session = _session(actors)
    items = [ActionItemFactory(session=session) for _ in range(6)]
    for item in items:
        services.complete_action_item(actors.staff, item, today=DONE_FIRST)
    db.session.flush()
    with count_queries() as queries:
        history = services.done_history(items)
    assert len(queries) == 1
    assert {len(history[i.id]) for i in items} == {1}
