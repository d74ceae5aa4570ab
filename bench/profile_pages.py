"""cProfile of list pages served in-process (Flask test client) on the benchmark database: the top functions by
cumulative and by own time of --runs requests per page, written to bench/profiles/<page>.txt (kept in the
repository: the evidence for the optimisations of issue 20). pyinstrument is not installed; cProfile is.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench .venv/bin/python -m bench.profile_pages
    .venv/bin/python -m bench.profile_pages --smoke          # tiny SQLite set, profiles printed, not written
"""

import argparse
import cProfile
import gc
import io
import pstats
import re
import time
from pathlib import Path

from bench import common
from bench.list_pages_bench import ACCOUNTS, PAGES

PROFILES = Path(__file__).with_name("profiles")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--fraction", type=float, default=0.05)
    parser.add_argument("--password", default=common.PASSWORD)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--only", nargs="*", help="labels of the pages to profile (default: all)")
    parser.add_argument("--lines", type=int, default=45)
    args = parser.parse_args(argv)
    fraction = common.SMOKE_FRACTION if args.smoke else args.fraction
    url = common.database_url(args.smoke, fraction)
    app = common.make_app(url)
    common.ensure_scale(app, fraction, args.password)
    runs = 2 if args.smoke else args.runs
    gc.collect()
    gc.freeze()  # as wsgi.py does: else a full collection's pause lands on whatever function runs then
    PROFILES.mkdir(exist_ok=True)
    for label, path, role in PAGES:
        if args.only and label not in args.only:
            continue
        client = app.test_client()
        client.post("/login", data={"email": ACCOUNTS[role], "password": args.password})
        assert client.get(path).status_code == 200, (label, path)  # warm
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        for _ in range(runs):
            client.get(path)
        profile.disable()
        per_request = (time.perf_counter() - start) / runs * 1000
        out = io.StringIO()
        out.write(f"# {label} ({path}, {role}): {runs} requests in-process under cProfile, "
                  f"{per_request:.1f} ms per request (profiled, so slower than served)\n\n")
        stats = pstats.Stats(profile, stream=out).strip_dirs()
        out.write("## by cumulative time\n")
        stats.sort_stats("cumulative").print_stats(args.lines)
        out.write("## by own time\n")
        stats.sort_stats("tottime").print_stats(args.lines)
        text = out.getvalue()
        if args.smoke:
            print(text[:3000])
        else:
            name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
            (PROFILES / f"{name}.txt").write_text(text, encoding="utf-8")
            print(f"{label}: {per_request:.1f} ms per profiled request -> bench/profiles/{name}.txt")


if __name__ == "__main__":
    main()
