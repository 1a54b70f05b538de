"""Generated requests against every Open311 operation (our OpenAPI description of it at
/open311/v2/openapi.json): bad input is never a 500, and every answer, errors
included, comes in the Open311 format. The examples that broke it once are kept in
test_probe.py."""

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

schema = schemathesis.openapi.from_wsgi("/open311/v2/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    # As api/tests/test_fuzz.py: a raw WSGI call would close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
    database=None,
)
def test_open311_never_answers_generated_input_with_a_server_error(case, city, hotline):
    if case.body and isinstance(case.body, dict) and "api_key" in case.body:
        case.body["api_key"] = hotline.raw_key
    response = case.call()
    assert response.status_code < 500, (case.path, response.content[:300])
    fmt = case.path_parameters.get("format") if case.path_parameters else None
    if fmt == "json":
        json.loads(response.content)  # an answer or an error list, always JSON
    elif fmt == "xml":
        assert response.content.startswith(b"<?xml")
