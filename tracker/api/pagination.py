"""Cursor pagination: rows in id order, `limit` of them (API_PAGE_SIZE by default, 200 at most), and a
`next` link carrying an opaque cursor (the last id seen) while more rows follow. Keyset, not OFFSET: a page
costs the same on the first and the thousandth page, and rows added meanwhile never shift a page."""

import base64
import binascii

import sqlalchemy as sa
from flask import current_app, request, url_for

from tracker.extensions import db

MAX_LIMIT = 200


class BadPage(ValueError):
    pass


def encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _sep, value = raw.partition(":")
        last_id = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadPage("cursor") from None
    if kind != "id" or not 0 <= last_id < 2**31:
        raise BadPage("cursor")
    return last_id


def page_size() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return current_app.config["API_PAGE_SIZE"]
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadPage("limit")
    return int(raw)


def fetch(stmt: sa.Select, id_column) -> tuple[list, str | None]:
    """One page of `stmt` (entities) after the request's cursor, and the absolute URL of the next page."""
    limit = page_size()
    cursor = request.args.get("cursor")
    if cursor:
        stmt = stmt.where(id_column > decode(cursor))
    rows = list(db.session.scalars(stmt.order_by(None).order_by(id_column).limit(limit + 1)).unique())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    args = request.args.to_dict(flat=False)
    args["cursor"] = encode(rows[-1].id)
    return rows, url_for(request.endpoint, **(request.view_args or {}), **args, _external=True)
