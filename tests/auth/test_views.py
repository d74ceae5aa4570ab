import sqlalchemy as sa

from tests.conftest import PASSWORD, login
from tracker.auth.models import User
from tracker.core.audit import AuditEvent
from tracker.extensions import db


def test_login_is_case_insensitive_on_email(client, actors):
    response = client.post("/login", data={"email": actors.staff.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == "/"
    assert client.get("/").status_code == 200


def test_wrong_email_and_wrong_password_get_the_same_message(client, actors):
    wrong_password = client.post("/login", data={"email": actors.staff.email, "password": "nope-nope-nope"})
    wrong_email = client.post("/login", data={"email": "nobody@example.org", "password": PASSWORD})
    assert wrong_password.status_code == wrong_email.status_code == 200
    message = "Adresse e-mail ou mot de passe incorrect."
    assert message in wrong_password.get_data(as_text=True)
    assert message in wrong_email.get_data(as_text=True)


def test_failed_attempts_are_counted_and_reset_on_success(client, actors):
    for _ in range(3):
        client.post("/login", data={"email": actors.staff.email, "password": "bad-password-1"})
    db.session.refresh(actors.staff)
    assert actors.staff.failed_login_count == 3
    failures = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "login_failed")).all()
    assert len(failures) == 3
    login(client, actors.staff)
    db.session.refresh(actors.staff)
    assert actors.staff.failed_login_count == 0
    assert actors.staff.last_login_at is not None


def test_deactivated_user_cannot_log_in_and_open_session_stops(app, actors, login_as):
    staff_client = login_as("staff")
    assert staff_client.get("/").status_code == 200
    admin_client = login_as("admin")
    response = admin_client.post(f"/admin/users/{actors.staff.id}/deactivate")
    assert response.status_code == 302
    # The staff member's open session is over: back to the login page.
    home = staff_client.get("/")
    assert home.status_code == 302 and home.location.startswith("/login")
    retry = app.test_client().post("/login", data={"email": actors.staff.email, "password": PASSWORD})
    assert retry.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in retry.get_data(as_text=True)


def test_anonymous_is_redirected_to_login_with_next(client):
    response = client.get("/projects/")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_next_parameter_never_leads_off_site(client, actors):
    for target in ("https://evil.example.com/", "//evil.example.com", "/\\evil.example.com"):
        response = client.post(f"/login?next={target}", data={"email": actors.staff.email, "password": PASSWORD})
        assert response.location == "/"
        client.post("/logout")
    response = client.post("/login?next=/projects/", data={"email": actors.staff.email, "password": PASSWORD})
    assert response.location == "/projects/"


def test_remember_me_is_off_by_default(client, actors):
    response = client.post("/login", data={"email": actors.staff.email, "password": PASSWORD})
    assert "remember_token" not in response.headers.get("Set-Cookie", "")
    form = client.get("/logout")  # GET logout is not allowed
    assert form.status_code == 405


def test_logout_ends_the_session(client, actors):
    login(client, actors.staff)
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_change_password_requires_ten_characters_and_ends_other_sessions(app, actors):
    first = login(app.test_client(), actors.staff)
    second = login(app.test_client(), actors.staff)
    short = first.post("/account/password",
                       data={"current_password": PASSWORD, "password": "short", "confirm": "short"})
    assert short.status_code == 200
    db.session.refresh(actors.staff)
    token = actors.staff.session_token
    ok = first.post("/account/password", data={
        "current_password": PASSWORD, "password": "a-much-longer-one", "confirm": "a-much-longer-one"})
    assert ok.status_code == 302
    db.session.refresh(actors.staff)
    assert actors.staff.session_token != token
    assert first.get("/").status_code == 200  # this session was renewed
    assert second.get("/").status_code == 302  # the other one is over
    assert login(app.test_client(), actors.staff, "a-much-longer-one")


def test_wrong_current_password_changes_nothing(client, actors):
    login(client, actors.staff)
    before = db.session.scalar(sa.select(User.password_hash).where(User.id == actors.staff.id))
    response = client.post("/account/password", data={
        "current_password": "wrong-password", "password": "a-much-longer-one", "confirm": "a-much-longer-one"})
    assert response.status_code == 200
    assert "Le mot de passe actuel est incorrect." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User.password_hash).where(User.id == actors.staff.id)) == before
