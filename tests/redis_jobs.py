"""Jobs on a real Redis for the tests that start `rq worker` (e-mail, big report files)."""

import uuid

import pytest
import redis
from rq import Queue

from tracker.core import jobs

REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture
def redis_queue(app, monkeypatch):
    """The app queues its jobs on Redis db 7, in a queue of its own (other test runs use other names)."""
    name = f"mowakaba-test-{uuid.uuid4().hex[:10]}"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", name)
    app.extensions.pop(jobs.QUEUE_KEY, None)
    connection = redis.Redis.from_url(REDIS_URL)
    yield Queue(name, connection=connection)
    Queue(name, connection=connection).empty()
    app.extensions.pop(jobs.QUEUE_KEY, None)
