"""Login abuse without denial of service (issue 8 point 1, issue 15 point 5).

Failed logins are throttled per (account, client address) and per address; an account alone is only
slowed down (growing delays up to a cap, answered at once with Retry-After, never a held worker); a
signed known-device cookie lets the owner in while strangers are throttled; lock-outs and unlocks are
audited. Time is frozen and moved by hand (freezegun): no test sleeps.
"""

import datetime as dt
import uuid

import pytest
import redis
import sqlalchemy as sa
from freezegun import freeze_time

from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tracker.auth.cli import users_cli
from tracker.core.audit import AuditEvent
from tracker.core.limiter import delay_for
from tracker.extensions import db

REDIS_URL = "redis://127.0.0.1:6379/0"
TOO_MANY = "Trop de tentatives. Patientez quelques minutes avant de réessayer."
WRONG = "Adresse e-mail ou mot de passe incorrect."
DEVICE_COOKIE = "mowakaba_device"
# Far in the future on purpose: limits' memory storage prunes old entries from a timer thread, which
# freezegun leaves on real time; real time stays before START, so that thread never prunes what a test made.
START = dt.datetime(2099, 3, 2, 9, 0, 0)


def attempt(client, email, password="wrong-password-1", addr="10.0.0.1", **kwargs):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": addr}, **kwargs)


def fail(client, email, times, addr="10.0.0.1"):
    for n in range(times):
        response = attempt(client, email, addr=addr)
        assert response.status_code == 200, f"failure {n + 1} of {times}"
        assert WRONG in response.get_data(as_text=True)


def known_device(app, user, addr="192.0.2.10"):
    """A browser the owner signed in from (and signed out of): it keeps the known-device cookie."""
    client = app.test_client()
    assert attempt(client, user.email, PASSWORD, addr=addr).status_code == 302
    assert client.get_cookie(DEVICE_COOKIE) is not None
    client.post("/logout", environ_base={"REMOTE_ADDR": addr})
    return client


def events(action):
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture
def frozen():
    with freeze_time(START) as clock:
        yield clock


# ---------------------------------------------------------------- the delays (pure)

def test_delays_double_from_the_threshold_up_to_the_cap():
    assert [delay_for(n, 5, 2, 120) for n in range(1, 14)] == [0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 120, 120, 120]
    assert delay_for(10**6, 5, 2, 120) == 120


# ---------------------------------------------------------------- per (account, address) and per address

def test_five_failures_from_one_address_lock_that_pair_even_with_the_right_password(app, client, actors, throttle,
                                                                                     frozen):
    fail(client, actors.staff.email, 5)
    blocked = attempt(app.test_client(), actors.staff.email, PASSWORD)
    assert blocked.status_code == 429
    assert TOO_MANY in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) == 15 * 60
    assert blocked.headers["Cache-Control"] == "no-store"
    # The blocked attempt never reached the password check: no login, the counter stays at 5.
    db.session.refresh(actors.staff)
    assert actors.staff.failed_login_count == 5
    assert actors.staff.last_login_at is None
    # Case and spaces do not open a new budget for the same account.
    assert attempt(app.test_client(), f"  {actors.staff.email.upper()} ", PASSWORD).status_code == 429


def test_four_failures_do_not_block(app, client, actors, throttle, frozen):
    fail(client, actors.staff.email, 4)
    assert attempt(app.test_client(), actors.staff.email, PASSWORD).status_code == 302


def test_the_locked_pair_leaves_the_account_and_the_address_usable(app, client, actors, throttle, frozen):
    fail(client, actors.staff.email, 5, addr="10.0.0.1")
    frozen.tick(dt.timedelta(seconds=2))  # the account's first delay
    # The same account from another address ...
    assert attempt(app.test_client(), actors.staff.email, PASSWORD, addr="10.0.0.2").status_code == 302
    # ... and another account from the same address sign in.
    assert attempt(app.test_client(), actors.manager.email, PASSWORD, addr="10.0.0.1").status_code == 302


def test_spraying_many_accounts_from_one_address_locks_the_address(app, client, actors, throttle, frozen):
    for n in range(20):
        fail(client, f"guess{n}@example.org", 1, addr="10.0.9.9")
    assert attempt(app.test_client(), actors.staff.email, PASSWORD, addr="10.0.9.9").status_code == 429
    assert attempt(app.test_client(), actors.staff.email, PASSWORD, addr="10.0.9.8").status_code == 302


def test_the_window_frees_the_pair(app, client, actors, throttle, frozen):
    fail(client, actors.staff.email, 5)
    frozen.tick(dt.timedelta(minutes=15, seconds=1))
    assert attempt(app.test_client(), actors.staff.email, PASSWORD).status_code == 302


# ---------------------------------------------------------------- per account: slowed down, never locked

