"""Login throttling on Flask-Limiter's storage, built so that nobody can lock another user out.

Only failures count, and the check runs before the password is looked at. Three budgets (issue 15):

- per (account, client address): LOGIN_LIMIT_PER_ACCOUNT_ADDRESS failures, then that address gets the 429
  page for that account until the moving window frees a slot;
- per client address, whatever the accounts: LOGIN_LIMIT_PER_ADDRESS (password spraying);
- per account alone, never a lock-out: after LOGIN_SLOWDOWN_AFTER failures in the window (from anywhere),
  each further attempt must wait LOGIN_DELAY_BASE_SECONDS × 2^k since the previous failure, up to
  LOGIN_DELAY_MAX_SECONDS. An attempt inside the wait is answered at once (429 with Retry-After), so a
  slowed-down account never holds a server worker.

A successful login leaves a signed "known device" cookie naming the account (a keyed hash, not the
e-mail). From a known device the owner is exempt from the address budget and from the account's delays;
its own failures count in a (account, device) budget instead of the address's. So a stranger failing
fifty times from anywhere slows strangers down, and the owner still signs in.

A budget that runs out is audited once (`login.lockout`, or `login.slowdown` when an account's delays
start), and so is every unlock: the owner signing in clears their account's delays and the budget of the
address or device they used (`login.unlock`), and `flask users unlock` does it by hand.

Each app gets its own Flask-Limiter instance (and storage connection): Redis when REDIS_URL is set, so
every app server sees the same counters, memory otherwise (per process). E-mails are hashed before they
become storage keys: no personal data in Redis.
"""

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass

from flask import after_this_request, current_app, request
from flask_babel import ngettext
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

EXTENSION = "mowakaba_login_throttle"
DEVICE_SALT = "mowakaba-known-device"
MAX_DEVICE_ACCOUNTS = 10  # a family or an office computer shared by a few people
log = logging.getLogger(__name__)


class Throttled(TooManyRequests):
    """A login attempt refused before its password was looked at. `events` lists the budgets this refusal
    exhausted (an address that keeps knocking), for the audit trail."""

    def __init__(self, retry_after: int, events: list[dict] | None = None):
        super().__init__(retry_after=retry_after)
        self.events = events or []


class LoginDelayed(Throttled):
    """The account is slowed down: try again in `wait` seconds (the 429 page says how long)."""

    def __init__(self, wait: int, events: list[dict] | None = None):
        super().__init__(wait, events)
        self.wait = wait
        self.detail_message = ngettext(
            "Trop de tentatives sur ce compte. Patientez %(num)s seconde avant de réessayer.",
            "Trop de tentatives sur ce compte. Patientez %(num)s secondes avant de réessayer.", wait)


def delay_for(failures: int, after: int, base: int, cap: int) -> int:
    """Seconds an account waits after its `failures`-th failure in the window: none up to `after`, then
    base, 2×base, 4×base… up to `cap`."""
    if failures < after:
        return 0
    return min(cap, base * 2 ** min(failures - after, 32))


@dataclass(frozen=True)
class Attempt:
    """Who is trying: the account (hashed), and where from: a known device of it, else the address."""

    account: str
    address: str
    device: str | None  # the known-device id when the cookie vouches for this account


