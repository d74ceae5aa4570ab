"""`project_attention`: each project's portfolio figures and attention score as of one day (issue 20).

Ranking the whole programme by attention meant grouping every session, action item, milestone and report of
20,000 projects on each view of "all mentors" (0.4 s of SQL). The figures are now kept per project, and a
page reads them as it reads a column:

- every ORM write of what they sum (a session, an action item, a milestone, a report, a project, a cohort's
  periods) marks the projects concerned stale in the same transaction (`_after_flush`), never by a timer; a
  bulk statement on those tables through the session marks every project stale (`_bulk_statement`);
- the portfolio recomputes the stale rows of the projects it is about to show (`refresh`), and every row the
  first time it is shown on a new day, as overdue items, late milestones, owed reports and quiet days count
  from the date;
- every project has a row: a new project's is written stale with it (the listener), the migration wrote
  those of the projects already there, and loaders that bypass the ORM call `invalidate`; a deleted project
  takes its row with it (`ON DELETE CASCADE`).

Concurrent writes are never lost (PostgreSQL, READ COMMITTED): both the invalidation and the refresh start by
writing the row (`INSERT … ON CONFLICT DO UPDATE`), so each waits for the other's row lock, and a refresh
computes the figures in a later statement, whose snapshot holds every write committed before it took the
lock. A refresh only writes back the rows it marked with its own token, never a row it did not lock.

`differing()` compares every fresh row with its recomputation: the tests do it after every test.
"""

import datetime as dt
import itertools
import uuid
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tracker.cohorts.models import Cohort
from tracker.mentoring.models import ActionItem, MentoringSession
from tracker.milestones.models import Milestone
from tracker.periods.models import PeriodReport
from tracker.portfolio.aggregates import owed_by_cohort, owed_reports, project_aggregates, score_sql
from tracker.portfolio.models import ProjectAttention
from tracker.projects.models import Project

FIGURES = ("last_session", "next_session", "open_items", "overdue_items", "late_milestones", "late_points",
           "returned_reports", "reports_done", "overdue_reports", "score")


def computed(project_ids: sa.Select, today: dt.date, owed: dict[int, int]) -> sa.Select:
    """(project_id, as_of, *FIGURES) of `project_ids`, computed from the sessions, items, milestones and
    reports; `owed` = reports owed per cohort by `today` (`aggregates.owed_by_cohort`)."""
    sessions, items, late, reports = project_aggregates(today, project_ids)
    owed_by_project = owed_reports(owed, project_ids)
    overdue_reports, score = score_sql(sessions, late, reports, owed_by_project, today)
    zero = sa.func.coalesce
    return (
        sa.select(
            Project.id.label("project_id"), sa.literal(today, sa.Date).label("as_of"),
            sessions.c.last_session, sessions.c.next_session,
            zero(items.c.open_items, 0).label("open_items"), zero(items.c.overdue_items, 0).label("overdue_items"),
            zero(late.c.late_milestones, 0).label("late_milestones"), zero(late.c.late_points, 0).label("late_points"),
            zero(reports.c.returned_reports, 0).label("returned_reports"),
            zero(reports.c.reports_done, 0).label("reports_done"),
            overdue_reports.label("overdue_reports"), score.label("score"),
        )
        .join(owed_by_project, owed_by_project.c.project_id == Project.id)
        .outerjoin(sessions, sessions.c.project_id == Project.id)
        .outerjoin(items, items.c.project_id == Project.id)
        .outerjoin(late, late.c.project_id == Project.id)
        .outerjoin(reports, reports.c.project_id == Project.id)
    )


def fresh(today: dt.date):
    """The join condition of a project to its row when that row is up to date for `today`."""
    return sa.and_(ProjectAttention.project_id == Project.id, ProjectAttention.as_of == today)


def _mark(connection: sa.Connection, project_ids: sa.Select, token: str | None):
    """Insert or update the rows of `project_ids` as stale (held by `token`, or by nobody): the statement that
    takes the row locks. `project_ids` selects from `projects`, so a project deleted meanwhile is skipped."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    ids = project_ids.subquery()
    rows = (sa.select(ids.c[0], sa.cast(sa.null(), sa.Date), sa.literal(token, sa.String))
            .where(ids.c[0].is_not(None))  # SQLite parses INSERT … SELECT … ON CONFLICT only after a WHERE
            .distinct().order_by(ids.c[0]))  # one order, so that two refreshes never wait for each other in a cycle
    statement = insert(ProjectAttention).from_select(["project_id", "as_of", "refreshing"], rows)
    return statement.on_conflict_do_update(index_elements=["project_id"], set_={"as_of": None, "refreshing": token})


def invalidate(connection: sa.Connection, project_ids: sa.Select) -> None:
    """Mark these projects' rows stale (`project_ids`: a SELECT of ids from `projects`)."""
    connection.execute(_mark(connection, project_ids, None))


# Above this many stale rows (the first view of a day), the figures of every project are computed by hash joins
# over whole tables, then kept for the rows held. Below it (after a few writes), the rows held are looked up
# by index. The planner cannot tell the two apart: it expects a handful of rows held by one token, and with
# 20,000 its nested loops took minutes instead of half a second (full scale set, PostgreSQL).
MANY = 500


