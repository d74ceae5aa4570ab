"""/api/v1 endpoints × role × scope (issue 22): same POLICY as the pages, holders 404 outside their projects,
no personal data without people:read, never staff-only notes, cursor pagination, the report's ETag."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from tests import factories
from tests.indicators.factories import IndicatorFactory, TargetFactory
from tests.mentoring.factories import MentoringSessionFactory
from tests.periods.factories import IndicatorValueFactory, PeriodReportFactory
from tests.roles import SIGNED_IN_ROLES
from tracker.api import access_tokens
from tracker.extensions import db
from tracker.periods.models import ReportStatus

STAFF_NOTE = "Note interne fictive : associés en désaccord."
PHONE = "+212612340099"


class Data:
    def __init__(self, actors):
        self.a = actors
        self.member = factories.MemberFactory(project=actors.project, full_name="Salma Fictive Api", phone=PHONE,
                                              email="salma@example.org")
        factories.MemberFactory(project=actors.other_project, full_name="Karim Fictif Autre", phone="+212612340098")
        self.indicator = IndicatorFactory()
        TargetFactory(project=actors.project, indicator=self.indicator, target_value=Decimal(100))
        TargetFactory(project=actors.other_project, indicator=self.indicator, target_value=Decimal(100))
        self.approved = PeriodReportFactory(project=actors.project, status=ReportStatus.APPROVED)
        IndicatorValueFactory(report=self.approved, indicator=self.indicator, value=Decimal("12.50"))
        self.submitted = PeriodReportFactory(project=actors.project, status=ReportStatus.SUBMITTED,
                                             period_label="2025-T2", period_start=dt.date(2025, 4, 1),
                                             period_end=dt.date(2025, 6, 30))
        IndicatorValueFactory(report=self.submitted, indicator=self.indicator, value=Decimal("7"))
        PeriodReportFactory(project=actors.other_project, status=ReportStatus.APPROVED)
        MentoringSessionFactory(project=actors.project, mentor=actors.staff, staff_notes=STAFF_NOTE)
        db.session.commit()

    def urls(self):
        a, slug = self.a, self.a.cohort.slug
        return {
            "cohorts": "/api/v1/cohorts",
            "projects": "/api/v1/projects",
            "project-own": f"/api/v1/projects/{a.project.id}",
            "project-other": f"/api/v1/projects/{a.other_project.id}",
            "indicators": "/api/v1/indicators",
            "targets-own": f"/api/v1/projects/{a.project.id}/targets",
            "targets-other": f"/api/v1/projects/{a.other_project.id}/targets",
            "reports-own": f"/api/v1/projects/{a.project.id}/reports",
            "reports-other": f"/api/v1/projects/{a.other_project.id}/reports",
            "report": f"/api/v1/report?cohort={slug}",
        }


@pytest.fixture
def data(actors):
    return Data(actors)


# what a token with every scope gets, per role (admin, manager, staff, holder) — written out, not read from POLICY
EXPECTED = {
    "cohorts": (200, 200, 200, 404),
    "projects": (200, 200, 200, 200),
    "project-own": (200, 200, 200, 200),
    "project-other": (200, 200, 200, 404),
    "indicators": (200, 200, 200, 200),
    "targets-own": (200, 200, 200, 200),
    "targets-other": (200, 200, 200, 404),
    "reports-own": (200, 200, 200, 200),
    "reports-other": (200, 200, 200, 404),
    "report": (200, 200, 403, 404),
}
SCOPE_OF = {"cohorts": "projects:read", "projects": "projects:read", "project-own": "projects:read",
            "project-other": "projects:read", "indicators": "indicators:read", "targets-own": "indicators:read",
            "targets-other": "indicators:read", "reports-own": "indicators:read",
            "reports-other": "indicators:read", "report": "report:read"}


@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_every_endpoint_by_role(data, token_for, api, role):
    secret = token_for(data.a.by_role(role))
    for name, url in data.urls().items():
        response = api(secret, url)
        expected = EXPECTED[name][SIGNED_IN_ROLES.index(role)]
        assert response.status_code == expected, f"{role} {name}"
        assert "Set-Cookie" not in response.headers  # the API never starts a session
        if expected != 200:
            assert response.mimetype == "application/problem+json"
            assert data.a.other_project.name not in response.get_data(as_text=True)


@pytest.mark.parametrize("name", sorted(SCOPE_OF))
def test_every_endpoint_needs_its_scope(data, token_for, api, name):
    others = [s for s in access_tokens.SCOPES if s != SCOPE_OF[name]]
    response = api(token_for(data.a.admin, scopes=others), data.urls()[name])
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    assert api(token_for(data.a.admin, scopes=[SCOPE_OF[name]]), data.urls()[name]).status_code == 200


def test_every_api_route_is_in_these_tables(app, data):
    routes = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    tested = {"api.list_cohorts", "api.list_projects", "api.get_project", "api.list_indicators", "api.list_targets",
              "api.list_reports", "api.cohort_report_json", "api.openapi_document", "api.docs"}
    assert routes == tested


def test_holder_sees_only_their_projects(data, token_for, api):
    body = api(token_for(data.a.holder), "/api/v1/projects").get_json()
    assert [p["id"] for p in body["data"]] == [data.a.project.id]


@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_no_personal_data_without_people_read_and_never_staff_notes(data, token_for, api, role):
    without = token_for(data.a.by_role(role), scopes=["report:read", "projects:read", "indicators:read"])
    for url in data.urls().values():
        text = api(without, url).get_data(as_text=True)
        assert STAFF_NOTE not in text and "désaccord" not in text
        for secret_value in ("Salma Fictive Api", PHONE, "salma@example.org", "Karim Fictif", "1998-05-17"):
            assert secret_value not in text, (role, url)
    full = token_for(data.a.by_role(role))
    for url in data.urls().values():
        assert STAFF_NOTE not in api(full, url).get_data(as_text=True)


def test_people_read_adds_the_team_of_visible_projects(data, token_for, api):
    body = api(token_for(data.a.holder), f"/api/v1/projects/{data.a.project.id}").get_json()
    member = next(m for m in body["members"] if m["full_name"] == "Salma Fictive Api")
    assert member["phone"] == PHONE and member["birth_date"] == "1998-05-17"
    listed = api(token_for(data.a.holder), "/api/v1/projects").get_data(as_text=True)
    assert "Karim Fictif" not in listed  # the other project's team stays out of reach
    plain = api(token_for(data.a.holder, scopes=["projects:read"]), f"/api/v1/projects/{data.a.project.id}")
    assert "members" not in plain.get_json() and plain.get_json()["team"]["size"] == 2


def test_project_answer_has_counts_flags_and_sector(data, token_for, api):
    row = api(token_for(data.a.manager, scopes=["projects:read"]), f"/api/v1/projects/{data.a.project.id}").get_json()
    assert row["sector"] == "digital" and row["women_led"] is True and row["team"] == {"size": 2, "women": 2, "men": 0}
    assert row["cohort_slug"] == data.a.cohort.slug


def test_only_approved_values_leave(data, token_for, api):
    body = api(token_for(data.a.holder), f"/api/v1/projects/{data.a.project.id}/reports").get_json()
    by_label = {r["period_label"]: r for r in body["data"]}
    assert by_label["2025-T1"]["status"] == "approved"
    assert by_label["2025-T1"]["approved_values"] == [
        {"indicator_code": data.indicator.code, "cell": "total", "value": "12.50"}]
    assert by_label["2025-T2"]["status"] == "submitted" and by_label["2025-T2"]["approved_values"] == []
    assert "highlights" not in by_label["2025-T1"]


def test_targets_decimals_as_strings_and_dates_iso(data, token_for, api):
    body = api(token_for(data.a.staff), f"/api/v1/projects/{data.a.project.id}/targets").get_json()
    assert body["data"][0]["target_value"] == "100.00" and body["data"][0]["target_date"] == "2026-12-31"


def test_filters_as_on_the_list_page(data, token_for, api):
    factories.ProjectFactory(cohort=data.a.cohort, sector="agriculture", name="Ferme fictive")
    db.session.commit()
    secret = token_for(data.a.manager, scopes=["projects:read"])
    names = [p["name"] for p in api(secret, "/api/v1/projects?sector=agriculture").get_json()["data"]]
    assert names == ["Ferme fictive"]
    assert [p["name"] for p in api(secret, "/api/v1/projects?q=ferme").get_json()["data"]] == ["Ferme fictive"]
    bad = api(secret, "/api/v1/projects?sector=space")
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"


def test_cursor_pagination_follows_next_links(actors, token_for, api):
    for _ in range(5):
        factories.ProjectFactory(cohort=actors.cohort)
    db.session.commit()
    secret = token_for(actors.manager, scopes=["projects:read"])
    url, seen, pages = "/api/v1/projects?limit=2&cohort=" + str(actors.cohort.id), [], 0
    while url:
        response = api(secret, url)
        body = response.get_json()
        seen += [p["id"] for p in body["data"]]
        url, pages = body["next"], pages + 1
        if url:
            assert response.headers["Link"] == f'<{url}>; rel="next"' and "limit=2" in url
    assert pages == 4 and seen == sorted(seen) and len(seen) == len(set(seen)) == 7


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=x", "cursor=!!!", "cursor=aWQ6eA", "cursor=Zm9vOjE"])
def test_bad_page_parameters_are_400_problems(actors, token_for, api, query):
    response = api(token_for(actors.manager), "/api/v1/projects?" + query)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_report_equals_the_cli_json(data, token_for, api, runner):
    slug = data.a.cohort.slug
    for query, cli in (("", []), ("&from=2025-01-01&to=2025-12-31&include_submitted=1",
                                  ["--from", "2025-01-01", "--to", "2025-12-31", "--include-submitted"])):
        response = api(token_for(data.a.manager, scopes=["report:read"]), f"/api/v1/report?cohort={slug}{query}")
        result = runner.invoke(args=["report", "cohort", "--cohort", slug, "--format", "json", *cli])
        assert result.exit_code == 0, result.output
        assert response.status_code == 200 and response.mimetype == "application/json"
        assert response.get_data(as_text=True) == result.stdout
        assert json.loads(result.stdout)["filters"]["cohorts"] == [slug]


def test_report_etag_gives_304(data, token_for, api):
    secret = token_for(data.a.manager, scopes=["report:read"])
    url = f"/api/v1/report?cohort={data.a.cohort.slug}"
    first = api(secret, url)
    etag = first.headers["ETag"]
    again = api(secret, url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert api(secret, url, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize("query", ["", "?cohort=nope", "?cohort={slug}&from=2025-13-01",
                                   "?cohort={slug}&from=2999-01-01"])
def test_report_bad_filters_are_400_problems(data, token_for, api, query):
    response = api(token_for(data.a.manager), "/api/v1/report" + query.format(slug=data.a.cohort.slug))
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_errors_are_problem_json_never_html(actors, token_for, api, client):
    secret = token_for(actors.manager)
    for url, status in (("/api/v1/nothing", 404), ("/api/v1/projects/999999", 404),
                        ("/api/v1/projects/99999999999999", 404)):
        response = api(secret, url)
        assert response.status_code == status and response.mimetype == "application/problem+json", url
    response = client.post("/api/v1/projects", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 405 and response.mimetype == "application/problem+json"


def test_problem_title_in_the_owners_language(actors, token_for, api):
    actors.manager.locale = "en"
    db.session.commit()
    assert api(token_for(actors.manager), "/api/v1/projects/999999").get_json()["title"] == "Page not found"


def test_cors_closed_unless_the_origin_is_listed(app, actors, token_for, api, monkeypatch):
    secret = token_for(actors.manager)
    headers = {"Origin": "https://dash.example.org"}
    assert "Access-Control-Allow-Origin" not in api(secret, "/api/v1/cohorts", headers=headers).headers
    monkeypatch.setitem(app.config, "API_CORS_ORIGINS", ["https://dash.example.org"])
    response = api(secret, "/api/v1/cohorts", headers=headers)
    assert response.headers["Access-Control-Allow-Origin"] == "https://dash.example.org"
    other = api(secret, "/api/v1/cohorts", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_report_equals_the_downloaded_json(data, token_for, api, login_as):
    slug, cohort_id = data.a.cohort.slug, data.a.cohort.id
    body = api(token_for(data.a.manager, scopes=["report:read"]),
               f"/api/v1/report?cohort={slug}&from=2025-01-01&include_submitted=1").get_data(as_text=True)
    download = login_as("manager").get(f"/reports/cohort.json?cohort={cohort_id}&from=2025-01-01&submitted=1")
    assert download.status_code == 200
    assert body == download.get_data(as_text=True)


def test_cors_preflight_needs_no_token_and_stays_closed_for_others(app, client, monkeypatch):
    headers = {"Origin": "https://dash.example.org", "Access-Control-Request-Method": "GET",
               "Access-Control-Request-Headers": "Authorization"}
    monkeypatch.setitem(app.config, "API_CORS_ORIGINS", ["https://dash.example.org"])
    response = client.options("/api/v1/projects", headers=headers)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://dash.example.org"
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    other = client.options("/api/v1/projects", headers=headers | {"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in other.headers
