"""Migration e5f2b8c4d130 (issue 20): the sums of the values already stored are written when the table is
created, equal to what the app keeps afterwards. Runs on the current backend (SQLite, and PostgreSQL with
TEST_DATABASE_URL)."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.conftest import value_sums_differing
from tests.migrations.test_migrations import _db, migrate, scratch_app  # noqa: F401  (fixtures)
from tracker.extensions import db
from tracker.periods.models import IndicatorValue, ReportValueSums

BEFORE = "d4e1a7b9c021"


def test_the_upgrade_sums_the_values_already_there_and_the_downgrade_drops_them(scratch_app):  # noqa: F811
    upgrade()
    assert scratch_app.test_cli_runner().invoke(args=["demo", "load", "--password", "x-long-password"]).exit_code == 0
    kept = db.session.execute(sa.select(ReportValueSums).order_by(ReportValueSums.report_id,
                                                                  ReportValueSums.indicator_id)).scalars().all()
    kept = [tuple(getattr(row, name) for name in ("report_id", "indicator_id", "first_value_id", "broken_down",
                                                  "total_cents", "women_youth_cents", "not_stated_cents"))
            for row in kept]
    assert len(kept) > 100

    migrate(downgrade, BEFORE)
    assert "report_value_sums" not in sa.inspect(db.engine).get_table_names()
    migrate(upgrade)
    backfilled = db.session.execute(sa.select(ReportValueSums).order_by(ReportValueSums.report_id,
                                                                        ReportValueSums.indicator_id)).scalars().all()
    assert [tuple(getattr(row, name) for name in ("report_id", "indicator_id", "first_value_id", "broken_down",
                                                  "total_cents", "women_youth_cents", "not_stated_cents"))
            for row in backfilled] == kept
    with db.engine.connect() as connection:
        assert value_sums_differing(connection) == []
    assert db.session.scalar(sa.select(sa.func.count(sa.distinct(IndicatorValue.report_id)))) == len(
        {row[0] for row in kept})
