"""upgrade → downgrade → upgrade on a scratch database of the current backend; models and migrations agree."""

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from config import TestingConfig
from tests.conftest import backend_name
from tracker import create_app
from tracker.extensions import db


@pytest.fixture
def _db():
    """These tests build their own database; the per-test transaction fixture is not wanted."""
    yield


@pytest.fixture
def scratch_app(tmp_path):
    if backend_name() == "postgresql":
        admin_url = TestingConfig.SQLALCHEMY_DATABASE_URI
        name = f"mowakaba_mig_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    app = create_app(TestingConfig, {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        yield app
        db.engine.dispose()
    if backend_name() == "postgresql":
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def migrate(step, revision="head"):
    """flask_migrate's `upgrade` or `downgrade` to `revision`, once the session lets go of the database (a
    migration on PostgreSQL would wait for the locks of the test's own session)."""
    db.session.remove()
    step(revision=revision)


def _tables():
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade(scratch_app):
    upgrade()
    created = _tables()
    assert created == set(db.metadata.tables)
    downgrade(revision="base")
    assert _tables() == set()
    upgrade()
    assert _tables() == created


def test_models_and_migrations_agree(scratch_app):
    upgrade()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_check_constraints_exist_in_the_database(scratch_app):
    upgrade()
    inspector = sa.inspect(db.engine)
    names = {c["name"] for c in inspector.get_check_constraints("members")}
    assert "ck_members_ownership_range" in names
    assert any(n and n.startswith("ck_members_sex") for n in names)
    fks = {fk["referred_table"]: fk["options"].get("ondelete") for fk in inspector.get_foreign_keys("members")}
    assert fks["projects"] == "CASCADE"


def test_flask_db_check_reports_no_drift(scratch_app):
    runner = scratch_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    assert os.environ.get("CI") is None or result.exit_code == 0