class LoginThrottle:
    def __init__(self, app):
        config = app.config
        # Flask-Limiter builds the storage and the strategy from these (RATELIMIT_* settings).
        config.setdefault("RATELIMIT_STORAGE_URI", config.get("REDIS_URL") or "memory://")
        config.setdefault("RATELIMIT_STRATEGY", "moving-window")
        config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 2, "socket_timeout": 2}
                          if config["RATELIMIT_STORAGE_URI"].startswith("redis") else {})
        self.limiter = Limiter(key_func=get_remote_address)
        self.limiter.init_app(app)
        self.prefix = config["RATELIMIT_KEY_PREFIX"]
        self.per_pair = parse(config["LOGIN_LIMIT_PER_ACCOUNT_ADDRESS"])
        self.per_address = parse(config["LOGIN_LIMIT_PER_ADDRESS"])
        window = self.per_pair.get_expiry()
        # Failures per account are only counted (never refused): a generous amount over the same window.
        self.per_account = parse(f"100000 per {window} seconds")
        self.slowdown_after = int(config["LOGIN_SLOWDOWN_AFTER"])
        self.delay_base = int(config["LOGIN_DELAY_BASE_SECONDS"])
        self.delay_cap = int(config["LOGIN_DELAY_MAX_SECONDS"])
        self.secret = config["SECRET_KEY"]
        # If Redis is unreachable, keep throttling in this process rather than refusing every login.
        self._fallback_storage = MemoryStorage()
        self._fallback = MovingWindowRateLimiter(self._fallback_storage)

    # ------------------------------------------------------------ storage, with the memory fallback

    def _run(self, method: str, *args):
        try:
            return getattr(self.limiter.limiter, method)(*args)
        except Exception as error:  # storage down: redis raises its own errors, limits wraps others
            log.warning("login throttle storage failed (%s); using this process's memory", error)
            return getattr(self._fallback, method)(*args)

    def _store(self, method: str, *args):
        try:
            return getattr(self.limiter.storage, method)(*args)
        except Exception as error:
            log.warning("login throttle storage failed (%s); using this process's memory", error)
            return getattr(self._fallback_storage, method)(*args)

    # ------------------------------------------------------------ who is trying

    def account_key(self, email: str) -> str:
        normalised = (email or "").strip().lower().encode()
        return hmac.new(self.secret.encode(), normalised, hashlib.sha256).hexdigest()[:32]

    def attempt(self, email: str) -> Attempt:
        account = self.account_key(email)
        device = read_device(self.secret)
        known = device is not None and account in device["a"]
        return Attempt(account, get_remote_address(), device["d"] if known else None)

    def _pair(self, attempt: Attempt):
        where = ("device", attempt.device) if attempt.device else ("address", attempt.address)
        return self.per_pair, (self.prefix, "login-pair", attempt.account, *where)

    def _address(self, attempt: Attempt):
        return self.per_address, (self.prefix, "login-address", attempt.address)

    def _account(self, attempt: Attempt):
        return self.per_account, (self.prefix, "login-account", attempt.account)

    def _wait_key(self, attempt: Attempt) -> str:
        return f"{self.prefix}/login-wait/{attempt.account}"

    def _budgets(self, attempt: Attempt):
        """The budgets an attempt spends: its pair, and the address's unless a known device vouches."""
        return [("account_device" if attempt.device else "account_address", *self._pair(attempt))] + (
            [] if attempt.device else [("address", *self._address(attempt))])

    # ------------------------------------------------------------ the three moments of a login

    def check(self, attempt: Attempt) -> None:
        """Raise Throttled (429 with Retry-After) when a budget of this attempt is spent, LoginDelayed when
        the account must wait. A refused attempt from an address (not from a known device) still spends
        the address's budget: an address that keeps knocking after being told to wait is throttled."""
        for scope, limit, keys in self._budgets(attempt):
            if not self._run("test", limit, *keys):
                stats = self._run("get_window_stats", limit, *keys)
                wait = max(1, int(stats.reset_time - time.time()))
                raise Throttled(wait, [] if scope == "address" else self._knock(attempt))
        if attempt.device is None and self._store("get", self._wait_key(attempt)):
            wait = self._store("get_expiry", self._wait_key(attempt)) - time.time()
            raise LoginDelayed(max(1, int(wait + 0.999)), self._knock(attempt))

    def _knock(self, attempt: Attempt) -> list[dict]:
        if attempt.device:
            return []
        limit, keys = self._address(attempt)
        if not self._run("test", limit, *keys):
            return []  # spent already, and audited when it was
        self._run("hit", limit, *keys)
        if self._run("test", limit, *keys):
            return []
        until = self._run("get_window_stats", limit, *keys).reset_time
        return [{"action": "login.lockout", "scope": "address", "until": until}]

    def failed(self, attempt: Attempt) -> list[dict]:
        """Counts a failure; returns what ran out because of it, for the audit trail. `check` let this
        attempt through, so every budget had room before it: one that is spent now was spent by it."""
        events = []
        for scope, limit, keys in self._budgets(attempt):
            self._run("hit", limit, *keys)
            if not self._run("test", limit, *keys):
                until = self._run("get_window_stats", limit, *keys).reset_time
                events.append({"action": "login.lockout", "scope": scope, "until": until})
        limit, keys = self._account(attempt)
        self._run("hit", limit, *keys)
        failures = self._failures(attempt)
        wait = delay_for(failures, self.slowdown_after, self.delay_base, self.delay_cap)
        if wait:
            self._store("clear", self._wait_key(attempt))
            self._store("incr", self._wait_key(attempt), wait)
            if failures == self.slowdown_after:
                events.append({"action": "login.slowdown", "scope": "account", "until": time.time() + wait})
        return events

    def succeeded(self, attempt: Attempt) -> list[str]:
        """Clears the account's delays and the budget the owner used; returns the scopes that were locked."""
        unlocked = []
        limit, keys = self._pair(attempt)
        if not self._run("test", limit, *keys):
            unlocked.append("account_device" if attempt.device else "account_address")
        self._clear((limit, keys))
        if self._store("get", self._wait_key(attempt)) or self._failures(attempt) >= self.slowdown_after:
            unlocked.append("account")
        self._clear(self._account(attempt))
        self._store("clear", self._wait_key(attempt))
        return unlocked

    def _failures(self, attempt: Attempt) -> int:
        limit, keys = self._account(attempt)
        return limit.amount - self._run("get_window_stats", limit, *keys).remaining

    def unlock(self, email: str, address: str | None = None) -> None:
        """By hand (`flask users unlock`): the account's delays, and the address's budgets when given."""
        attempt = Attempt(self.account_key(email), address or "", None)
        self._clear(self._account(attempt))
        self._store("clear", self._wait_key(attempt))
        if address:
            self._clear(self._pair(attempt))
            self._clear(self._address(attempt))

    def _clear(self, budget) -> None:
        limit, keys = budget
        self._run("clear", limit, *keys)


