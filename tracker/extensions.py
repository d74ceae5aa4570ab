"""Every Flask extension singleton, bound to the app in create_app()."""

from flask import has_request_context, request
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from tracker.core.models import Base
from tracker.offline.csrf import ReplayAwareCSRF

MAX_PAGE = 1_000_000  # far past any real list; keeps OFFSET inside the databases' integer range


class _SQLAlchemy(SQLAlchemy):
    def paginate(self, select, *, page=None, **kwargs):
        """Flask-SQLAlchemy reads ?page= as an unbounded int: ?page=99999999999999999999 would overflow
        the OFFSET (a 500 on SQLite and PostgreSQL). A page past MAX_PAGE is simply past the last one."""
        if page is None and has_request_context():
            try:
                page = min(int(request.args.get("page", 1)), MAX_PAGE)
            except (TypeError, ValueError):
                page = None  # Flask-SQLAlchemy's own handling: 404, or page 1 with error_out=False
        return super().paginate(select, page=page, **kwargs)


db = _SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = ReplayAwareCSRF()  # Flask-WTF's, plus offline replays (tracker/offline/replay.py)
babel = Babel()
