"""Invalid ids and query strings on every route family, as an admin (who may open everything): a 404, a
400 or a page with a message, never a 500.

URLs come from the permission matrix (every row of tests/core/test_permission_matrix.py and the features'
permission_cases.py). In each, every integer path segment is replaced by 999999999 (no such row), by a
number past PostgreSQL's integer range, and by 'abc'; and junk query strings are added to the real URL.
Exceptions are not propagated to the test (as in production), so a crash shows as the 500 it would be.
"""

import re

import pytest

from tests.core.test_permission_matrix import CASES

JUNK_QUERIES = ("page=-1", "page=abc", "page=99999999999999999999", "cohort=x", "from=2026-13-45",
                "to=abc&from=2026-02-30", "cohort=1&cohort=x&mentor=abc&status=zzz&state=zzz&sort=%00",
                "q=%ff%fe&format=exe", "cohort=99999999999&project=99999999999&mentor=99999999999")
ID_REPLACEMENTS = ("999999999", "99999999999", "abc")

# One row per distinct (endpoint, method, variant) is plenty; the URL is rebuilt per test.
ROWS = list({(case[0], case[1], case[2]): case for case in CASES}.values())


def _with_ids_replaced(url: str, replacement: str) -> str | None:
    path, _, query = url.partition("?")
    new_path = re.sub(r"(?<=/)\d+(?=/|$|\.)", replacement, path)
    if new_path == path:
        return None
    return new_path + (f"?{query}" if query else "")


def _with_query(url: str, junk: str) -> str:
    return url + ("&" if "?" in url else "?") + junk


@pytest.fixture
def admin_client(app, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    return login_as("admin")


@pytest.mark.parametrize(
    "endpoint, variant, method, build, expected", ROWS,
    ids=[f"{row[0]}{'-' + row[1] if row[1] else ''}-{row[2]}" for row in ROWS],
)
def test_invalid_ids_and_queries_never_give_a_500(app, actors, admin_client, endpoint, variant, method, build,
                                                  expected):
    with app.test_request_context():
        url = build(actors)
    urls = [_with_query(url, junk) for junk in JUNK_QUERIES]
    urls += [u for u in (_with_ids_replaced(url, r) for r in ID_REPLACEMENTS) if u]
    allowed = {200, 302, 303, 400, 403, 404, 405, 409, 422}
    if endpoint.startswith("api."):
        allowed.add(401)  # the admin's session cookie never authenticates the API (tests/api cover tokens)
    failures = []
    moved = endpoint.startswith("periods_legacy.")  # old period-report addresses: judged where they lead
    for target in urls:
        response = admin_client.open(target, method=method, data={} if method == "POST" else None,
                                     follow_redirects=moved)
        if response.status_code >= 500:
            failures.append(f"{method} {target} -> {response.status_code}")
        elif response.status_code not in allowed:
            failures.append(f"{method} {target} -> unexpected {response.status_code}")
    assert failures == []


def test_missing_ids_are_404(app, actors, admin_client):
    """Not only "no 500": an id that does not exist is a 404 wherever the URL names an object by id."""
    checked = 0
    for endpoint, _variant, method, build, _expected in ROWS:
        if method != "GET" or endpoint.startswith("api."):  # the API answers a cookie 401 (tests/api: tokens)
            continue
        with app.test_request_context():
            url = _with_ids_replaced(build(actors), "999999999")
        if url is None:
            continue
        moved = endpoint.startswith("periods_legacy.")  # the old address redirects to the missing object
        assert admin_client.get(url, follow_redirects=moved).status_code == 404, url
        checked += 1
    assert checked >= 20
