"""The OpenAPI 3.1 document and the docs page (issue 22): generated from the schemas the views use."""

from tests.api.test_endpoints import Data


def test_document_lists_every_api_route_with_its_scope(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    documented = {op["get"]["operationId"] for op in spec["paths"].values()}
    routes = {r.endpoint.removeprefix("api.") for r in app.url_map.iter_rules()
              if r.endpoint.startswith("api.") and r.endpoint not in ("api.openapi_document", "api.docs")}
    assert documented == routes
    for item in spec["paths"].values():
        assert item["get"]["security"] == [{"bearer": []}]
        assert "Scope: `" in item["get"]["description"]
        assert "application/problem+json" in item["get"]["responses"]["401"]["content"]
    assert spec["components"]["schemas"]["Target"]["properties"]["target_value"]["type"] == ["string", "null"]


def test_answers_carry_exactly_the_documented_fields(actors, client, token_for, api):
    data = Data(actors)
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    secret = token_for(actors.admin)
    for url, name in (("/api/v1/cohorts", "Cohort"), ("/api/v1/projects", "Project"),
                      ("/api/v1/indicators", "Indicator"), (f"/api/v1/projects/{actors.project.id}/targets", "Target"),
                      (f"/api/v1/projects/{actors.project.id}/reports", "PeriodReport")):
        body = api(secret, url).get_json()
        assert set(body) == {"data", "next"}
        for row in body["data"]:
            assert set(row) <= set(schemas[name]["properties"]), url
            assert set(schemas[name]["required"]) <= set(row), url
    report = api(secret, f"/api/v1/report?cohort={actors.cohort.slug}").get_json()
    assert set(report) == set(schemas["CohortReport"]["properties"])
    assert data.member.full_name


def test_docs_page_renders_from_the_document_without_scripts(client):
    response = client.get("/api/v1/docs")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "/api/v1/projects/{project_id}/targets" in page and "projects:read" in page
    content = page.split('id="main"')[-1].split("</main>")[0]
    assert "<script" not in content  # nothing for the CSP to allow: the page is plain HTML
    assert "Content-Security-Policy" in response.headers


def test_docs_page_in_the_visitors_language(client):
    page = client.get("/api/v1/docs", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Every request sends a personal access token" in page
