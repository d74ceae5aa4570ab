"""Sessions: cookie flags, idle timeout, per-user session token (issue 8, point 2)."""

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

import pytest
from markupsafe import escape

from config import ProductionConfig
from tests.conftest import PASSWORD, login
from tracker.auth import services
from tracker.core.security import LAST_SEEN
from tracker.extensions import db

EXPIRED = "Votre session a expiré après 30 minutes d'inactivité. Connectez-vous à nouveau."


def set_cookies(response):
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def test_session_and_remember_cookies_are_httponly_and_samesite_lax(client, actors):
    response = client.post("/login", data={"email": actors.staff.email, "password": PASSWORD, "remember": "y"})
    cookies = set_cookies(response)
    for name in ("session", "remember_token"):
        assert "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name]
        assert "Secure" not in cookies[name]  # development and tests run on plain http
    # "Stay signed in" lasts 12 hours, not Flask-Login's default year.
    expires = parsedate_to_datetime(cookies["remember_token"].split("Expires=")[1].split(";")[0])
    assert abs((expires - datetime.now(UTC)).total_seconds() - 12 * 3600) < 60


def test_production_cookies_are_secure_and_https_gets_hsts(make_app, actors, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "production-secret-for-test")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example.org/x")
    production = make_app(ProductionConfig, SECRET_KEY="production-secret-for-test")
    client = production.test_client()
    response = client.post("/login", base_url="https://mowakaba.example.org",
                           data={"email": actors.staff.email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    cookies = set_cookies(response)
    for name in ("__Host-session", "__Host-remember_token"):
        assert "Secure" in cookies[name] and "HttpOnly" in cookies[name] and "SameSite=Lax" in cookies[name]
        assert "Path=/" in cookies[name] and "Domain" not in cookies[name]
    # The renamed cookies still carry the session: the next page opens signed in.
    assert client.get("/", base_url="https://mowakaba.example.org").status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # Behind the proxy (PROXY_COUNT=1 in production) the scheme comes from X-Forwarded-Proto.
    proxied = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in proxied.headers
    plain = production.test_client().get("/login", base_url="http://mowakaba.example.org")
    assert "Strict-Transport-Security" not in plain.headers


def _age_session(client, seconds):
    with client.session_transaction() as session:
        session[LAST_SEEN] -= seconds


def test_idle_session_ends_and_comes_back_to_the_page(client, actors):
    login(client, actors.staff)
    assert client.get("/").status_code == 200
    _age_session(client, 31 * 60)
    response = client.get("/projects/?q=x")
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")
    assert unquote(response.location.split("next=")[1]) == "/projects/?q=x"
    page = client.get(response.location)
    assert page.status_code == 200 and str(escape(EXPIRED)) in page.get_data(as_text=True)
    assert client.get("/").status_code == 302
    # Signing in again leads back to the page the user was on.
    again = client.post(response.location, data={"email": actors.staff.email, "password": PASSWORD})
    assert again.location == "/projects/?q=x"


def test_activity_keeps_the_session_alive(client, actors, app):
    login(client, actors.staff)
    client.get("/")
    for _ in range(3):  # 29 idle minutes, three times over: 87 minutes in all, never 30 in a row
        _age_session(client, 29 * 60)
        assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        assert abs(session[LAST_SEEN] - time.time()) < 60


@pytest.mark.parametrize("address, headers", [
    ("/pickers/cohorts?q=a", {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}),  # a picker's search
    ("/sw.js", {"Sec-Fetch-Mode": "same-origin", "Sec-Fetch-Dest": "serviceworker"}),  # the worker's update
])
def test_the_browsers_own_fetches_leave_the_session_cookie_alone(client, actors, address, headers):
    """A fetch sent before a form and answered after its redirect would put back the cookie it was sent
    with, and the form's confirmation would be lost: the journey test once saw an account created with no
    message. A fetch is not the user's activity either, so it does not move the idle clock."""
    login(client, actors.staff)
    _age_session(client, 10 * 60)
    with client.session_transaction() as session:
        before = session[LAST_SEEN]
    response = client.get(address, headers=headers)
    assert response.status_code == 200
    assert "session" not in set_cookies(response)
    with client.session_transaction() as session:
        assert session[LAST_SEEN] == before
    # The next page the user opens moves the clock.
    page = client.get("/", headers={"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"})
    assert page.status_code == 200 and "session" in set_cookies(page)
    with client.session_transaction() as session:
        assert abs(session[LAST_SEEN] - time.time()) < 5


def test_the_idle_clock_moves_at_most_once_a_minute(client, actors):
    """Pages opened within the minute leave the cookie as it is, so fewer answers can overwrite another."""
    login(client, actors.staff)
    client.get("/")  # the first page also keeps the form token in the session
    assert "session" not in set_cookies(client.get("/"))
    _age_session(client, 61)
    assert "session" in set_cookies(client.get("/"))
    assert "session" not in set_cookies(client.get("/projects/"))


def test_idle_timeout_is_configurable(client, actors, app, monkeypatch):
    monkeypatch.setitem(app.config, "IDLE_TIMEOUT_MINUTES", 5)
    login(client, actors.staff)
    _age_session(client, 6 * 60)
    assert client.get("/").status_code == 302


def test_idle_timeout_also_drops_the_remember_me_cookie(client, actors):
    client.post("/login", data={"email": actors.staff.email, "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None
    _age_session(client, 31 * 60)
    response = client.get("/")
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is None
    assert client.get("/").status_code == 302


def test_a_signed_in_cookie_without_a_time_counts_as_idle(client, actors):
    login(client, actors.staff)
    with client.session_transaction() as session:
        del session[LAST_SEEN]
    assert client.get("/").status_code == 302


def test_remember_me_restores_a_session_after_the_browser_closed(app, actors):
    client = app.test_client()
    client.post("/login", data={"email": actors.staff.email, "password": PASSWORD, "remember": "y"})
    remember = client.get_cookie("remember_token").value
    reopened = app.test_client()  # no session cookie: the browser was closed
    reopened.set_cookie("remember_token", remember)
    assert reopened.get("/").status_code == 200


def test_logout_makes_a_copied_cookie_useless(app, client, actors):
    login(client, actors.staff)
    copied = client.get_cookie("session").value
    other_device = login(app.test_client(), actors.staff)
    assert client.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", copied)
    response = replay.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
    # The token is per user: logging out ends the account's other sessions as well.
    assert other_device.get("/").status_code == 302


def test_logout_makes_a_copied_remember_me_cookie_useless(app, client, actors):
    client.post("/login", data={"email": actors.staff.email, "password": PASSWORD, "remember": "y"})
    remember = client.get_cookie("remember_token").value
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is None  # and the browser is told to drop it
    replay = app.test_client()
    replay.set_cookie("remember_token", remember)
    assert replay.get("/").status_code == 302


def test_logout_keeps_the_language(client, actors):
    client.post("/language", data={"locale": "ar"})
    login(client, actors.staff)
    client.post("/logout")
    assert 'dir="rtl"' in client.get("/login").get_data(as_text=True)


def test_password_change_keeps_this_session_and_ends_copies(app, client, actors):
    login(client, actors.staff)
    copied = client.get_cookie("session").value
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "password": "another-long-one", "confirm": "another-long-one"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    replay = app.test_client()
    replay.set_cookie("session", copied)
    assert replay.get("/").status_code == 302


def test_admin_password_reset_and_deactivation_end_sessions(app, actors):
    staff_client = login(app.test_client(), actors.staff)
    services.set_password(actors.admin, actors.staff, "reset-by-the-admin")
    db.session.flush()
    assert staff_client.get("/").status_code == 302
    manager_client = login(app.test_client(), actors.manager)
    token = actors.manager.session_token
    admin_client = login(app.test_client(), actors.admin)
    assert admin_client.post(f"/admin/users/{actors.manager.id}/deactivate").status_code == 302
    db.session.refresh(actors.manager)
    assert actors.manager.session_token != token
    assert manager_client.get("/").status_code == 302
