"""Turning a lost optimistic-locking race into the same conflict message as a stale form."""

from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from tracker.core.services import ConflictError, check_version
from tracker.extensions import db


@contextmanager
def conflict_guard(obj):
    """Re-raises StaleDataError (a concurrent commit won the race) as ConflictError."""
    try:
        yield
    except StaleDataError:
        db.session.rollback()
        check_version(obj, -1)  # always raises ConflictError with the translated message
        raise ConflictError("")  # pragma: no cover - unreachable


__all__ = ["conflict_guard", "ConflictError"]
