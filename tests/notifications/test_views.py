"""The inbox, its bell and the preferences page (issue 17)."""

import sqlalchemy as sa

from tests.mentoring.factories import ActionItemFactory, MentoringSessionFactory
from tracker.extensions import db
from tracker.mentoring.models import ActionItem
from tracker.notifications.models import Kind, Notification, NotificationPreference


def _note(user, project, kind=Kind.SESSION_LOGGED, **extra):
    note = Notification(user_id=user.id, kind=kind, project_id=project.id,
                        entity_type=extra.pop("entity_type", "project"), entity_id=extra.pop("entity_id", project.id),
                        params={"project": project.name, "date": "2026-01-05", "mentor": "Mentor Fictif", **extra})
    db.session.add(note)
    db.session.commit()
    return note


def test_the_bell_counts_unread_notifications(actors, login_as):
    client = login_as("holder")
    assert 'data-unread' not in client.get("/").get_data(as_text=True)
    _note(actors.holder, actors.project)
    _note(actors.holder, actors.project)
    page = client.get("/projects/").get_data(as_text=True)
    assert 'data-unread="2"' in page and 'id="bell"' in page


def test_opening_a_notification_marks_it_read_and_leads_to_its_page(actors, login_as):
    note = _note(actors.holder, actors.project)
    client = login_as("holder")
    response = client.get(f"/notifications/{note.id}")
    assert response.status_code == 302 and response.location == f"/projects/{actors.project.id}"
    db.session.refresh(note)
    assert note.read_at is not None
    assert login_as("staff").get(f"/notifications/{note.id}").status_code == 404  # someone else's


def test_the_inbox_lists_newest_first_and_marks_all_read(actors, login_as):
    first = _note(actors.staff, actors.project, Kind.PROJECT_QUIET)
    second = _note(actors.staff, actors.project, Kind.REPORT_SUBMITTED, period="2025-T1",
                   entity_type="period_report", entity_id=1)
    client = login_as("staff")
    page = client.get("/notifications/").get_data(as_text=True)
    assert page.index(f"/notifications/{second.id}") < page.index(f"/notifications/{first.id}")
    assert "à vous de le relire" in page
    assert client.post("/notifications/read-all").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == actors.staff.id, Notification.read_at.is_(None))) == 0


def test_an_action_item_is_marked_done_from_the_inbox(actors, login_as):
    session = MentoringSessionFactory(project=actors.project, mentor=actors.staff)
    item = ActionItemFactory(session=session, description="Déposer le dossier")
    _note(actors.holder, actors.project, Kind.ACTION_ITEM_ASSIGNED, entity_type="action_item", entity_id=item.id,
          item=item.description)
    client = login_as("holder")
    page = client.get("/notifications/").get_data(as_text=True)
    assert f"/sessions/action-items/{item.id}/done" in page
    response = client.post(f"/sessions/action-items/{item.id}/done", data={"next": "/notifications/"})
    assert response.location == "/notifications/"
    assert db.session.scalar(sa.select(ActionItem.done_date).where(ActionItem.id == item.id)) is not None
    assert f"/sessions/action-items/{item.id}/done" not in client.get("/notifications/").get_data(as_text=True)


def test_preferences_per_kind_for_the_role(actors, login_as):
    client = login_as("holder")
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert 'name="pref-report_due"' in page and 'name="pref-report_stalled"' not in page  # holders' kinds only
    client.post("/notifications/settings", data={"pref-report_due": "app", "pref-session_logged": "email",
                                                 "pref-report_stalled": "email"})
    stored = dict(db.session.execute(sa.select(NotificationPreference.kind, NotificationPreference.email_digest)
                                     .where(NotificationPreference.user_id == actors.holder.id)).all())
    assert stored[Kind.REPORT_DUE] is False and stored[Kind.SESSION_LOGGED] is True
    assert Kind.REPORT_STALLED not in stored
    assert 'id="pref-report_due-app" value="app" checked' in client.get("/notifications/settings").get_data(
        as_text=True)


def test_notifications_are_shown_in_the_readers_language(actors, login_as):
    actors.holder.locale = "ar"
    db.session.commit()
    _note(actors.holder, actors.project)
    page = login_as("holder").get("/notifications/").get_data(as_text=True)
    assert "سُجِّلت جلسة" in page and actors.project.name in page
