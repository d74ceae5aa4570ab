"""A second app bound to a database of its own, outside the test's rolled-back transaction.

A backup and a restore are about real, committed data and whole databases, so they run against a scratch
database of the suite's own backend: a temporary SQLite file, or on PostgreSQL `<test database>_restore`,
created with CREATE DATABASE on the test server and dropped afterwards (the name follows whatever database
the suite was given, so CI's differs from a developer's).
"""

import shutil
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask.globals import app_ctx
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.pool import NullPool

from config import TestingConfig
from tests.conftest import backend_name
from tracker import create_app
from tracker.extensions import db


def _admin_engine() -> sa.Engine:
    return sa.create_engine(TestingConfig.SQLALCHEMY_DATABASE_URI, poolclass=NullPool,
                            isolation_level="AUTOCOMMIT")


@contextmanager
def scratch_database(tmp_path: Path):
    """Yields the SQLAlchemy URL (a string) of an empty database; removes it afterwards."""
    if backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite'}"
        return
    url = sa.make_url(TestingConfig.SQLALCHEMY_DATABASE_URI)
    name = f"{url.database}_restore"
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def make_app(database_url: str, upload_dir: Path, **config):
    """`config` overrides settings read when the app is built (e.g. SQLALCHEMY_ENGINE_OPTIONS)."""
    return create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_DIR": str(upload_dir),
                                      **config})


@contextmanager
def using(app):
    """The app's context with a session of its own, as Flask-SQLAlchemy builds it: the suite's `db.session`
    is bound to the test's connection (tests/conftest.py), which belongs to the other database."""
    previous = db.session
    db.session = sa.orm.scoped_session(sa.orm.sessionmaker(class_=FlaskSession, db=db, query_cls=db.Query),
                                       scopefunc=lambda: id(app_ctx._get_current_object()))
    try:
        with app.app_context():
            yield
            db.session.remove()
    finally:
        db.session = previous


def migrate(app) -> None:
    with using(app):
        upgrade()


def wipe(app, upload_dir: Path) -> None:
    """Every table (alembic_version included) and every uploaded file gone."""
    with using(app):
        engine = db.engine
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
            else:
                tables = sa.MetaData()
                tables.reflect(conn)
                tables.drop_all(conn)
        engine.dispose()
    shutil.rmtree(upload_dir, ignore_errors=True)


def row_counts(app) -> dict[str, int]:
    with using(app):
        with db.engine.connect() as conn:
            names = sorted(sa.inspect(conn).get_table_names())
            return {name: conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
                    for name in names}


def files(upload_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(upload_dir).as_posix(): p.read_bytes()
            for p in sorted(upload_dir.rglob("*")) if p.is_file()}
