"""Every command that takes a date reads it the same way: YYYY-MM-DD, or a usage error that names the option."""

import pytest


@pytest.mark.parametrize("args", [
    ["cohort", "create", "x-slug", "--name", "X", "--start", "2026-13-01"],
    ["reminders", "send", "--today", "2026-13-01"],
    ["notifications", "digest", "--today", "2026-13-01"],
    ["report", "cohort", "--cohort", "x", "--format", "json", "--from", "2026-13-01"],
])
def test_a_bad_date_is_a_usage_error(runner, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert "'2026-13-01' is not a date in the form YYYY-MM-DD." in result.output
