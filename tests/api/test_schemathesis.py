"""Schemathesis (issue 22 acceptance): requests generated from the app's own OpenAPI document, sent to the
app, each answer checked for server errors, conformance to the documented response schema, status code
and content type; once with a manager's token, once with a holder's. Runs on SQLite and on PostgreSQL
like the rest of the suite; the number of generated requests is printed."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.test_endpoints import Data

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))


@pytest.mark.parametrize("role", ["manager", "holder"])
def test_generated_requests_conform_to_the_document(app, actors, token_for, role, capsys):
    Data(actors)  # a project with a team, targets, approved and submitted reports, staff notes
    secret = token_for(actors.by_role(role))
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    sent = {"requests": 0, "operations": 0}
    for result in schema.get_all_operations():
        operation = result.ok()
        sent["operations"] += 1

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers=headers)
            sent["requests"] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)

        check()
        # and the real rows: generated ids almost never hit them
        if "project_id" in operation.path:
            case = operation.Case(path_parameters={"project_id": actors.project.id})
            case.validate_response(case.call(headers=headers), checks=CHECKS, headers=headers)
            sent["requests"] += 1
    with capsys.disabled():
        print(f"\nschemathesis ({role}): {sent['requests']} requests to {sent['operations']} operations, 0 failures")
    assert sent["operations"] == 7 and sent["requests"] >= 7 * EXAMPLES // 2
