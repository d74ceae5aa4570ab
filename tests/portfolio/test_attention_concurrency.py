"""`project_attention` (issue 20) under concurrent transactions, on a database of its own (committed data,
two connections): a session logged while a view recomputes the figures waits for the recomputation's row
lock (PostgreSQL) or the database lock (SQLite), and its invalidation is kept, so the next view shows it."""

import datetime as dt
import threading
import time

import sqlalchemy as sa
from flask_migrate import upgrade

from tests.factories import CohortFactory, ProjectFactory, UserFactory
from tests.migrations.test_migrations import _db, scratch_app  # noqa: F401  (fixtures)
from tracker.extensions import db
from tracker.mentoring.models import MentoringSession, SessionMode
from tracker.portfolio import attention
from tracker.portfolio.models import ProjectAttention
from tracker.portfolio.services import PortfolioFilters, portfolio

TODAY = dt.date.today()


def test_a_session_logged_during_a_recomputation_is_not_lost(scratch_app):  # noqa: F811
    upgrade()
    mentor = UserFactory(role="staff")
    project = ProjectFactory(cohort=CohortFactory())
    project.staff = [mentor]
    db.session.add(MentoringSession(project=project, mentor=mentor, date=TODAY - dt.timedelta(days=80),
                                    duration_minutes=30, mode=SessionMode.PHONE))
    db.session.commit()
    project_id, mentor_id = project.id, mentor.id
    db.session.remove()

    marked, written, errors = threading.Event(), threading.Event(), []

    def pause_after_marking(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("UPDATE project_attention") and not marked.is_set():
            marked.set()  # the rows are held; the writer now starts, and must wait for them
            time.sleep(1.0)

    def recompute():
        try:
            with scratch_app.app_context():
                sa.event.listen(db.engine, "before_cursor_execute", pause_after_marking)
                try:
                    assert portfolio(PortfolioFilters(status=None), TODAY).refreshed
                    db.session.commit()
                finally:
                    sa.event.remove(db.engine, "before_cursor_execute", pause_after_marking)
        except Exception as error:  # reported below: a thread's assertion would otherwise vanish
            errors.append(error)

    def log_a_session():
        try:
            assert marked.wait(10)
            with scratch_app.app_context():
                db.session.add(MentoringSession(project_id=project_id, mentor_id=mentor_id, date=TODAY,
                                                duration_minutes=45, mode=SessionMode.IN_PERSON))
                db.session.commit()
                written.set()
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=recompute), threading.Thread(target=log_a_session)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors and written.is_set()

    kept = db.session.get(ProjectAttention, project_id)
    assert kept.as_of is None  # the writer's mark, after the recomputation it waited for
    [row] = portfolio(PortfolioFilters(status=None), TODAY).rows
    assert row.last_session == TODAY and not row.quiet
    db.session.commit()
    with db.engine.connect() as connection:
        assert attention.differing(connection) == []
