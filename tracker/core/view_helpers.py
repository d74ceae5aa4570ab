"""What views share besides the commit (tracker/core/lifecycle.py) and the query string (query_args.py):
showing a service error on its form and loading one object or 404 with its permission check."""

from collections.abc import Callable

from flask import abort
from flask import flash as flash_message

from tracker.core.permissions import Action, authorize
from tracker.core.services import ConflictError, ServiceError
from tracker.core.urls import MAX_DB_INT
from tracker.extensions import db


def load_or_404(get, ident, action: Action | None = None, *, check: Callable | None = None):
    """The object `get` finds for `ident` (a model class: by primary key; else a service's `get_*`), or 404;
    then `action` is authorized on it, or on `check(obj)` when the rule is the parent's (holders get 404
    outside their projects). An integer id no column can hold names nothing: 404, never a database error."""
    if isinstance(ident, int) and not 0 < ident <= MAX_DB_INT:
        abort(404)
    obj = db.session.get(get, ident) if isinstance(get, type) else get(ident)
    if obj is None:
        abort(404)
    if action is not None:
        authorize(action, check(obj) if check is not None else obj)
    return obj


def reload_after_failed_save(outcome, get, ident, form, *, stamp: Callable | None = None):
    """After a save that did not go through (`outcome` of `lifecycle.saving`): the record as the database now
    has it (404 when it was deleted meanwhile) and the conflict to show, None unless the save lost a race.
    On a conflict the form takes the record's current version (`stamp(record)` gives (field, value) when the
    form's token is not `version`), so that saving again is a deliberate overwrite."""
    record = load_or_404(get, ident)
    if not outcome.conflict:
        return record, None
    field, value = stamp(record) if stamp is not None else ("version", record.version)
    form[field].data = value
    return record, record


def apply_error(form, error: ServiceError, *, rows=None, flash_too: bool = True,
                default_field: str | None = None) -> None:
    """Puts the error's message beside the field it names and flashes it ("warning" for a conflict).

    `rows`: the sub-forms a service numbered, for fields named `items-<position>-<name>`.
    `flash_too=False`: flashed only when no field shows it. `default_field`: where an error naming no field goes.
    """
    name = error.field or default_field
    field = None
    if name and rows is not None and name.startswith("items-"):
        _, position, sub_name = name.split("-", 2)
        if int(position) < len(rows):
            field = rows[int(position)][0].form._fields.get(sub_name)
    elif name and form is not None:
        field = form._fields.get(name)
    if field is not None:
        field.errors = list(field.errors) + [str(error.message)]
    if flash_too or field is None:
        flash_message(str(error.message), "warning" if isinstance(error, ConflictError) else "danger")