def refresh(connection: sa.Connection, project_ids: sa.Select, today: dt.date, owed: dict[int, int],
            expected: int) -> None:
    """Recompute the rows of `project_ids` (about `expected` of them) for `today`."""
    token = uuid.uuid4().hex
    connection.execute(_mark(connection, project_ids, token))
    held = sa.select(ProjectAttention.project_id).where(ProjectAttention.refreshing == token).correlate(None)
    many = expected > MANY
    figures = computed(sa.select(Project.id) if many else held, today, owed).subquery()
    statement = (sa.update(ProjectAttention)
                 .where(ProjectAttention.project_id == figures.c.project_id, ProjectAttention.refreshing == token)
                 .values(as_of=today, refreshing=None, **{name: figures.c[name] for name in FIGURES}))
    with _hash_joins(connection, many):
        connection.execute(statement)
    if many and connection.dialect.name == "postgresql":
        # Every row now has today's date, which yesterday's statistics have never seen: the planner would
        # expect one row and sort all 20,000 for the page (57 ms) instead of reading the top of the index.
        connection.exec_driver_sql("ANALYZE project_attention")


@contextmanager
def _hash_joins(connection: sa.Connection, wanted: bool):
    """PostgreSQL: no nested loops for the statement run inside (set back afterwards, the write kept). The
    setting is local to the transaction: should the statement fail, the rollback takes it back."""
    if not wanted or connection.dialect.name != "postgresql":
        yield
        return
    before = connection.exec_driver_sql("SELECT current_setting('enable_nestloop')").scalar()
    connection.exec_driver_sql("SELECT set_config('enable_nestloop', 'off', true)")
    yield
    connection.execute(sa.select(sa.func.set_config("enable_nestloop", before, True)))


def differing(connection: sa.Connection) -> list:
    """Fresh rows that differ from their recomputation, and projects without a row (empty when all is right)."""
    kept_columns = (ProjectAttention.project_id, ProjectAttention.as_of,
                    *(ProjectAttention.__table__.c[name] for name in FIGURES))
    out = []
    with Session(bind=connection) as session:
        days = session.scalars(sa.select(ProjectAttention.as_of).where(ProjectAttention.as_of.is_not(None))
                               .distinct()).all()
        cohorts = session.scalars(sa.select(Cohort)).all() if days else []
        for day in days:
            ids = sa.select(ProjectAttention.project_id).where(ProjectAttention.as_of == day)
            kept = sa.select(*kept_columns).where(ProjectAttention.as_of == day)
            again = computed(ids, day, owed_by_cohort(cohorts, day))
            out += [*session.execute(sa.except_(kept, again)), *session.execute(sa.except_(again, kept))]
        out += [("no row", project_id) for project_id in session.scalars(
            sa.select(Project.id).where(~sa.exists().where(ProjectAttention.project_id == Project.id)))]
    return out


def _ids(session: Session, model, column: str) -> set[int]:
    """`column` of the objects of `model` this flush wrote, with its value before the flush when it changed."""
    found = set()
    for obj in itertools.chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, model):
            history = sa.inspect(obj).attrs[column].history
            found.update(v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None)
    return found


def _touched(session: Session) -> list[sa.Select]:
    """SELECTs of the project ids whose figures this flush may have changed."""
    selects = []
    projects = (_ids(session, Project, "id") | _ids(session, MentoringSession, "project_id")
                | _ids(session, Milestone, "project_id") | _ids(session, PeriodReport, "project_id"))
    if projects:
        selects.append(sa.select(Project.id).where(Project.id.in_(sorted(projects))))
    item_sessions = _ids(session, ActionItem, "session_id")
    if item_sessions:
        selects.append(sa.select(MentoringSession.project_id)
                       .where(MentoringSession.id.in_(sorted(item_sessions))))
    cohorts = {obj.id for obj in session.dirty if isinstance(obj, Cohort) and obj.id is not None}
    if cohorts:  # its periods decide the reports owed
        selects.append(sa.select(Project.id).where(Project.cohort_id.in_(sorted(cohorts))))
    return selects


def _after_flush(session: Session, flush_context) -> None:
    # The session's new, dirty and deleted objects are still those of the flush that just ran.
    selects = _touched(session)
    if selects:
        invalidate(session.connection(), sa.union(*selects) if len(selects) > 1 else selects[0])


_WATCHED = (Project, MentoringSession, ActionItem, Milestone, PeriodReport, Cohort)


def _bulk_statement(state) -> sa.Result | None:
    """`session.execute(insert/update/delete(Model), …)` writes past the flush: it does not say which projects
    it touched, so every project's figures are marked stale (and a project inserted so gets its row)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    mapper = state.bind_mapper
    if mapper is None or not issubclass(mapper.class_, _WATCHED):
        return None
    result = state.invoke_statement()
    invalidate(state.session.connection(), sa.select(Project.id))
    return result


def listen() -> None:
    """Mark the rows stale with every ORM session's writes (called once when the app is created)."""
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
    if not sa.event.contains(Session, "do_orm_execute", _bulk_statement):
        sa.event.listen(Session, "do_orm_execute", _bulk_statement)
