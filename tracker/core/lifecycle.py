"""The one place a request's work is committed or rolled back (issue 16).

A view calls its services inside `saving()`; the block commits when it ends normally. A broken rule
(ServiceError, or whatever `catch` names) rolls back and is shown on the form, then the view goes on with
what differs (reload the record after a conflict, release a claimed submission). Anything else rolls back
and propagates to the error pages. A lost optimistic-locking race (StaleDataError, raised by the version
column between the version check and the UPDATE) becomes the same ConflictError a stale form gives.

    with saving(form) as outcome:
        project = services.create_project(current_user, form.project_data())
    if outcome.ok:
        return redirect(...)
    form.release_submission()
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from tracker.core.services import CONFLICT_MESSAGE, ConflictError, ServiceError
from tracker.core.view_helpers import apply_error
from tracker.extensions import db


class Outcome:
    """What `saving()` did: `error` is the caught error (None once committed). The block registers clean-ups
    it can only name once its services have run (files written or orphaned)."""

    def __init__(self):
        self.error: Exception | None = None
        self._after_commit: list[Callable[[], object]] = []
        self._on_rollback: list[Callable[[], object]] = []

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def conflict(self) -> bool:
        return isinstance(self.error, ConflictError)

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Runs once the commit succeeded (e.g. removing the files of deleted rows: kept if it fails)."""
        self._after_commit.append(callback)

    def on_rollback(self, callback: Callable[[], object]) -> None:
        """Runs after any rollback (e.g. removing files written for rows that are not kept)."""
        self._on_rollback.append(callback)


def _rollback(outcome: Outcome) -> None:
    db.session.rollback()
    for callback in outcome._on_rollback:
        callback()


@contextmanager
def saving(form=None, *, catch=ServiceError, show: bool = True, rows=None) -> Iterator[Outcome]:
    """Commits the block's work, or rolls it back. Errors of the `catch` types are recorded on the outcome
    and, with `show`, applied to `form` (field error and flash; a flash alone without a form); `catch=()`
    for a block whose errors all go to the error pages."""
    outcome = Outcome()
    try:
        try:
            yield outcome
            db.session.commit()
        except StaleDataError as stale:
            raise ConflictError(CONFLICT_MESSAGE) from stale
    except catch as error:
        _rollback(outcome)
        outcome.error = error
        if show and isinstance(error, ServiceError):
            apply_error(form, error, rows=rows)
        return
    except BaseException:
        _rollback(outcome)
        raise
    for callback in outcome._after_commit:
        callback()


def keep_computed() -> None:
    """Commits what a page computed for the next views to read (derived data: the portfolio's figures), once
    it has rendered, so that nothing it shows is expired and read again."""
    with saving(catch=()):
        pass
