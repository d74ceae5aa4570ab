"""List pages under gunicorn (2 workers, 127.0.0.1) with 20 concurrent users on the DESIGN §10 scale set:
p50/p95 of each list page and the ratio of its p95 to the p95 of a trivial page (/health) of the same app
served the same way, measured in the same run. Goal (DESIGN §10): ratio ≤ 3× (and p95 < 150 ms).
Bounded: at most --requests requests and --seconds seconds per page.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/mowakaba_scale \\
        .venv/bin/python -m bench.list_pages_bench --password scale-password-1
    .venv/bin/python -m bench.list_pages_bench --fraction 0.05     # SQLite file in a temp dir
    .venv/bin/python -m bench.list_pages_bench --smoke
"""

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from bench import common
from tracker.demo import scale

PAGES = (  # (label, path, account): what each role opens most
    ("trivial page (/health)", "/health", None),
    ("projects", "/projects/", "staff"),
    ("sessions", "/sessions/", "staff"),
    ("trainings", "/trainings/", "staff"),
    ("review queue", "/reports/review", "manager"),
    ("my portfolio (staff)", "/", "staff"),
    ("holder home", "/", "holder"),
)
ACCOUNTS = {"staff": f"scale.staff0001@{scale.EMAIL_DOMAIN}", "manager": f"scale.manager1@{scale.EMAIL_DOMAIN}",
            "holder": f"scale.holder00001@{scale.EMAIL_DOMAIN}"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def hammer(base: str, path: str, cookies, users: int, requests: int, seconds: float) -> tuple[list[float], int]:
    deadline = time.monotonic() + seconds
    errors = 0

    def one(_n: int) -> float | None:
        nonlocal errors
        if time.monotonic() > deadline:
            return None
        client = common.Client(base)
        if cookies is not None:
            for cookie in cookies:
                client.jar.set_cookie(cookie)
        status, _body, elapsed = client.get(path)
        if status != 200:
            errors += 1
        return elapsed

    with ThreadPoolExecutor(max_workers=users) as pool:
        timings = [t for t in pool.map(one, range(requests)) if t is not None]
    return timings, errors


def main(argv=None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny SQLite set, a few requests, nothing recorded")
    parser.add_argument("--fraction", type=float, default=0.05, help="size of the set to create when missing")
    parser.add_argument("--password", default=common.PASSWORD, help="password of the scale accounts")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="per page")
    parser.add_argument("--seconds", type=float, default=60, help="per page")
    parser.add_argument("--port", type=int, default=8071)
    args = parser.parse_args(argv)
    fraction = common.SMOKE_FRACTION if args.smoke else args.fraction
    requests, users = (20, 4) if args.smoke else (args.requests, args.users)
    url = common.database_url(args.smoke, fraction)
    app = common.make_app(url)
    common.ensure_scale(app, fraction, args.password)
    server = common.start_gunicorn(url, args.port, workers=2)
    base = f"http://127.0.0.1:{args.port}"
    lines = [f"gunicorn 2 workers on 127.0.0.1, {users} concurrent users, ≤ {requests} requests and "
             f"≤ {args.seconds:g} s per page; p95 ratio = p95(page) / p95(/health)", "",
             "| page | account | requests | errors | p50 ms | p95 ms | p95 ratio | goal ≤ 3× |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    try:
        jars = {role: list(common.Client(base).login(email, args.password).jar) for role, email in ACCOUNTS.items()}
        trivial_p95 = None
        for label, path, role in PAGES:
            hammer(base, path, jars.get(role), users, users, args.seconds)  # warm both workers
            timings, errors = hammer(base, path, jars.get(role), users, requests, args.seconds)
            p50, p95 = statistics.median(timings) * 1000, percentile(timings, 0.95) * 1000
            trivial_p95 = trivial_p95 or p95
            ratio = p95 / trivial_p95
            verdict = "–" if role is None else ("met" if ratio <= 3 else "NOT met")
            lines.append(f"| {label} | {role or 'anonymous'} | {len(timings)} | {errors} | {p50:.0f} | {p95:.0f} "
                         f"| {ratio:.1f}× | {verdict} |")
    finally:
        common.stop(server)
    common.record("List pages under gunicorn (bench/list_pages_bench.py)", app, lines, args.smoke)
    return lines


if __name__ == "__main__":
    main()
