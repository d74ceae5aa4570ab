"""Floor pages for `bench/list_pages_bench.py` (issue 20): what a list page would cost if only the database
and the web stack were paid for. Served by `bench.floor:app`, the production app of `wsgi.py` plus the
blueprint below, started by the benchmark with BENCH_FLOOR_PAGES=1 (the production app, `wsgi:app`, never
has these routes; the permission matrix does not see them).

- Every SELECT a page executes is recorded (per gunicorn worker, the page's latest 200 answer).
- `/_bench/floor?page=/sessions/` executes the same statements with the same parameters through the same
  connection pool and driver, fetches every row, and renders the rows with a one-loop template: no ORM
  objects, no macros, no permission decorators, no Babel formatting, no url_for. At most `MAX_ROWS` rows
  per statement are rendered (a page shows 25 to 50; the home page's attention ranking fetches more).
  When the worker has not served the page yet, it does once, inside the floor request, to learn them.
- Every answer carries `X-Bench-Server-Ms`: the time from the WSGI call to `start_response`, i.e. the
  server's time without the network and the client.
"""

import os
import re
import time

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, g, has_request_context, request

from tracker.extensions import db

MAX_ROWS = 100
SELECT = re.compile(r"\s*(SELECT|WITH)\b", re.I)
TEMPLATE = ("<!doctype html><title>floor</title><table>{% for rows in results %}{% for row in rows %}<tr>"
            "{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}{% endfor %}</table>")
bp = Blueprint("bench_floor", __name__, url_prefix="/_bench")
_recorded: dict[str, list[tuple[str, object]]] = {}  # this worker's pages → their SELECTs and parameters


def _page_key() -> str:
    query = request.query_string.decode()
    return request.path + (f"?{query}" if query else "")


def _record(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_request_context() and not executemany and SELECT.match(statement):
        statements = g.get("bench_statements")
        if statements is not None:
            statements.append((statement, parameters))


def _start_recording() -> None:
    if not request.path.startswith("/_bench/"):
        g.bench_statements = []


def _keep_recording(response):
    statements = g.pop("bench_statements", None)
    if statements and response.status_code == 200:
        _recorded[_page_key()] = statements
    return response


@bp.get("/floor")
def floor():
    page = request.args.get("page", "")
    if not page.startswith("/") or page.startswith("/_bench/"):
        abort(400)
    if page not in _recorded:  # learn the page's statements by serving it once, as its user
        with current_app.test_client() as client:
            client.get(page, headers={"Cookie": request.headers.get("Cookie", "")})
    statements = _recorded.get(page)
    if statements is None:
        abort(404)
    connection = db.session.connection()
    results = [connection.exec_driver_sql(statement, parameters).fetchall()[:MAX_ROWS]
               for statement, parameters in statements]
    template = current_app.extensions.setdefault("bench_floor_template", current_app.jinja_env.from_string(TEMPLATE))
    return template.render(results=results)


class ServerTime:
    """WSGI middleware: X-Bench-Server-Ms, the milliseconds from the call to start_response."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        start = time.perf_counter()

        def timed(status, headers, exc_info=None):
            headers.append(("X-Bench-Server-Ms", f"{(time.perf_counter() - start) * 1000:.2f}"))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, timed)


def install(flask_app) -> None:
    flask_app.register_blueprint(bp)
    # first before and last after the app's own hooks, so that their statements count too
    flask_app.before_request_funcs.setdefault(None, []).insert(0, _start_recording)
    flask_app.after_request_funcs.setdefault(None, []).insert(0, _keep_recording)
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", _record)
    flask_app.wsgi_app = ServerTime(flask_app.wsgi_app)


from wsgi import app  # noqa: E402 - the production app, then (only for the benchmark) the floor pages

if os.environ.get("BENCH_FLOOR_PAGES") == "1":
    install(app)
