"""Invitations (issue 17): an account without a password, an e-mail with a single-use link of 7 days."""

import datetime as dt
from urllib.parse import urlsplit

import sqlalchemy as sa
from freezegun import freeze_time

from tests.conftest import login
from tests.factories import ProjectFactory
from tests.mailsink import html_of, link_in, text_of
from tracker.auth.models import AuthToken, User
from tracker.auth.services import verify_password
from tracker.core.audit import AuditEvent
from tracker.extensions import db

NEW_PASSWORD = "un-mot-de-passe-solide"


def _invite(client, project, email="nouvelle.porteuse@example.org", locale="fr"):
    response = client.post("/admin/users/new", data={
        "email": email, "display_name": "Nadia Fictive", "role": "holder", "locale": locale,
        "project_ids": [str(project.id)]})
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    return db.session.scalar(sa.select(User).where(User.email == email))


def _path(link: str) -> str:
    return urlsplit(link).path


def test_invitation_email_link_sets_the_password_then_login_works(app, actors, login_as, sink):
    user = _invite(login_as("admin"), actors.project)
    [message] = sink.wait_for(1)
    assert message["To"] == user.email and message["From"] == "suivi@example.org"
    assert "Mowakaba" in message["Subject"] and message["Content-Language"] == "fr"
    assert message.get_content_type() == "multipart/alternative"
    link = link_in(message)
    assert link in text_of(message) and f'href="{link}"' in html_of(message)
    assert actors.project.name in text_of(message)

    visitor = app.test_client()
    form = visitor.get(_path(link))
    assert form.status_code == 200 and user.email in form.get_data(as_text=True)
    done = visitor.post(_path(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.location == "/"
    assert visitor.get("/").status_code == 200  # signed in by the link
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id), NEW_PASSWORD)
    login(app.test_client(), user, NEW_PASSWORD)
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_id == user.id,
                                                                    AuditEvent.entity_type == "user")).all()
    assert {"create", "invitation_sent", "password_changed"} <= set(actions)


def test_the_link_works_once_only(app, actors, login_as, sink):
    user = _invite(login_as("admin"), actors.project)
    path = _path(link_in(sink.wait_for(1)[0]))
    client = app.test_client()
    assert client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    again = app.test_client().post(path, data={"password": "un-autre-mot-de-passe", "confirm": "un-autre-mot-de-passe"})
    assert again.status_code == 404 and "plus valable" in again.get_data(as_text=True)
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id), NEW_PASSWORD)


def test_the_link_expires_after_seven_days(app, actors, login_as, sink):
    with freeze_time("2026-03-01 09:00:00"):
        user = _invite(login_as("admin"), actors.project)
    path = _path(link_in(sink.wait_for(1)[0]))
    with freeze_time("2026-03-08 08:59:00"):
        assert app.test_client().get(path).status_code == 200  # still valid a minute before
    with freeze_time("2026-03-08 09:01:00"):
        late = app.test_client().post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert late.status_code == 404
    db.session.expire_all()
    assert not db.session.get(User, user.id).has_password


def test_deactivation_revokes_the_link(app, actors, login_as, sink):
    admin = login_as("admin")
    user = _invite(admin, actors.project)
    path = _path(link_in(sink.wait_for(1)[0]))
    assert admin.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert app.test_client().post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 404
    token = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_id == user.id))
    assert token is not None
    assert db.session.scalar(sa.select(AuthToken.revoked_at).where(AuthToken.user_id == user.id)) is not None


def test_resending_replaces_the_link(app, actors, login_as, sink):
    admin = login_as("admin")
    user = _invite(admin, actors.project)
    first = _path(link_in(sink.wait_for(1)[0]))
    assert admin.post(f"/invitations/{user.id}/resend", data={"next": "/admin/users"}).status_code == 302
    second = _path(link_in(sink.wait_for(2)[1]))
    assert first != second
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200


def test_the_invitation_is_in_the_persons_language(actors, login_as, sink):
    _invite(login_as("admin"), actors.project, email="hind@example.org", locale="ar")
    [message] = sink.wait_for(1)
    assert message["Content-Language"] == "ar"
    assert "كلمة" in text_of(message) and 'dir="rtl"' in html_of(message)


def test_staff_invite_holders_to_their_own_projects_only(actors, login_as, sink):
    mine = ProjectFactory(cohort=actors.cohort)
    mine.staff = [actors.staff]
    db.session.commit()
    staff = login_as("staff")
    refused = staff.post("/invitations/new", data={"email": "a@example.org", "display_name": "A", "locale": "fr",
                                                   "project_ids": [str(actors.project.id)]})
    assert refused.status_code == 200 and "qui vous sont confiés" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "a@example.org")) is None
    ok = staff.post("/invitations/new", data={"email": "b@example.org", "display_name": "B", "locale": "fr",
                                              "project_ids": [str(mine.id)]})
    assert ok.status_code == 302
    invited = db.session.scalar(sa.select(User).where(User.email == "b@example.org"))
    assert invited.role == "holder" and [p.id for p in invited.projects] == [mine.id]
    assert [m["To"] for m in sink.wait_for(1)] == ["b@example.org"]


def test_an_invited_account_cannot_log_in_before_choosing_a_password(app, actors, login_as, sink):
    user = _invite(login_as("admin"), actors.project)
    response = app.test_client().post("/login", data={"email": user.email, "password": "!invited"})
    assert response.status_code == 200 and "incorrect" in response.get_data(as_text=True)


def test_cli_invites(app, actors, runner, sink):
    result = runner.invoke(args=["users", "invite", "--email", "cli.porteur@example.org", "--role", "holder",
                                 "--project", actors.project.code, "--cohort", actors.cohort.slug,
                                 "--locale", "en"], env={"BASE_URL": "https://mowakaba.example.org"})
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "cli.porteur@example.org"))
    assert [p.id for p in user.projects] == [actors.project.id] and user.locale == "en"
    [message] = sink.wait_for(1)
    assert link_in(message).startswith("https://mowakaba.example.org/password/set/")
    assert "invites you" in text_of(message)


def test_cli_refuses_an_unknown_project(runner, actors, sink):
    result = runner.invoke(args=["users", "invite", "--email", "x@example.org", "--role", "holder",
                                 "--project", "NOPE", "--cohort", actors.cohort.slug],
                           env={"BASE_URL": "https://mowakaba.example.org"})
    assert result.exit_code != 0 and "NOPE" in result.output
    assert sink.messages == []


def test_token_expiry_is_seven_days(app, actors, login_as, sink):
    user = _invite(login_as("admin"), actors.project)
    token = db.session.scalar(sa.select(AuthToken).where(AuthToken.user_id == user.id))
    assert token.expires_at - token.created_at == dt.timedelta(days=7)