# ---------------------------------------------------------------- the known-device cookie

def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=DEVICE_SALT)


def read_device(secret: str) -> dict | None:
    """The signed cookie's {"d": device id, "a": [account keys]}, or None (absent, forged or too old)."""
    raw = request.cookies.get(current_app.config["KNOWN_DEVICE_COOKIE_NAME"])
    if not raw:
        return None
    try:
        data = _serializer(secret).loads(raw, max_age=current_app.config["KNOWN_DEVICE_DAYS"] * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str) or not isinstance(data.get("a"), list):
        return None
    return data


def remember_device(secret: str, account: str) -> None:
    """After a successful login: this browser becomes (stays) a known device of the account."""
    device = read_device(secret) or {"d": secrets.token_hex(16), "a": []}
    accounts = [account] + [a for a in device["a"] if a != account][: MAX_DEVICE_ACCOUNTS - 1]
    value = _serializer(secret).dumps({"d": device["d"], "a": accounts})
    config = current_app.config

    @after_this_request
    def _set_cookie(response):
        response.set_cookie(config["KNOWN_DEVICE_COOKIE_NAME"], value,
                            max_age=config["KNOWN_DEVICE_DAYS"] * 86400, path="/", httponly=True,
                            secure=config["SESSION_COOKIE_SECURE"], samesite="Lax")
        return response


# ---------------------------------------------------------------- what the login view calls

def init_app(app) -> None:
    app.extensions[EXTENSION] = LoginThrottle(app)


def _throttle() -> LoginThrottle | None:
    return current_app.extensions[EXTENSION] if current_app.config["LOGIN_THROTTLE_ENABLED"] else None


def check_login(email: str) -> None:
    """Before checking a password: 429 when this account may not be tried from here now."""
    if throttle := _throttle():
        throttle.check(throttle.attempt(email))


def login_failed(email: str) -> list[dict]:
    """Counts the failure; returns the budgets it exhausted: [{"action", "scope", "until" (epoch)}]."""
    if throttle := _throttle():
        return throttle.failed(throttle.attempt(email))
    return []


def login_succeeded(email: str) -> list[str]:
    """Clears what the owner's login unlocks (returns those scopes) and remembers this device."""
    throttle = _throttle()
    unlocked = throttle.succeeded(throttle.attempt(email)) if throttle else []
    remember_device(current_app.config["SECRET_KEY"], current_app.extensions[EXTENSION].account_key(email))
    return unlocked


def unlock(email: str, address: str | None = None) -> None:
    current_app.extensions[EXTENSION].unlock(email, address)
