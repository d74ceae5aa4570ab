"""Turning a lost optimistic-locking race into the same conflict message as a stale form."""

from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from tracker.core.services import CONFLICT_MESSAGE, ConflictError
from tracker.extensions import db


@contextmanager
def conflict_guard():
    """Between the version check and the UPDATE another request may commit: SQLAlchemy's version
    column then raises StaleDataError, which becomes the ConflictError the views already handle."""
    try:
        yield
    except StaleDataError as error:
        db.session.rollback()
        raise ConflictError(CONFLICT_MESSAGE) from error
