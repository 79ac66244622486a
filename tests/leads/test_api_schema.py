"""The API against its own OpenAPI schema (schemathesis): whatever a client sends, never a 5xx,
and every answer is one the schema documents, in the documented shape."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from leadgen.wsgi import application
from tests.leads.conftest import PROMO_ORIGIN

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]
# Stands in the generated bodies for a token the test issues when it runs (tokens are signed
# and dated, so they cannot be written into the module).
VALID_TOKEN = "valid-token-issued-by-the-test"

schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    application,
    config=SchemathesisConfig.from_dict(
        {
            # Most cases name the real form and half carry a real token, so they reach the
            # validation and the submission, not only the 404 and the token check.
            "dictionaries": {
                "slugs": {"values": ["promo"]},
                "tokens": {"values": [VALID_TOKEN]},
            },
            "parameters": {
                "path.slug": {"dictionary": "slugs", "probability": 0.9},
                "body.token": {"dictionary": "tokens", "probability": 0.5},
            },
            "generation": {"max-examples": 60},
        }
    ),
)


@pytest.fixture
def in_process_requests():
    """Keep the test's database connection across requests made straight to the WSGI app, as
    Django's test client does (a finished request would otherwise close it). After any use of
    the test client, which connects the handler again."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def valid_token(landing_form, client, settings) -> str:
    settings.LEAD_RATE_LIMIT = "1000000/m"
    return client.get("/api/v1/forms/promo/", headers={"Origin": PROMO_ORIGIN}).json()["token"]


@pytest.mark.django_db
@schema.parametrize()
# The form and token are made once per operation and shared by its generated cases, on purpose:
# submissions add up in the test's transaction like a stream of clients would.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_the_api_answers_as_its_schema_says(case, valid_token, in_process_requests):
    if isinstance(case.body, dict) and case.body.get("token") == VALID_TOKEN:
        case.body["token"] = valid_token
    case.call_and_validate(headers={"Origin": PROMO_ORIGIN}, checks=CHECKS)
