"""Schemathesis drives every API operation with generated requests, valid and invalid, and checks
each answer against our own OpenAPI document: no server errors, only documented statuses and
bodies, and valid requests accepted."""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from shoushan.accounts.services import api_token_create

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# NUL characters are refused by design (400, RejectNulMiddleware: PostgreSQL cannot store them),
# so requests holding one are not the schema-valid requests this test is about.
schema.config.generation.update(allow_x00=False)
# A rule JSON Schema cannot state (a career event dated in the future) answers 422 like any
# invalid input; a conflict with a record's state answers 409.
schema.config.checks.positive_data_acceptance.expected_statuses.append("422")


@pytest.fixture
def city_token(user) -> str:
    _token, key = api_token_create(actor=user("city_admin"), name="conformance", read_only=False)
    return key


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """A bare WSGI call closes the database connection at the end of each request, which would
    end the test's transaction; Django's own test client holds it open the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    # SHOUSHAN_SCHEMATHESIS_EXAMPLES raises it for a deeper run than CI's (the security sweep).
    max_examples=int(os.environ.get("SHOUSHAN_SCHEMATHESIS_EXAMPLES", "25")),
    deadline=None,
    derandomize=True,  # the same requests on every run, so that CI is repeatable
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_as_its_openapi_document_says(case, city_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {city_token}"})


def test_every_schema_of_the_api_has_a_name_of_its_own():
    """The OpenAPI document names each schema by its class name: two apps' `ProjectOut` would
    share one entry, and one of them would be documented wrongly."""
    from ninja import Schema

    import shoushan.config.api  # noqa: F401  (every router's schemas defined)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    seen: dict[str, str] = {}
    clashes = []
    for cls in subclasses(Schema):
        if not cls.__module__.startswith("shoushan."):
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        if cls.__name__ in seen and seen[cls.__name__] != where:
            clashes.append((seen[cls.__name__], where))
        seen.setdefault(cls.__name__, where)
    assert clashes == []
