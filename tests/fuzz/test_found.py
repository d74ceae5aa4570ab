"""What the fuzzing suite found, kept as plain regression tests (each was a 500, on PostgreSQL at least)."""

import pytest


@pytest.mark.parametrize("url", [
    "/admin/users?role=x",  # an unknown value of a PostgreSQL enum
    "/admin/users?role=%20",
    "/admin/audit/?to=9999-12-31",  # the day after the last day Python knows
    "/admin/audit/?from=0001-01-01&to=9999-12-31",
    "/period-reports/projects/{project}/%00",  # a NUL in a path segment reached the database
    "/cohorts/%0A",
    "/imports/%00",
])
def test_found_by_the_fuzzer(login_as, actors, url):
    response = login_as("admin").get(url.format(project=actors.project.id))
    assert response.status_code in (200, 400, 404), url
