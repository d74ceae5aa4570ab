"""Every Flask extension singleton, bound to the app in create_app()."""

from flask import has_request_context, request
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.pagination import Pagination

from tracker.core.models import Base
from tracker.offline.csrf import ReplayAwareCSRF

MAX_PAGE = 1_000_000  # far past any real list; keeps OFFSET inside the databases' integer range


def _page_asked(page):
    """Flask-SQLAlchemy reads ?page= as an unbounded int: ?page=99999999999999999999 would overflow the OFFSET
    (a 500 on SQLite and PostgreSQL). A page past MAX_PAGE is simply past the last one."""
    if page is None and has_request_context():
        try:
            return min(int(request.args.get("page", 1)), MAX_PAGE)
        except (TypeError, ValueError):
            return None  # Flask-SQLAlchemy's own handling: 404, or page 1 with error_out=False
    return page


class BoundPagination(Pagination):
    """Flask-SQLAlchemy's pagination of a statement built once, whose LIMIT and OFFSET are the parameters
    `limit` and `offset`, its other values bound at execution (`values`), with its own count statement.
    `paginate` copies its statement to add them, which costs as much as building it anew (issue 20)."""

    def _query_items(self) -> list:
        args = self._query_args
        bound = {**args["values"], "limit": self.per_page, "offset": self._query_offset}
        return list(args["session"].execute(args["select"], bound).unique().scalars())

    def _query_count(self) -> int:
        return self._query_args["session"].scalar(self._query_args["count_select"], self._query_args["values"])


class _SQLAlchemy(SQLAlchemy):
    def paginate(self, select, *, page=None, **kwargs):
        return super().paginate(select, page=_page_asked(page), **kwargs)

    def paginate_bound(self, select, count_select, values: dict, *, page=None, **kwargs) -> BoundPagination:
        """`paginate` for a `BoundPagination` statement, its count statement and their values."""
        return BoundPagination(select=select, count_select=count_select, values=values, session=self.session,
                               page=_page_asked(page), **kwargs)


db = _SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = ReplayAwareCSRF()  # Flask-WTF's, plus offline replays (tracker/offline/replay.py)
babel = Babel()
