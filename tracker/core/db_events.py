"""Per-connection settings: SQLite needs foreign keys switched on, or ON DELETE rules are silently ignored;
PostgreSQL's JIT compiler is switched off, because it costs more than it saves on this app's statements.

JIT (on by default since PostgreSQL 12) compiles any statement whose estimated cost passes `jit_above_cost`,
and the grouped statements of the programme-wide report all do: on the full scale set the compilation alone
took 0.2 to 0.7 s per statement, about a seventh of the report's database time, for statements that then run
in one or two seconds (issue 20). List pages are far below the threshold and see no change."""

import sqlite3

import sqlalchemy as sa
from sqlalchemy.engine import Engine


@sa.event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
    elif type(dbapi_connection).__module__.startswith("psycopg"):
        # Outside a transaction, or the pool's rollback when the connection comes back would undo it.
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.autocommit = autocommit
