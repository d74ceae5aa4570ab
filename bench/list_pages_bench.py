"""List pages under gunicorn (2 workers, 127.0.0.1) with 20 concurrent users on the DESIGN §10 scale set,
each against its floor page (issue 20): the same SQL statements executed and their rows rendered by a
one-loop template, served by the same gunicorn (`bench/floor.py`). For each page: p50/p95 of the page and
of its floor page at 20 concurrent users, the ratio of the two p95, and the single-user p50 server time
(`X-Bench-Server-Ms`, sequential requests). Goals (issue 20): p95 ≤ 1.5× the floor page's p95 and
single-user p50 ≤ 30 ms. Bounded: at most --requests requests and --seconds seconds per page. The page and
its floor page are measured in turn (--rounds), so that the machine's drift weighs on both alike.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench .venv/bin/python -m bench.list_pages_bench
    .venv/bin/python -m bench.list_pages_bench --fraction 0.05     # SQLite file in a temp dir
    .venv/bin/python -m bench.list_pages_bench --smoke
"""

import argparse
import os
import statistics
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from bench import common
from tracker.demo import scale

PAGES = (  # (label, path, account): what each role opens most
    ("projects", "/projects/", "staff"),
    ("sessions", "/sessions/", "staff"),
    ("trainings", "/trainings/", "staff"),
    ("cohorts", "/cohorts/", "manager"),
    ("review queue", "/period-reports/review", "manager"),
    ("users", "/admin/users", "admin"),
    ("home, every mentor", "/?mentor=all", "manager"),
    ("my portfolio (staff)", "/", "staff"),
    ("holder home", "/", "holder"),
)
ACCOUNTS = {"staff": f"scale.staff0001@{scale.EMAIL_DOMAIN}", "manager": f"scale.manager1@{scale.EMAIL_DOMAIN}",
            "admin": f"scale.admin@{scale.EMAIL_DOMAIN}", "holder": f"scale.holder00001@{scale.EMAIL_DOMAIN}"}
RATIO_GOAL, SERVER_MS_GOAL = 1.5, 30


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _client(base: str, cookies) -> common.Client:
    client = common.Client(base)
    for cookie in cookies or ():
        client.jar.set_cookie(cookie)
    return client


def hammer(base: str, path: str, cookies, users: int, requests: int, seconds: float) -> tuple[list[float], int]:
    deadline = time.monotonic() + seconds
    errors = 0

    def one(_n: int) -> float | None:
        nonlocal errors
        if time.monotonic() > deadline:
            return None
        status, _body, elapsed = _client(base, cookies).get(path)
        if status != 200:
            errors += 1
        return elapsed

    with ThreadPoolExecutor(max_workers=users) as pool:
        timings = [t for t in pool.map(one, range(requests)) if t is not None]
    return timings, errors


def server_ms(base: str, paths: list[str], cookies, requests: int) -> list[float]:
    """Median X-Bench-Server-Ms of sequential requests (one user) of each path, the paths taken in turn
    (page, floor, page, floor…) so that a change of the machine's speed during the run weighs on both."""
    import urllib.request

    client = _client(base, cookies)
    times: list[list[float]] = [[] for _ in paths]
    for _ in range(requests):
        for n, path in enumerate(paths):
            with client.opener.open(urllib.request.Request(base + path), timeout=60) as response:
                response.read()
                times[n].append(float(response.headers["X-Bench-Server-Ms"]))
    return [statistics.median(t) for t in times]