def test_an_account_attacked_from_everywhere_is_slowed_down_up_to_the_cap(app, actors, throttle, frozen):
    waits = []
    for n in range(12):  # each failure from a fresh address: only the account's own rule applies
        response = attempt(app.test_client(), actors.admin.email, addr=f"203.0.113.{n}")
        if response.status_code == 429:  # inside the wait: refused at once, and it does not count
            waits.append(int(response.headers["Retry-After"]))
            assert f"Patientez {waits[-1]} secondes" in response.get_data(as_text=True)
            frozen.tick(dt.timedelta(seconds=waits[-1]))
            response = attempt(app.test_client(), actors.admin.email, addr=f"203.0.113.{n}")
        assert response.status_code == 200, n
    assert waits == [2, 4, 8, 16, 32, 64, 120]
    db.session.refresh(actors.admin)
    assert actors.admin.failed_login_count == 12  # the refused attempts never reached the password check
    # The owner, from a browser that never signed in, waits at most the cap: never 15 minutes.
    owner = attempt(app.test_client(), actors.admin.email, PASSWORD, addr="192.0.2.77")
    assert owner.status_code == 429 and int(owner.headers["Retry-After"]) == 120
    frozen.tick(dt.timedelta(seconds=120))
    assert attempt(app.test_client(), actors.admin.email, PASSWORD, addr="192.0.2.77").status_code == 302


