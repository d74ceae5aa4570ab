"""Fixtures: one schema per run (built by the migrations), one rolled-back transaction per test.

After every test, the sums kept beside the indicator values (`report_value_sums`, issue 20) must equal a
recomputation from the values, and every up-to-date row of the portfolio's `project_attention` (issue 20) a
recomputation from the sessions, items, milestones and reports: whatever a test wrote, through whichever
route, service or loader.

The backend is SQLite unless TEST_DATABASE_URL_ACTIVE points at PostgreSQL (`make test` runs both).
"""

import datetime as dt
import os
import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import g, request_started
from flask.globals import app_ctx
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from freezegun import freeze_time

from config import TestingConfig
from tests import factories
from tracker import create_app
from tracker.extensions import db
from tracker.periods import end_sums, value_sums
from tracker.portfolio import attention

PASSWORD = "correct-horse-battery"
FROZEN_TODAY = dt.date(2026, 11, 18)  # mid-quarter: the Actors cohort's 2026-T4 is running and not yet due

pytest_plugins = ["tests.redis_jobs"]  # the `redis_queue` fixture of the e-mail and report-file job tests


def pytest_report_header(config):
    return f"database backend: {backend_name()}"


def backend_name() -> str:
    return "postgresql" if os.environ.get("TEST_DATABASE_URL_ACTIVE", "").startswith("postgres") else "sqlite"


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(TestingConfig.SQLALCHEMY_DATABASE_URI)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    overrides = {"UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads"))}
    if backend_name() == "postgresql":
        _reset_postgres(TestingConfig.SQLALCHEMY_DATABASE_URI)
    else:
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    app = create_app(TestingConfig, overrides)
    request_started.connect(_fresh_globals, app)
    with app.app_context():
        upgrade()
        if db.engine.dialect.name == "sqlite":
            _sqlite_savepoints(db.engine)
        yield app
        db.engine.dispose()


def _fresh_globals(sender, **extra):
    """Requests reuse the test's app context, so `g` (signed-in user, locale) would leak between
    requests of different clients; in production every request has its own."""
    g.__dict__.clear()


def _sqlite_savepoints(engine) -> None:
    """pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")

    engine.dispose()


class _ConnectionSession(FlaskSession):
    """Flask-SQLAlchemy's session picks the engine itself; in tests it must use the test's connection."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@pytest.fixture(autouse=True)
def _db(app):
    """Every test runs in a transaction that is rolled back; views' commits release savepoints."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        # What Flask-SQLAlchemy builds itself (one session per app context), bound to the test's connection.
        db.session = sa.orm.scoped_session(
            sa.orm.sessionmaker(class_=_ConnectionSession, db=db, query_cls=db.Query, bind=connection,
                                join_transaction_mode="create_savepoint"),
            scopefunc=lambda: id(app_ctx._get_current_object()),
        )
        try:
            yield db
        finally:
            db.session.remove()
            db.session = original
            differing = derived_differing(connection, value_sums.differing)
            stale_ends = derived_differing(connection, end_sums.differing)
            stale_attention = derived_differing(connection, attention.differing)
            outer.rollback()
            connection.close()
        assert not differing, f"report_value_sums differ from the values they sum: {differing[:5]}"
        assert not stale_ends, f"indicator_end_sums differ from the reports' sums: {stale_ends[:5]}"
        assert not stale_attention, f"project_attention rows differ from their recomputation: {stale_attention[:5]}"


def value_sums_differing(connection) -> list:
    return derived_differing(connection, value_sums.differing)


def end_sums_differing(connection) -> list:
    return derived_differing(connection, end_sums.differing)


def derived_differing(connection, differing) -> list:
    """Rows of a derived table and of their recomputation that the other lacks (empty when equal)."""
    try:
        with connection.begin_nested():
            return differing(connection)
    except sa.exc.DBAPIError:
        return []  # a transaction the test left failed (it has failed too): nothing can be read


@pytest.fixture
def frozen_today():
    """The clock stopped at 10:00 UTC on FROZEN_TODAY (and ticking from there), for test modules that count
    their dates from today: their TODAY is read at import, the app's when the request runs, and a suite that
    crosses midnight would see two different days."""
    with freeze_time(dt.datetime.combine(FROZEN_TODAY, dt.time(10)), tick=True):
        yield FROZEN_TODAY


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Actors:
    """One user per role, plus a holder linked to `project` and a second project they don't own."""

    def __init__(self):
        self.cohort = factories.CohortFactory()
        self.project = factories.ProjectFactory(cohort=self.cohort)
        self.other_project = factories.ProjectFactory(cohort=self.cohort)
        self.admin = factories.UserFactory(role="admin")
        self.manager = factories.UserFactory(role="manager")
        self.staff = factories.UserFactory(role="staff")
        self.holder = factories.UserFactory(role="holder", projects=[self.project])
        db.session.flush()

    def by_role(self, role):
        return getattr(self, role)


@pytest.fixture
def actors():
    return Actors()


def login(client, user, password=PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.data[:500]
    return client


@pytest.fixture
def login_as(app, actors):
    """login_as('staff') -> a test client signed in as that role's actor."""

    def _login(role_or_user):
        user = actors.by_role(role_or_user) if isinstance(role_or_user, str) else role_or_user
        return login(app.test_client(), user)

    return _login


@contextmanager
def _counting():
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        # Transaction control and a statement's own planner settings (reports/aggregates.py) read nothing.
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET LOCAL)", statement, re.I):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


@pytest.fixture
def count_queries():
    """with count_queries() as q: ...; len(q) is the number of SQL statements run."""
    return _counting
