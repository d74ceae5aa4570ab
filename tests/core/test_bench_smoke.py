"""Each benchmark script of bench/ runs in its --smoke mode (a tiny SQLite set, seconds) and prints its
figures; bench/RESULTS.md is left alone. The real runs and their figures: bench/RESULTS.md."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "RESULTS.md"


@pytest.fixture
def _db():
    """No database of the suite is needed: each script builds its own SQLite file."""
    yield


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    before = RESULTS.read_bytes() if RESULTS.exists() else None
    result = subprocess.run([sys.executable, "-m", *args, "--smoke"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert (RESULTS.read_bytes() if RESULTS.exists() else None) == before  # smoke runs record nothing
    return result.stdout


def test_report_bench_smoke():
    out = _run("bench.report_bench")
    assert "| cohort of 2 projects |" in out and "| whole programme (2 cohorts) |" in out
    assert "×" in out and "floor" in out


def test_list_pages_bench_smoke():
    out = _run("bench.list_pages_bench", "--port", str(_free_port()))
    for page in ("/health", "projects", "sessions", "trainings", "review queue", "my portfolio"):
        assert page in out
    assert "| 0 |" in out  # error column: every request answered 200
    assert "p95" in out
    for page in ("cohorts", "users", "/?mentor=all", "holder home"):
        assert page in out
    assert "floor p95" in out and out.count("× |") >= 9  # each list page against its floor page


def test_the_floor_pages_are_not_part_of_the_production_app(app):
    """bench/floor.py adds its routes to `bench.floor:app` only; `wsgi:app` (create_app) never has them."""
    assert not [rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/_bench")]


def test_queries_per_page_smoke():
    out = _run("bench.queries_per_page")
    assert "/projects/" in out and "/sessions/" in out
    assert "Equal statement counts for every page." in out


def test_import_bench_smoke():
    out = _run("bench.import_bench")
    assert "run_import + commit (new cohort)" in out and "created 20 projects" in out


def test_two_instances_smoke():
    out = _run("bench.two_instances", "--ports", str(_free_port()), str(_free_port()))
    assert "stale save through instance B refused" in out and "FAILED" not in out
    assert "an rq worker on queue" in out  # Redis runs on 127.0.0.1:6379, as for the mail queue tests
    assert out.count("| ok |") == 10  # issue 20: a job asked through A, built by the worker, downloaded through B
