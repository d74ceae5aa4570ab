"""Issue 16: period reports moved from /reports/… to /period-reports/…; every old address answers a permanent
redirect to the new one, keeping the query string, and 308 keeps a POST a POST (a form loaded or queued
offline before the move still lands, and the new page checks login, permission and CSRF)."""

import pytest

from tests.periods.factories import PeriodReportFactory
from tracker.periods.models import ReportStatus

OLD_AND_NEW = [
    ("/reports/due", "/period-reports/due"),
    ("/reports/review", "/period-reports/review"),
    ("/reports/review/reassign", "/period-reports/review/reassign"),
    ("/reports/projects/{project}/2025-T1", "/period-reports/projects/{project}/2025-T1"),
    ("/reports/{report}/review", "/period-reports/{report}/review"),
    ("/reports/{report}/reopen", "/period-reports/{report}/reopen"),
]


@pytest.fixture
def ids(actors):
    report = PeriodReportFactory(project=actors.project, status=ReportStatus.SUBMITTED, submitted_by=actors.holder)
    return {"project": actors.project.id, "report": report.id}


@pytest.mark.parametrize("old, new", OLD_AND_NEW)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_old_address_redirects_permanently_to_the_new_one(client, ids, old, new, method):
    allowed = client.open(old.format(**ids), method=method)
    if allowed.status_code == 405:  # the old rule took only the methods its page took
        assert client.open(new.format(**ids), method=method).status_code == 405
        return
    assert allowed.status_code == 308
    assert allowed.location == new.format(**ids)


def test_get_keeps_the_query_string(login_as):
    response = login_as("manager").get("/reports/due?state=all&mentor=all&page=2")
    assert response.status_code == 308
    assert response.location == "/period-reports/due?state=all&mentor=all&page=2"


def test_following_the_redirect_shows_the_same_page(login_as, ids):
    client = login_as("holder")
    old = client.get(f"/reports/projects/{ids['project']}/2025-T1", follow_redirects=True)
    new = client.get(f"/period-reports/projects/{ids['project']}/2025-T1")
    assert old.status_code == new.status_code == 200
    assert old.request.path == f"/period-reports/projects/{ids['project']}/2025-T1"


def test_a_post_to_the_old_address_is_handled_by_the_new_page(login_as, ids):
    client = login_as("staff")
    response = client.post(f"/reports/{ids['report']}/review", data={}, follow_redirects=True)
    assert response.request.path == f"/period-reports/{ids['report']}/review"
    assert response.request.method == "POST"
    assert response.status_code == client.post(f"/period-reports/{ids['report']}/review", data={}).status_code


def test_the_cohort_report_keeps_its_address(login_as):
    assert login_as("manager").get("/reports/cohort").status_code == 200
