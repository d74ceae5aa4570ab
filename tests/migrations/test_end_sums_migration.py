"""Migration 6071b8288cf7 (issue 20): the sums per period end of the reports already stored are written when
the table is created, equal to what the app keeps afterwards. Runs on the current backend (SQLite, and
PostgreSQL with TEST_DATABASE_URL)."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.conftest import end_sums_differing
from tests.migrations.test_migrations import _db, migrate, scratch_app  # noqa: F401  (fixtures)
from tracker.extensions import db
from tracker.periods.end_sums import COLUMNS
from tracker.periods.models import IndicatorEndSums

BEFORE = "a7b4d0e6f352"


def _rows():
    e = IndicatorEndSums.__table__.c
    return db.session.execute(sa.select(*(e[name] for name in COLUMNS))
                              .order_by(e.project_id, e.indicator_id, e.period_end, e.include_submitted)).all()


def test_the_upgrade_sums_the_reports_already_there_and_the_downgrade_drops_them(scratch_app):  # noqa: F811
    upgrade()
    assert scratch_app.test_cli_runner().invoke(args=["demo", "load", "--password", "x-long-password"]).exit_code == 0
    kept = _rows()
    assert len(kept) > 100
    assert {row.include_submitted for row in kept} == {False, True}

    migrate(downgrade, BEFORE)
    assert "indicator_end_sums" not in sa.inspect(db.engine).get_table_names()
    migrate(upgrade)
    assert _rows() == kept
    with db.engine.connect() as connection:
        assert end_sums_differing(connection) == []
