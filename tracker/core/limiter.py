"""Login throttling on Flask-Limiter's storage: failed logins per account and per client address.

Only failures spend the budget (a user who signs in many times a day is never blocked), and the check
runs before the password is looked at, so once an account or an address has spent its budget even the
right password gets the 429 page until the moving window frees a slot. A successful login clears the
account's budget but never the address's: otherwise an attacker holding one valid account could reset
the address counter between guesses at other accounts.

Each app gets its own Flask-Limiter instance (and storage connection): Redis when REDIS_URL is set, so
every app server sees the same counters, memory otherwise (per process). E-mails are hashed before they
become storage keys: no personal data in Redis.
"""

import hashlib
import logging
import time

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

EXTENSION = "mowakaba_login_throttle"
log = logging.getLogger(__name__)


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
        self.per_account = parse(config["LOGIN_LIMIT_PER_ACCOUNT"])
        self.per_address = parse(config["LOGIN_LIMIT_PER_ADDRESS"])
        # If Redis is unreachable, keep throttling in this process rather than refusing every login.
        self._fallback = MovingWindowRateLimiter(MemoryStorage())

    def _buckets(self, email: str):
        account = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()
        return (
            (self.per_account, (self.prefix, "login-account", account)),
            (self.per_address, (self.prefix, "login-address", get_remote_address())),
        )

    def _run(self, method: str, *args):
        try:
            return getattr(self.limiter.limiter, method)(*args)
        except Exception as error:  # storage down: redis raises its own errors, limits wraps others
            log.warning("login throttle storage failed (%s); using this process's memory", error)
            return getattr(self._fallback, method)(*args)

    def check(self, email: str) -> None:
        """Raise 429 (with Retry-After) when the account or the client address has no attempt left."""
        for limit, keys in self._buckets(email):
            if not self._run("test", limit, *keys):
                stats = self._run("get_window_stats", limit, *keys)
                wait = max(1, int(stats.reset_time - time.time()))
                log.warning("login throttled: %s %s", keys[1], keys[2][:12])
                raise TooManyRequests(retry_after=wait)

    def failed(self, email: str) -> None:
        for limit, keys in self._buckets(email):
            self._run("hit", limit, *keys)

    def succeeded(self, email: str) -> None:
        limit, keys = self._buckets(email)[0]
        self._run("clear", limit, *keys)


def init_app(app) -> None:
    app.extensions[EXTENSION] = LoginThrottle(app)


def _throttle() -> LoginThrottle | None:
    return current_app.extensions[EXTENSION] if current_app.config["LOGIN_THROTTLE_ENABLED"] else None


def check_login(email: str) -> None:
    """Before checking a password: 429 once 10 failures (by default) in 15 minutes were recorded."""
    if throttle := _throttle():
        throttle.check(email)


def login_failed(email: str) -> None:
    if throttle := _throttle():
        throttle.failed(email)


def login_succeeded(email: str) -> None:
    if throttle := _throttle():
        throttle.succeeded(email)
