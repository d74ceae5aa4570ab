"""'Forgot password' (issue 17): one answer for every address, a one-hour single-use link, throttled,
and using it ends every other session."""

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from freezegun import freeze_time

from tests.conftest import login
from tests.mailsink import link_in, text_of
from tracker.auth.models import User
from tracker.auth.services import verify_password
from tracker.core.audit import AuditEvent
from tracker.extensions import db

NEW_PASSWORD = "nouveau-mot-de-passe-1"


def _ask(client, address, addr="10.1.1.1"):
    return client.post("/password/forgot", data={"email": address}, environ_base={"REMOTE_ADDR": addr})


def _page(response) -> bytes:
    """The answer without its CSRF token: Flask-WTF signs it with the current second, so two pages of the same
    visitor differ there across a second boundary whatever the address typed."""
    return re.sub(rb'name="csrf_token" value="[^"]*"', b"", response.get_data())


def _path(message) -> str:
    return urlsplit(link_in(message)).path


def test_unknown_address_sends_nothing_and_gets_the_same_answer(app, actors, sink):
    client = app.test_client()  # one visitor, whose session exists already
    client.get("/password/forgot")
    known = _ask(client, actors.staff.email)
    unknown = _ask(client, "personne@example.org")
    assert known.status_code == unknown.status_code == 200
    assert _page(known) == _page(unknown)
    assert dict(known.headers) == dict(unknown.headers)
    assert [m["To"] for m in sink.wait_for(1)] == [actors.staff.email]
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "password_reset_requested")
                                .order_by(AuditEvent.id)).all()
    assert [e.entity_id for e in events] == [actors.staff.id, None]
    assert "personne@example.org" not in str(events[1].changes)  # a fingerprint, not the address


def test_a_deactivated_account_gets_nothing(app, actors, login_as, sink):
    login_as("admin").post(f"/admin/users/{actors.staff.id}/deactivate")
    assert _ask(app.test_client(), actors.staff.email).status_code == 200
    assert sink.messages == []


def test_the_link_sets_a_new_password_once_and_ends_every_other_session(app, actors, sink):
    other_device = login(app.test_client(), actors.staff)
    assert other_device.get("/").status_code == 200
    _ask(app.test_client(), actors.staff.email)
    [message] = sink.wait_for(1)
    assert "Mowakaba" in message["Subject"] and "60 minutes" in text_of(message)
    path = _path(message)
    here = app.test_client()
    assert here.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert here.get("/").status_code == 200
    assert other_device.get("/").status_code == 302  # the session on the other device has ended
    assert here.post(path, data={"password": "encore-un-autre-1", "confirm": "encore-un-autre-1"}).status_code == 404
    db.session.expire_all()
    user = db.session.get(User, actors.staff.id)
    assert verify_password(user, NEW_PASSWORD)
    assert db.session.scalar(sa.select(AuditEvent.changes).where(
        AuditEvent.action == "password_changed", AuditEvent.entity_id == user.id)) == {"via": [None, "reset"]}


def test_the_link_lasts_one_hour(app, actors, sink):
    with freeze_time("2026-05-04 10:00:00"):
        _ask(app.test_client(), actors.staff.email)
    path = _path(sink.wait_for(1)[0])
    with freeze_time("2026-05-04 10:59:00"):
        assert app.test_client().get(path).status_code == 200
    with freeze_time("2026-05-04 11:00:30"):
        assert app.test_client().get(path).status_code == 404


def test_a_newer_link_replaces_the_older(app, actors, sink):
    _ask(app.test_client(), actors.staff.email)
    _ask(app.test_client(), actors.staff.email)
    first, second = sink.wait_for(2)
    assert app.test_client().get(_path(first)).status_code == 404
    assert app.test_client().get(_path(second)).status_code == 200


def test_a_short_password_is_refused_and_the_link_stays_valid(app, actors, sink):
    _ask(app.test_client(), actors.staff.email)
    path = _path(sink.wait_for(1)[0])
    short = app.test_client().post(path, data={"password": "court", "confirm": "court"})
    assert short.status_code == 200 and "au moins 12 caractères" in short.get_data(as_text=True)
    assert app.test_client().get(path).status_code == 200


def test_requests_are_throttled_per_address_typed(app, actors, sink, reset_throttle):
    client = app.test_client()
    answers = [_ask(client, actors.staff.email, addr=f"10.2.0.{n}") for n in range(5)]
    assert {a.status_code for a in answers} == {200}
    assert len({_page(a) for a in answers}) == 1  # the same answer, throttled or not
    assert len(sink.wait_for(3, timeout=3)) == 3  # RESET_LIMIT_PER_ACCOUNT: 3 per hour


def test_requests_are_throttled_per_client_address(app, actors, sink, reset_throttle, monkeypatch):
    from limits import parse

    from tracker.auth import throttle

    monkeypatch.setattr(reset_throttle, "per_address", parse("2 per hour"))
    for user in (actors.staff, actors.manager, actors.admin):
        assert _ask(app.test_client(), user.email, addr="10.3.0.1").status_code == 200
    assert [m["To"] for m in sink.wait_for(2)] == [actors.staff.email, actors.manager.email]
    assert _ask(app.test_client(), actors.admin.email, addr="10.3.0.2").status_code == 200
    assert len(sink.wait_for(3)) == 3
    assert throttle.EXTENSION in app.extensions