def test_fifty_failures_from_one_address_do_not_stop_the_owner_on_their_known_device(app, actors, throttle,
                                                                                      frozen):
    """The acceptance test of issue 15 point 5."""
    device = known_device(app, actors.admin)
    attacker = app.test_client()
    statuses = [attempt(attacker, actors.admin.email, addr="10.6.6.6").status_code for _ in range(50)]
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}
    # The address is throttled, for this account and for any other.
    assert attempt(app.test_client(), actors.admin.email, PASSWORD, addr="10.6.6.6").status_code == 429
    assert attempt(app.test_client(), actors.manager.email, PASSWORD, addr="10.6.6.6").status_code == 429
    scopes = sorted(e.changes["scope"][1] for e in events("login.lockout"))
    assert scopes == ["account_address", "address"]  # each audited once, whatever the number of refusals
    # A stranger with the right password elsewhere is slowed down ...
    assert attempt(app.test_client(), actors.admin.email, PASSWORD, addr="192.0.2.99").status_code == 429
    # ... the owner on their known device signs in at once, from home or from the attacker's own network.
    assert attempt(device, actors.admin.email, PASSWORD, addr="192.0.2.10").status_code == 302
    device.post("/logout", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert attempt(device, actors.admin.email, PASSWORD, addr="10.6.6.6").status_code == 302


def test_a_known_device_has_its_own_budget(app, actors, throttle, frozen):
    device = known_device(app, actors.staff)
    fail(device, actors.staff.email, 5, addr="10.1.1.1")
    assert attempt(device, actors.staff.email, PASSWORD, addr="10.1.1.1").status_code == 429
    # Its failures were not charged to the address: someone else there still signs in.
    assert attempt(app.test_client(), actors.manager.email, PASSWORD, addr="10.1.1.1").status_code == 302


def test_a_known_device_counts_only_for_the_accounts_that_signed_in_on_it(app, actors, throttle, frozen):
    device = known_device(app, actors.staff)
    fail(app.test_client(), actors.manager.email, 5, addr="10.2.2.2")
    assert attempt(device, actors.manager.email, PASSWORD, addr="10.2.2.2").status_code == 429


def test_a_forged_or_tampered_device_cookie_is_ignored(app, actors, throttle, frozen):
    device = known_device(app, actors.admin)
    fail(app.test_client(), actors.admin.email, 5, addr="10.3.3.3")
    value = device.get_cookie(DEVICE_COOKIE).value
    forged = app.test_client()
    forged.set_cookie(DEVICE_COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert attempt(forged, actors.admin.email, PASSWORD, addr="10.3.3.3").status_code == 429
    frozen.tick(dt.timedelta(days=91))  # older than KNOWN_DEVICE_DAYS: a stranger again
    fail(app.test_client(), actors.admin.email, 5, addr="10.3.3.4")
    assert attempt(device, actors.admin.email, PASSWORD, addr="10.3.3.4").status_code == 429


# ---------------------------------------------------------------- audit

def test_each_lock_out_and_unlock_is_audited_once(app, client, actors, throttle, frozen):
    fail(client, actors.staff.email, 5, addr="10.4.4.4")
    for _ in range(10):  # refused attempts add nothing to the trail
        assert attempt(client, actors.staff.email, addr="10.4.4.4").status_code == 429
    [lockout] = events("login.lockout")
    assert (lockout.entity_type, lockout.entity_id, lockout.ip) == ("user", actors.staff.id, "10.4.4.4")
    assert lockout.changes["scope"] == [None, "account_address"]
    assert lockout.changes["until"] == [None, "2099-03-02T09:15:00+00:00"]
    [slowdown] = events("login.slowdown")
    assert slowdown.entity_id == actors.staff.id and slowdown.changes["scope"] == [None, "account"]
    frozen.tick(dt.timedelta(seconds=2))
    assert attempt(app.test_client(), actors.staff.email, PASSWORD, addr="10.4.4.5").status_code == 302
    [unlock] = events("login.unlock")
    assert unlock.user_id == actors.staff.id and unlock.changes == {"scope": [None, ["account"]]}


def test_an_address_lockout_is_audited_without_an_account(app, client, throttle, frozen):
    for n in range(20):
        fail(client, f"guess{n}@example.org", 1, addr="10.5.5.5")
    address_lockouts = [e for e in events("login.lockout") if e.changes["scope"] == [None, "address"]]
    assert len(address_lockouts) == 1 and address_lockouts[0].ip == "10.5.5.5"


def test_an_admin_unlocks_from_the_command_line(app, runner, client, actors, throttle, frozen):
    fail(client, actors.staff.email, 5, addr="10.7.7.7")
    assert attempt(app.test_client(), actors.staff.email, PASSWORD, addr="10.7.7.7").status_code == 429
    result = runner.invoke(users_cli, ["unlock", "--email", actors.staff.email.upper(), "--address", "10.7.7.7"])
    assert result.exit_code == 0, result.output
    assert attempt(app.test_client(), actors.staff.email, PASSWORD, addr="10.7.7.7").status_code == 302
    manual = [e for e in events("login.unlock") if "manual" in e.changes["scope"][1]]
    assert len(manual) == 1 and manual[0].entity_id == actors.staff.id
    assert runner.invoke(users_cli, ["unlock", "--email", "nobody@example.org"]).exit_code == 1


# ---------------------------------------------------------------- kept from issue 8

def test_the_429_page_is_translated(app, client, actors, throttle, frozen):
    fail(client, actors.staff.email, 5)
    blocked = attempt(app.test_client(), actors.staff.email, PASSWORD, headers={"Accept-Language": "ar"})
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert "محاولات كثيرة جدًا" in page and 'dir="rtl"' in page


def test_successful_logins_never_count(app, actors, throttle, frozen):
    for _ in range(12):
        assert attempt(app.test_client(), actors.staff.email, PASSWORD).status_code == 302


def test_success_resets_the_budgets_and_the_counter(app, client, actors, throttle, frozen):
    fail(client, actors.staff.email, 4, addr="10.0.1.1")
    db.session.refresh(actors.staff)
    assert actors.staff.failed_login_count == 4
    assert attempt(app.test_client(), actors.staff.email, PASSWORD, addr="10.0.1.1").status_code == 302
    db.session.refresh(actors.staff)
    assert actors.staff.failed_login_count == 0 and actors.staff.last_login_at is not None
    # A fresh budget of five: without the reset the second failure below would already be the sixth.
    fail(client, actors.staff.email, 5, addr="10.0.1.1")
    assert attempt(app.test_client(), actors.staff.email, PASSWORD, addr="10.0.1.1").status_code == 429


def test_forged_forwarded_for_is_ignored_without_a_proxy(app, client, actors, throttle, frozen):
    for n in range(20):
        response = attempt(client, f"guess{n}@example.org", addr="10.0.0.1",
                           headers={"X-Forwarded-For": f"198.51.100.{n}"})
        assert response.status_code == 200
    assert attempt(app.test_client(), actors.staff.email, PASSWORD, addr="10.0.0.1",
                   headers={"X-Forwarded-For": "198.51.100.200"}).status_code == 429


def test_behind_a_proxy_the_forwarded_client_address_counts(make_app, actors):
    proxied = make_app(PROXY_COUNT=1, LOGIN_THROTTLE_ENABLED=True)
    client = proxied.test_client()
    for n in range(20):
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
    fail(client, actors.staff.email, 21)
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
    fail(first.test_client(), actors.staff.email, 3, addr="10.0.5.1")
    fail(second.test_client(), actors.staff.email, 2, addr="10.0.5.1")
    # Each server saw some failures from the same address; together they are five: the pair is locked.
    assert attempt(first.test_client(), actors.staff.email, PASSWORD, addr="10.0.5.1").status_code == 429
    assert attempt(second.test_client(), actors.staff.email, PASSWORD, addr="10.0.5.1").status_code == 429
    # And the account's delay, set by the fifth failure on one server, holds on the other.
    delayed = attempt(first.test_client(), actors.staff.email, PASSWORD, addr="10.0.5.9")
    assert delayed.status_code == 429 and 1 <= int(delayed.headers["Retry-After"]) <= 2
    keys = [key.decode() for key in redis.Redis.from_url(REDIS_URL).scan_iter(f"*{redis_prefix}*")]
    for kind in ("login-pair", "login-address", "login-account", "login-wait"):
        assert any(kind in key for key in keys), kind
    # No personal data in Redis: the e-mail is stored as a keyed hash.
    assert not any(actors.staff.email.split("@")[0] in key for key in keys)


def test_an_unreachable_redis_still_throttles_in_memory(make_app, actors):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0", LOGIN_THROTTLE_ENABLED=True)
    fail(app.test_client(), actors.staff.email, 5)
    assert attempt(app.test_client(), actors.staff.email, PASSWORD).status_code == 429
    other = UserFactory(role="staff")
    db.session.flush()
    assert attempt(app.test_client(), other.email, PASSWORD, addr="10.0.7.7").status_code == 302
