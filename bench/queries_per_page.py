"""SQL statements and median time of each list page with 10 and with 1,000 rows per page, on the scale set
(fraction 0.05: 1,000 projects, 20,000 sessions): the statement count must not grow with the rows shown.
Pages with fewer rows than asked show what exists (the "rows shown" column says how many).

    .venv/bin/python -m bench.queries_per_page              # SQLite file in a temp dir
    .venv/bin/python -m bench.queries_per_page --smoke      # seconds, nothing written to RESULTS.md
"""

import argparse
import re
import statistics
import time

import sqlalchemy as sa

from bench import common
from tracker.demo import scale
from tracker.extensions import db

PAGE_SIZES = ("PROJECTS_PER_PAGE", "SESSIONS_PER_PAGE", "TRAININGS_PER_PAGE", "REPORTS_PER_PAGE", "AUDIT_PER_PAGE")
PAGES = (  # (path, account); portfolio, cohorts and users have fixed page sizes (25, 25, 50)
    ("/projects/", "manager"),
    ("/sessions/", "manager"),
    ("/trainings/", "manager"),
    ("/period-reports/review", "manager"),
    ("/", "staff"),
    ("/?mentor=all", "manager"),
    ("/cohorts/", "manager"),
    ("/admin/users", "admin"),
)
ACCOUNTS = {"admin": f"scale.admin@{scale.EMAIL_DOMAIN}", "manager": f"scale.manager1@{scale.EMAIL_DOMAIN}",
            "staff": f"scale.staff0001@{scale.EMAIL_DOMAIN}"}


def measure(client, url: str, runs: int) -> tuple[int, float, int]:
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)", statement, re.I):
            statements.append(statement)

    client.get(url)  # warm
    sa.event.listen(db.engine, "before_cursor_execute", count)
    timings = []
    try:
        for _ in range(runs):
            statements.clear()
            start = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    rows = response.get_data(as_text=True).count("<tr") - 1  # minus the header row
    return len(statements), statistics.median(timings) * 1000, max(rows, 0)


def main(argv=None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--fraction", type=float, default=0.05)
    args = parser.parse_args(argv)
    fraction = common.SMOKE_FRACTION if args.smoke else args.fraction
    sizes, runs = ((2, 10), 1) if args.smoke else ((10, 1000), 5)
    app = common.make_app(common.database_url(args.smoke, fraction))
    common.ensure_scale(app, fraction)
    lines = ["| page | account | asked | rows shown | statements | median ms |",
             "| --- | --- | ---: | ---: | ---: | ---: |"]
    unequal = []
    with app.app_context():
        clients = {}
        for role, email in ACCOUNTS.items():
            clients[role] = app.test_client()
            response = clients[role].post("/login", data={"email": email, "password": common.PASSWORD})
            assert response.status_code == 302, f"login of {email} failed"
        for url, role in PAGES:
            counts = []
            for size in sizes:
                app.config.update(dict.fromkeys(PAGE_SIZES, size))
                queries, ms, rows = measure(clients[role], url, runs)
                counts.append(queries)
                lines.append(f"| {url} | {role} | {size} | {rows} | {queries} | {ms:.1f} |")
            if len(set(counts)) != 1:
                unequal.append(url)
    lines += ["", "Equal statement counts for every page." if not unequal else f"UNEQUAL counts: {', '.join(unequal)}"]
    common.record("Queries per list page (bench/queries_per_page.py)", app, lines, args.smoke)
    return lines


if __name__ == "__main__":
    main()
