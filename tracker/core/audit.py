"""The audit trail: who changed what, before → after. Services call `record()`; it only adds to the session."""

import datetime as dt
import enum
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Optional

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.models import UTCDateTime, utcnow
from tracker.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_entity", "entity_type", "entity_id"),
        sa.Index("ix_audit_events_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Kept when the user is removed: the trail must outlive accounts.
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[Optional[int]]
    changes: Mapped[Optional[dict]] = mapped_column(sa.JSON)
    ip: Mapped[Optional[str]] = mapped_column(sa.String(45))

    def __repr__(self) -> str:
        return f"<AuditEvent {self.action} {self.entity_type}:{self.entity_id}>"


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return sorted(_plain(v) for v in value)
    return value


def snapshot(obj, fields: list[str]) -> dict[str, Any]:
    """The audited fields of `obj` as JSON-ready values."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """Only what changed, as {field: [before, after]}."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def record(actor, action: str, entity_type: str, entity_id: int | None, changes: dict | None = None) -> AuditEvent:
    ip = request.remote_addr if has_request_context() else None
    event = AuditEvent(
        user_id=getattr(actor, "id", None),
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        changes=changes or None,
        ip=ip,
    )
    db.session.add(event)
    return event


@contextmanager
def recorded(actor, obj, entity_type: str, fields: list[str], action: str = "update"):
    """Audits what the block changes in `obj`'s `fields`: one event with {field: [before, after]}, none when
    nothing changed. Yields the dict of changes, filled when the block ends (after a flush, so defaults and
    database-side values are what is recorded)."""
    before = snapshot(obj, fields)
    changes: dict[str, list] = {}
    yield changes
    db.session.flush()
    changes.update(diff(before, snapshot(obj, fields)))
    if changes:
        record(actor, action, entity_type, obj.id, changes)


def update(actor, obj, entity_type: str, fields: list[str], data: dict) -> dict[str, list]:
    """Sets `data` on `obj` and audits what changed; returns the changes."""
    with recorded(actor, obj, entity_type, fields) as changes:
        for key, value in data.items():
            setattr(obj, key, value)
    return changes
