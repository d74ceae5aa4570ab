"""The database drops the app's connections between two requests (a PostgreSQL restart or fail-over, an
idle timeout in a proxy): the next request still succeeds, because the pool checks a connection before
handing it out (`pool_pre_ping`, config.py).

On PostgreSQL the drill is real: an app with its own pool on a scratch database (tests/backup/scratch.py;
the suite's own connection is held by the test transaction), its connections killed with
pg_terminate_backend from another connection. The same drill without pre-ping gets a 500, which shows
what the setting buys. SQLite has no server to lose: on the SQLite run the test asserts that the engine
really is configured with pre-ping.
"""

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from tests.backup import scratch
from tests.conftest import backend_name
from tracker.auth.services import create_user
from tracker.extensions import db

PASSWORD = "connexion-coupee-2026"


def _kill_connections(url: str) -> int:
    engine = sa.create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        killed = conn.execute(sa.text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    engine.dispose()
    return killed


@pytest.fixture
def scratch_app(tmp_path):
    with scratch.scratch_database(tmp_path) as url:
        yield url
        # the apps' pools are disposed by the test; the database is dropped WITH (FORCE) anyway


def _app_with_user(url, tmp_path, pre_ping: bool):
    app = scratch.make_app(url, tmp_path / "uploads", SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": pre_ping},
                           PROPAGATE_EXCEPTIONS=False)
    scratch.migrate(app)
    with scratch.using(app):
        if create_user(None, email="coupure@example.org", display_name="Coupure", role="admin",
                       password=PASSWORD) is not None:
            db.session.commit()
    return app


def _signed_in(app):
    client = app.test_client()
    with scratch.using(app):
        response = client.post("/login", data={"email": "coupure@example.org", "password": PASSWORD})
        assert response.status_code == 302
        assert client.get("/").status_code == 200  # a pooled connection is now open
    return client


def _get_home(app, client):
    with scratch.using(app):
        return client.get("/")


def test_next_request_after_the_connections_were_killed_succeeds(app, tmp_path, scratch_app):
    if backend_name() == "sqlite":
        assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
        assert db.engine.pool._pre_ping is True
        return
    drilled = _app_with_user(scratch_app, tmp_path, pre_ping=True)
    with scratch.using(drilled):
        assert db.engine.pool._pre_ping is True
    client = _signed_in(drilled)
    assert _kill_connections(scratch_app) >= 1
    response = _get_home(drilled, client)
    assert response.status_code == 200
    with scratch.using(drilled):
        db.engine.dispose()


def test_without_pre_ping_the_same_drill_fails_once(app, tmp_path, scratch_app):
    """The control: proves the drill does cut the connection (so the test above is not vacuous)."""
    if backend_name() == "sqlite":
        from config import BaseConfig

        assert BaseConfig.SQLALCHEMY_ENGINE_OPTIONS == {"pool_pre_ping": True}
        return
    drilled = _app_with_user(scratch_app, tmp_path, pre_ping=False)
    client = _signed_in(drilled)
    assert _kill_connections(scratch_app) >= 1
    assert _get_home(drilled, client).status_code == 500
    assert _get_home(drilled, client).status_code == 200  # the pool threw the dead connection away
    with scratch.using(drilled):
        db.engine.dispose()
