"""Login abuse: failed logins are throttled per account and per client address (issue 8, point 1)."""

import uuid

import pytest
import redis

from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tracker.extensions import db

REDIS_URL = "redis://127.0.0.1:6379/0"
TOO_MANY = "Trop de tentatives. Patientez quelques minutes avant de réessayer."
WRONG = "Adresse e-mail ou mot de passe incorrect."


def attempt(client, email, password="wrong-password-1", addr="10.0.0.1", **kwargs):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": addr}, **kwargs)


def fail(client, email, times, addr="10.0.0.1"):
    for n in range(times):
        response = attempt(client, email, addr=addr)
        assert response.status_code == 200, f"failure {n + 1} of {times}"
        assert WRONG in response.get_data(as_text=True)


def test_ten_failures_then_429_even_with_the_right_password(app, client, actors, throttle):
    fail(client, actors.staff.email, 10)
    blocked = attempt(app.test_client(), actors.staff.email, PASSWORD)
    assert blocked.status_code == 429
    assert TOO_MANY in blocked.get_data(as_text=True)
    assert 1 <= int(blocked.headers["Retry-After"]) <= 15 * 60
    assert blocked.headers["Cache-Control"] == "no-store"
    # The blocked attempt never reached the password check: no login, the counter stays at 10.
    db.session.refresh(actors.staff)
    assert actors.staff.failed_login_count == 10
    assert actors.staff.last_login_at is None
    # Case and spaces do not open a new budget for the same account.
    assert attempt(app.test_client(), f"  {actors.staff.email.upper()} ", PASSWORD).status_code == 429


def test_nine_failures_do_not_block(app, client, actors, throttle):
    fail(client, actors.staff.email, 9)
    assert attempt(app.test_client(), actors.staff.email, PASSWORD).status_code == 302


def test_the_429_page_is_translated(app, client, actors, throttle):
    fail(client, actors.staff.email, 10)
    blocked = attempt(app.test_client(), actors.staff.email, PASSWORD, headers={"Accept-Language": "ar"})
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert "محاولات كثيرة جدًا" in page and 'dir="rtl"' in page


def test_successful_logins_never_count(app, actors, throttle):
    for _ in range(12):
        assert attempt(app.test_client(), actors.staff.email, PASSWORD).status_code == 302


def test_success_resets_the_account_budget_and_the_counter(app, client, actors, throttle):
    # Each failure from its own address, so only the account's budget is at stake.
    for n in range(9):
        fail(client, actors.staff.email, 1, addr=f"10.0.1.{n}")
    db.session.refresh(actors.staff)
    assert actors.staff.failed_login_count == 9
    assert attempt(app.test_client(), actors.staff.email, PASSWORD, addr="10.0.2.1").status_code == 302
    db.session.refresh(actors.staff)
    assert actors.staff.failed_login_count == 0
    assert actors.staff.last_login_at is not None
    # A fresh budget of ten: without the reset the second failure below would already be the eleventh.
    for n in range(10):
        fail(client, actors.staff.email, 1, addr=f"10.0.3.{n}")
    assert attempt(app.test_client(), actors.staff.email, PASSWORD, addr="10.0.4.1").status_code == 429


def test_blocked_account_and_address_leave_others_alone(app, client, actors, throttle):
    fail(client, actors.staff.email, 10, addr="10.0.0.1")
    # The account is blocked from any address ...
    assert attempt(app.test_client(), actors.staff.email, PASSWORD, addr="10.0.0.2").status_code == 429
    # ... the address is blocked for any account ...
    assert attempt(app.test_client(), actors.manager.email, PASSWORD, addr="10.0.0.1").status_code == 429
    # ... and another account from another address signs in.
    assert attempt(app.test_client(), actors.manager.email, PASSWORD, addr="10.0.0.2").status_code == 302


def test_spraying_many_accounts_from_one_address_is_blocked(app, client, actors, throttle):
    for n in range(10):
        fail(client, f"guess{n}@example.org", 1, addr="10.0.9.9")
    assert attempt(app.test_client(), actors.staff.email, PASSWORD, addr="10.0.9.9").status_code == 429
    assert attempt(app.test_client(), actors.staff.email, PASSWORD, addr="10.0.9.8").status_code == 302


def test_forged_forwarded_for_is_ignored_without_a_proxy(app, client, actors, throttle):
    for n in range(10):
        response = attempt(client, f"guess{n}@example.org", addr="10.0.0.1",
                           headers={"X-Forwarded-For": f"198.51.100.{n}"})
        assert response.status_code == 200
    assert attempt(app.test_client(), actors.staff.email, PASSWORD, addr="10.0.0.1",
                   headers={"X-Forwarded-For": "198.51.100.200"}).status_code == 429


def test_behind_a_proxy_the_forwarded_client_address_counts(make_app, actors):
    proxied = make_app(PROXY_COUNT=1, LOGIN_THROTTLE_ENABLED=True)
    client = proxied.test_client()
    for n in range(10):
        response = attempt(client, f"guess{n}@example.org", addr="10.0.0.1",
                           headers={"X-Forwarded-For": "198.51.100.7"})
        assert response.status_code == 200
    # Same proxy, same client: blocked; same proxy, another client: free.
    assert attempt(proxied.test_client(), actors.staff.email, PASSWORD, addr="10.0.0.1",
                   headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 429
    assert attempt(proxied.test_client(), actors.staff.email, PASSWORD, addr="10.0.0.1",
                   headers={"X-Forwarded-For": "198.51.100.8"}).status_code == 302


def test_throttle_off_means_no_limit(app, client, actors):
    """The switch the rest of the suite runs with: proves the tests above exercise the throttle."""
    assert app.config["LOGIN_THROTTLE_ENABLED"] is False
    fail(client, actors.staff.email, 11)
    assert attempt(app.test_client(), actors.staff.email, PASSWORD).status_code == 302


@pytest.fixture
def redis_prefix():
    prefix = f"mowakaba-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)


def test_redis_storage_is_shared_between_app_servers(make_app, actors, redis_prefix):
    first = make_app(REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix, LOGIN_THROTTLE_ENABLED=True)
    second = make_app(REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix, LOGIN_THROTTLE_ENABLED=True)
    assert first.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    fail(first.test_client(), actors.staff.email, 5, addr="10.0.5.1")
    fail(second.test_client(), actors.staff.email, 5, addr="10.0.5.2")
    # Each server saw five failures; together they are ten, from two addresses: the account is blocked.
    assert attempt(first.test_client(), actors.staff.email, PASSWORD, addr="10.0.5.3").status_code == 429
    assert attempt(second.test_client(), actors.staff.email, PASSWORD, addr="10.0.5.3").status_code == 429
    keys = [key.decode() for key in redis.Redis.from_url(REDIS_URL).scan_iter(f"*{redis_prefix}*")]
    assert any("login-account" in key for key in keys)
    assert any("login-address" in key for key in keys)
    # No personal data in Redis: the e-mail is stored hashed.
    assert not any(actors.staff.email.split("@")[0] in key for key in keys)


def test_an_unreachable_redis_still_throttles_in_memory(make_app, actors):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0", LOGIN_THROTTLE_ENABLED=True)
    fail(app.test_client(), actors.staff.email, 10)
    assert attempt(app.test_client(), actors.staff.email, PASSWORD).status_code == 429
    other = UserFactory(role="staff")
    db.session.flush()
    assert attempt(app.test_client(), other.email, PASSWORD, addr="10.0.7.7").status_code == 302
