"""Per-token throttling of the API on Flask-Limiter's storage (`limits`): API_LIMIT_PER_TOKEN, moving
window. Redis when REDIS_URL is set (every app server counts together), memory otherwise; a storage
failure falls back to this process's memory rather than to no limit at all."""

import logging
import time

from flask import current_app
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

EXTENSION = "mowakaba_api_throttle"
log = logging.getLogger(__name__)


class ApiThrottle:
    def __init__(self, app):
        uri = app.config.get("REDIS_URL") or "memory://"
        options = {"socket_connect_timeout": 2, "socket_timeout": 2} if uri.startswith("redis") else {}
        self.limiter = MovingWindowRateLimiter(storage_from_string(uri, **options))
        self._fallback = MovingWindowRateLimiter(MemoryStorage())
        self.prefix = app.config.get("RATELIMIT_KEY_PREFIX") or "mowakaba"

    def _run(self, method: str, *args):
        try:
            return getattr(self.limiter, method)(*args)
        except Exception as error:  # storage down: redis raises its own errors, limits wraps others
            log.warning("API throttle storage failed (%s); using this process's memory", error)
            return getattr(self._fallback, method)(*args)

    def hit(self, token_id: int) -> int | None:
        """Counts one request of the token; None when allowed, else the seconds to wait."""
        limit = parse(current_app.config["API_LIMIT_PER_TOKEN"])
        keys = (self.prefix, "api-token", str(token_id))
        if self._run("hit", limit, *keys):
            return None
        reset_at = self._run("get_window_stats", limit, *keys).reset_time
        return max(1, int(reset_at - time.time()) + 1)


def init_app(app) -> None:
    app.extensions[EXTENSION] = ApiThrottle(app)


def hit(token_id: int) -> int | None:
    return current_app.extensions[EXTENSION].hit(token_id)
