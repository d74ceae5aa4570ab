"""The benchmarks of the import run in their --smoke mode (tiny files, nothing recorded); their real figures
are in bench/RESULTS.md."""

from tests.core.test_bench_smoke import _db, _run  # noqa: F401  (the fixture: no suite database needed)


def test_hostile_files_bench_smoke():
    out = _run("bench.import_hostile_bench")
    assert "| CSV, mostly `;` lines" in out and "| XLSX of blank rows" in out and "goals met" in out
