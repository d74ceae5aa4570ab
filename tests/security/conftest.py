"""Fixtures for the security tests: the login throttle switched on, extra app instances."""

import pytest

from config import TestingConfig
from tracker import create_app
from tracker.core.limiter import EXTENSION
from tracker.extensions import db


@pytest.fixture
def throttle(app):
    """The session-wide app with its (memory) login throttle on and empty, for one test."""
    ext = app.extensions[EXTENSION]
    assert ext.limiter.storage.__class__.__name__ == "MemoryStorage"
    ext.limiter.reset()
    app.config["LOGIN_THROTTLE_ENABLED"] = True
    try:
        yield ext
    finally:
        app.config["LOGIN_THROTTLE_ENABLED"] = False
        ext.limiter.reset()


@pytest.fixture
def make_app(app):
    """make_app(**overrides) -> another app on the test's database connection (the `_db` fixture binds
    the scoped session to it, whatever the app), as a second app server would be."""
    made = []

    def _make(config_class=TestingConfig, **overrides):
        settings = {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_DIR": app.config["UPLOAD_DIR"],
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "ARGON2_FAST": True,
        } | overrides
        new_app = create_app(config_class, settings)
        made.append(new_app)
        return new_app

    yield _make
    for other in made:
        with other.app_context():
            db.engine.dispose()
