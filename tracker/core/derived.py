"""Derived tables: rows computed from other tables, kept by rewriting them per key in the transaction of the
write that changed them (`tracker/periods/value_sums.py`, `tracker/periods/end_sums.py`)."""

from collections.abc import Callable, Iterable

import sqlalchemy as sa

CHUNK = 500  # bounded IN lists


class DerivedTable:
    """`model`'s rows are `recomputed(keys)` (a select of `columns`, all rows when keys is None), keyed by
    the column `key`. `before_rewrite(connection, keys)`, when given, runs before the rows of those keys are
    deleted (to take locks)."""

    def __init__(self, model, key: str, columns: tuple[str, ...], recomputed: Callable[..., sa.Select],
                 before_rewrite: Callable[[sa.Connection, list], None] | None = None) -> None:
        self.model, self.key, self.columns = model, key, columns
        self.recomputed, self.before_rewrite = recomputed, before_rewrite

    def refresh(self, connection: sa.Connection, keys: Iterable) -> None:
        """Rewrite the rows of these keys."""
        ids = sorted(set(keys))
        column = self.model.__table__.c[self.key]
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            if self.before_rewrite:
                self.before_rewrite(connection, chunk)
            connection.execute(sa.delete(self.model).where(column.in_(chunk)))
            connection.execute(sa.insert(self.model).from_select(self.columns, self.recomputed(chunk)))

    def rebuild(self, connection: sa.Connection) -> None:
        """Rewrite every row: for loaders that write in bulk, outside the ORM."""
        connection.execute(sa.delete(self.model))
        connection.execute(sa.insert(self.model).from_select(self.columns, self.recomputed()))

    def differing(self, connection: sa.Connection) -> list:
        """Rows of the table and of its recomputation that the other lacks: empty when they are equal."""
        kept = sa.select(*(self.model.__table__.c[name] for name in self.columns))
        fresh = self.recomputed()
        return [*connection.execute(sa.except_(kept, fresh)), *connection.execute(sa.except_(fresh, kept))]
