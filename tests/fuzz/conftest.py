"""The fuzzing suite's counters, printed at the end of the run (how many requests, how many 5xx)."""

from collections import Counter

from tests.conftest import backend_name

STATS: Counter = Counter()
ROUTES: set = set()


def pytest_terminal_summary(terminalreporter):
    if STATS["requests"]:
        terminalreporter.write_line(
            f"fuzz ({backend_name()}): {STATS['requests']} requests to {len(ROUTES)} route×method×role "
            f"combinations, {STATS['5xx']} responses of 500 or more, {STATS['relogins']} re-logins")
        classes = sorted(key for key in STATS if key.startswith(("GET ", "POST ")))
        terminalreporter.write_line("fuzz responses: " + ", ".join(f"{key}: {STATS[key]}" for key in classes))
