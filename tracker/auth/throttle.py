"""Throttling of 'forgot password' requests: per address typed and per client address, moving window.

Kept apart from the login throttle (tracker/core/limiter.py) on purpose: both use the same storage
(Redis when REDIS_URL is set, so every app server counts together; memory otherwise), but a burst of reset
requests must never lock anyone out of logging in. E-mails are hashed before they become storage keys.
"""

import hashlib
import logging

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

EXTENSION = "mowakaba_reset_throttle"
log = logging.getLogger(__name__)


class ResetThrottle:
    def __init__(self, app):
        config = app.config
        uri = config.get("REDIS_URL") or "memory://"
        options = {"socket_connect_timeout": 2, "socket_timeout": 2} if uri.startswith("redis") else {}
        self.limiter = MovingWindowRateLimiter(storage_from_string(uri, **options))
        self._fallback = MovingWindowRateLimiter(MemoryStorage())
        self.prefix = config.get("RATELIMIT_KEY_PREFIX") or "mowakaba"
        self.per_account = parse(config["RESET_LIMIT_PER_ACCOUNT"])
        self.per_address = parse(config["RESET_LIMIT_PER_ADDRESS"])

    def _buckets(self, email: str):
        account = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()
        return ((self.per_account, (self.prefix, "reset-account", account)),
                (self.per_address, (self.prefix, "reset-address", get_remote_address())))

    def _run(self, method: str, *args):
        try:
            return getattr(self.limiter, method)(*args)
        except Exception as error:  # storage down: throttle in this process rather than not at all
            log.warning("reset throttle storage failed (%s); using this process's memory", error)
            return getattr(self._fallback, method)(*args)

    def allow(self, email: str) -> bool:
        """Counts this request; False when the address typed or the client address has spent its budget."""
        allowed = True
        for limit, keys in self._buckets(email):
            if not self._run("hit", limit, *keys):
                allowed = False
        return allowed

    def reset(self) -> None:
        self.limiter.storage.reset()
        self._fallback.storage.reset()


def init_app(app) -> None:
    app.extensions[EXTENSION] = ResetThrottle(app)


def allow(email: str) -> bool:
    if not current_app.config.get("RESET_THROTTLE_ENABLED"):
        return True
    return current_app.extensions[EXTENSION].allow(email)
