"""Property-based run of the API against its own OpenAPI document (schemathesis): no
request, valid or not, gets a 5xx, and every error is problem+json.

Bounded: a few examples per operation (a few hundred requests in all), on each engine
(``db_url``)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi import checks as openapi_checks

from timebank import Timebank
from webapi import create_app

PROBLEM = {"type", "title", "status", "detail", "code"}
TOKEN: dict[str, str] = {}


@pytest.fixture
def app(db_url: str):
    bank = Timebank(db_url)
    bank.init()
    bank.communities.create("sjhy", "世纪花园社区")
    bank.rules.install("sjhy", "red_vest")
    for code in ("m1", "m2"):
        bank.members.add("sjhy", code, code)
        bank.ledger.award("sjhy", code, 500, key=f"seed-{code}", reason="seed")
    bank.gifts.create("sjhy", "rice", name="大米", cost=44, stock=50)
    TOKEN["admin"] = bank.keys.create("admin", community="sjhy").token
    yield create_app(timebank=bank)
    bank.close()


def problem_json_errors(response) -> None:
    if response.status_code >= 400:
        headers = {name.lower(): value for name, value in response.headers.items()}
        assert headers["content-type"][0].startswith("application/problem+json"), \
            response.text
        assert set(response.json()) >= PROBLEM, response.text


CHECKS = [schemathesis.checks.not_a_server_error, openapi_checks.status_code_conformance,
          openapi_checks.content_type_conformance, openapi_checks.response_schema_conformance]


def test_no_request_gets_a_server_error_and_every_error_is_a_problem(app) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    auth = {"Authorization": f"Bearer {TOKEN['admin']}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    calls = []

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=8, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case) -> None:
            case.headers = {**(case.headers or {}), **auth}
            response = case.call()
            calls.append(response.status_code)
            case.validate_response(response, checks=CHECKS)
            problem_json_errors(response)

        fuzz()
    assert len(calls) >= 100 and all(status < 500 for status in calls)
