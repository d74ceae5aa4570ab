"""A real SMTP sink for the invitation and reset tests, and the reset throttle on demand."""

import pytest

from tests.mailsink import running_sink, smtp_settings
from tracker.auth.throttle import EXTENSION


@pytest.fixture
def sink(app, monkeypatch):
    """The session's app sends through SMTP to a sink started for this test."""
    with running_sink() as (sink, port):
        for key, value in smtp_settings(port).items():
            monkeypatch.setitem(app.config, key, value)
        monkeypatch.setitem(app.config, "BASE_URL", None)
        yield sink


@pytest.fixture
def reset_throttle(app):
    throttle = app.extensions[EXTENSION]
    throttle.reset()
    app.config["RESET_THROTTLE_ENABLED"] = True
    try:
        yield throttle
    finally:
        app.config["RESET_THROTTLE_ENABLED"] = False
        throttle.reset()