def interleaved(base: str, paths: list[str], cookies, users: int, requests: int, seconds: float,
                rounds: int) -> list[tuple[list[float], int]]:
    """`hammer` each path in turn, `rounds` times, `requests / rounds` requests each time: the page and its
    floor page are measured in the same minutes, so drift in the machine's speed (a shared machine's
    neighbours) does not favour the one measured second. The timings of the rounds are pooled."""
    pooled: list[tuple[list[float], int]] = [([], 0) for _ in paths]
    for _ in range(rounds):
        for n, path in enumerate(paths):
            timings, errors = hammer(base, path, cookies, users, max(users, requests // rounds), seconds / rounds)
            pooled[n] = (pooled[n][0] + timings, pooled[n][1] + errors)
    return pooled


def floor_path(path: str) -> str:
    return "/_bench/floor?page=" + urllib.parse.quote(path, safe="")


def main(argv=None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny SQLite set, a few requests, nothing recorded")
    parser.add_argument("--fraction", type=float, default=0.05, help="size of the set to create when missing")
    parser.add_argument("--password", default=common.PASSWORD, help="password of the scale accounts")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="per page")
    parser.add_argument("--seconds", type=float, default=60, help="per page")
    parser.add_argument("--single", type=int, default=30, help="sequential requests for the server time")
    parser.add_argument("--port", type=int, default=8071)
    parser.add_argument("--only", nargs="*", help="labels of the pages to measure (default: all)")
    parser.add_argument("--rounds", type=int, default=4, help="page and floor measured in turn, this many times")
    args = parser.parse_args(argv)
    fraction = common.SMOKE_FRACTION if args.smoke else args.fraction
    requests, users, single = (20, 4, 3) if args.smoke else (args.requests, args.users, args.single)
    rounds = 1 if args.smoke else max(1, args.rounds)
    url = common.database_url(args.smoke, fraction)
    app = common.make_app(url)
    common.ensure_scale(app, fraction, args.password)
    server = common.start_gunicorn(url, args.port, workers=2, app="bench.floor:app", BENCH_FLOOR_PAGES="1")
    base = f"http://127.0.0.1:{args.port}"
    load = os.getloadavg()
    lines = [f"gunicorn 2 workers on 127.0.0.1, {users} concurrent users, ≤ {requests} requests and "
             f"≤ {args.seconds:g} s per page, page and floor taken in turn in {rounds} rounds; floor = the page's "
             f"SQL statements executed, rows rendered by a one-loop template (bench/floor.py); ratio = p95(page) "
             f"/ p95(floor); server ms = single-user p50 of X-Bench-Server-Ms over {single} sequential requests, "
             f"page and floor in turn; load average before the run "
             f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}", "",
             "| page | account | requests | errors | p50 ms | p95 ms | floor p50 | floor p95 | p95 ratio "
             f"| server ms (1 user) | floor server ms | goal ≤ {RATIO_GOAL}× and ≤ {SERVER_MS_GOAL} ms |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    try:
        jars = {role: list(common.Client(base).login(email, args.password).jar) for role, email in ACCOUNTS.items()}
        rows = [("trivial page (/health)", "/health", None)] + [p for p in PAGES if not args.only or p[0] in args.only]
        for label, path, role in rows:
            cookies = jars.get(role)
            targets = [path, floor_path(path)] if role else [path]
            for target in targets:
                hammer(base, target, cookies, users, users, args.seconds)  # warm both workers
            results = interleaved(base, targets, cookies, users, requests, args.seconds, rounds)
            alone_ms = server_ms(base, targets, cookies, single)
            measured = [(len(timings), errors, statistics.median(timings) * 1000, percentile(timings, 0.95) * 1000,
                         alone) for (timings, errors), alone in zip(results, alone_ms, strict=True)]
            count, errors, p50, p95, alone = measured[0]
            if role is None:
                lines.append(f"| {label} | anonymous | {count} | {errors} | {p50:.0f} | {p95:.0f} | – | – | – "
                             f"| {alone:.1f} | – | – |")
                continue
            _c, floor_errors, floor_p50, floor_p95, floor_alone = measured[1]
            ratio = p95 / floor_p95
            verdict = "met" if ratio <= RATIO_GOAL and alone <= SERVER_MS_GOAL else "NOT met"
            lines.append(f"| {label} (`{path}`) | {role} | {count} | {errors + floor_errors} | {p50:.0f} | {p95:.0f} "
                         f"| {floor_p50:.0f} | {floor_p95:.0f} | {ratio:.2f}× | {alone:.1f} | {floor_alone:.1f} "
                         f"| {verdict} |")
    finally:
        common.stop(server)
    common.record("List pages against their floor pages under gunicorn (bench/list_pages_bench.py)", app, lines,
                  args.smoke)
    return lines


if __name__ == "__main__":
    main()
