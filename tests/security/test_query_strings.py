"""Issue 15 point 2: query strings are data, never arguments.

Links that keep the current filters (pager, "clear this filter") carry only the known filter keys; an
argument named like one of `url_for`'s own (`_external`, `_method`, `endpoint`) or like a path argument
never reaches it. A filter value that cannot be one is left out and the page says so."""

import pytest
from lxml import html

from tests import factories
from tracker.core.urls import FILTER_KEYS, url_with
from tracker.extensions import db

HOSTILE = {"_external": "1", "_method": "POST", "_scheme": "https", "_anchor": "x", "endpoint": "auth.login",
           "project_id": "1", "values": "x", "evil": "<b>", "page": "2"}


def _links(response) -> list[str]:
    return html.fromstring(response.data).xpath("//a/@href")


def test_url_with_keeps_only_known_filters(app):
    with app.test_request_context("/projects/", query_string={**HOSTILE, "sector": "digital", "q": "olive"},
                                  headers={"Host": "evil.example"}) as context:
        context.match_request()
        url = url_with(page=3)
    assert url.startswith("/projects/?")
    assert "evil" not in url and "_external" not in url and "endpoint" not in url and "project_id" not in url
    assert "sector=digital" in url and "q=olive" in url and "page=3" in url and "page=2" not in url


def test_the_known_keys_are_the_ones_list_pages_read():
    assert {"page", "cohort", "project", "from", "to", "role", "status", "q"} <= FILTER_KEYS
    assert not {k for k in FILTER_KEYS if k.startswith("_") or k in {"endpoint", "values", "project_id"}}


def test_hostile_keys_on_a_paged_list_give_the_page_with_relative_links(app, actors, login_as):
    for n in range(55):  # more than one page of users (50 per page)
        factories.UserFactory(role="staff", display_name=f"Agent fictif {n:02d}")
    db.session.commit()
    admin = login_as("admin")
    response = admin.get("/admin/users", query_string=HOSTILE)
    assert response.status_code == 200
    links = _links(response)
    pager = [link for link in links if "page=" in link]
    assert pager, "the list has two pages"
    assert all(link.startswith("/admin/users?") for link in pager)
    assert not [link for link in links if "://" in link or "_external" in link or "endpoint=" in link]


@pytest.mark.parametrize("path", ["/sessions/", "/trainings/", "/projects/", "/period-reports/review", "/cohorts/",
                                  "/admin/users", "/admin/audit/"])
def test_url_functions_arguments_never_give_a_server_error(login_as, path):
    response = login_as("admin").get(path, query_string=HOSTILE)
    assert response.status_code in (200, 400)
    assert not [link for link in _links(response) if "://" in link or "_external" in link]


@pytest.mark.parametrize("path, query", [
    ("/sessions/", {"from": "0001-01-01", "to": "9999-12-31"}),
    ("/trainings/", {"from": "0001-01-01", "to": "9999-12-31"}),
    ("/sessions/", {"cohort": "abc"}),
    ("/projects/", {"cohort": "99999999999999"}),
    ("/admin/users", {"role": "x"}),
])
def test_a_value_that_cannot_be_a_filter_is_left_out_and_said(login_as, path, query):
    response = login_as("admin").get(path, query_string=query)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        notice = html.fromstring(response.data).xpath("//*[@data-ignored-filters]")
        assert notice and "ignoré" in notice[0].text_content()


def test_a_valid_filter_gives_no_notice(login_as):
    response = login_as("admin").get("/admin/users", query_string={"role": "staff", "page": "1"})
    assert response.status_code == 200
    assert not html.fromstring(response.data).xpath("//*[@data-ignored-filters]")
