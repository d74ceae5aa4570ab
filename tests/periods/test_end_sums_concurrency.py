"""Issue 20: two transactions writing reports of one project at the same time both commit, and the
project's sums per period end are right afterwards (`end_sums.refresh` locks the project first on
PostgreSQL). On a scratch database of the current backend, as the writers must commit."""

import threading
import time

import sqlalchemy as sa
from flask_migrate import upgrade

from tests.conftest import end_sums_differing
from tests.migrations.test_migrations import _db, scratch_app  # noqa: F401  (fixtures)
from tracker.extensions import db
from tracker.periods.models import IndicatorEndSums, IndicatorValue, PeriodReport, ReportStatus


def _wait_for_a_lock(engine, errors, seconds=5.0) -> None:
    """Until another connection waits for a lock (PostgreSQL); SQLite has no such view, and its writers
    queue behind the database lock in any case."""
    if engine.dialect.name != "postgresql":
        time.sleep(0.3)
        return
    deadline = time.monotonic() + seconds
    with engine.connect() as conn:
        while time.monotonic() < deadline and not errors:
            if conn.scalar(sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                   "AND datname = current_database()")):
                return
            conn.rollback()
            time.sleep(0.02)
    raise AssertionError(f"the second writer never waited for the first: {errors}")


def test_two_transactions_writing_reports_of_one_project_keep_its_sums(scratch_app):  # noqa: F811
    """Two people change two reports of the same project at the same time: the second rewrite of the
    project's sums waits for the first and sees its rows, so both commit and the sums are right."""
    upgrade()
    assert scratch_app.test_cli_runner().invoke(args=["demo", "load", "--password", "x-long-password"]).exit_code == 0
    engine = db.engine
    with engine.connect() as conn:
        project_id, first, second = conn.execute(
            sa.select(PeriodReport.project_id, sa.func.min(PeriodReport.id), sa.func.max(PeriodReport.id))
            .join(IndicatorValue, IndicatorValue.report_id == PeriodReport.id)
            .where(PeriodReport.status == ReportStatus.APPROVED)
            .group_by(PeriodReport.project_id)
            .having(sa.func.count(sa.distinct(PeriodReport.id)) > 1)
            .order_by(PeriodReport.project_id).limit(1)
        ).one()

    def add_one(report_id):
        session = sa.orm.Session(engine)
        value = session.scalars(sa.select(IndicatorValue).where(IndicatorValue.report_id == report_id)
                                .order_by(IndicatorValue.id).limit(1)).one()
        value.value += 1
        session.flush()  # rewrites the project's sums, and holds its lock until the commit
        return session

    errors = []
    holder = add_one(first)

    def second_writer():
        try:
            session = add_one(second)
            session.commit()
            session.close()
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            errors.append(error)

    thread = threading.Thread(target=second_writer)
    thread.start()
    _wait_for_a_lock(engine, errors)
    holder.commit()
    holder.close()
    thread.join(30)
    assert not thread.is_alive() and errors == []
    with engine.connect() as conn:
        assert end_sums_differing(conn) == []
        assert conn.scalar(sa.select(sa.func.count()).select_from(IndicatorEndSums)
                           .where(IndicatorEndSums.project_id == project_id)) > 0
