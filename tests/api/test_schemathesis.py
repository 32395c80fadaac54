"""schemathesis against the live schema (/api/schema/), in-process through WSGI on the test
database (PostgreSQL in CI): every operation, as an officer (a read-and-write token), a
chamber member (likewise) and anonymous. No 5xx, no response the schema does not describe
(status code, content type, body). Bounded: a few generated cases per operation, positive and
negative (API_FUZZ_EXAMPLES, default 4), so the whole runs in well under a minute.

    pytest tests/api/test_schemathesis.py
    API_FUZZ_EXAMPLES=50 pytest tests/api/test_schemathesis.py   # a longer run

(Each operation is driven with hypothesis here rather than with `schemathesis.pytest`'s
`from_fixture`, whose pytest 9 support is broken in schemathesis 4.32: it reads a private
attribute pytest removed. The checks and the generation are schemathesis' own.)
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts import services as account_services

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "4"))
ROLES = ("officer_a", "chamber", "anonymous")


def test_the_schema_is_valid_openapi(client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    validate_schema(response.json())


@pytest.fixture
def headers(matrix_world):
    """Each role's credentials (the permission matrix's world: P of A and B, A's chamber in
    its sub-alliance, Q published)."""
    users = matrix_world["users"]
    found = {"anonymous": {}}
    for role in ROLES[:-1]:
        _token, key = account_services.api_token_create(
            user=users[role], name="schemathesis", access="write"
        )
        found[role] = {"Authorization": f"Token {key}"}
    return found


@pytest.fixture
def wsgi_app():
    """The portal's WSGI application, keeping the test's transaction: as Django's test client
    does, the connection is not closed at the end of each request (it would be, being inside
    a transaction, and the test's data with it)."""
    from config.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_the_api_keeps_to_its_schema(headers, wsgi_app):
    application = wsgi_app

    schema = schemathesis.openapi.from_wsgi(f"{reverse('api:schema')}?format=json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                for role in ROLES:
                    case.call_and_validate(headers=headers[role], checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                # Nothing to make invalid (an operation without parameters or body).
                assert mode == GenerationMode.NEGATIVE, operation.label
            except Exception as exc:
                exc.add_note(f"{operation.label} ({mode.value})")
                raise
