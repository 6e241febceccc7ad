"""Property-based run of the API against its own OpenAPI document (schemathesis): no
request, valid or not, gets a 5xx, and every error is problem+json.

Bounded: a few examples per operation (a few hundred requests in all), on each engine
(``db_url``)."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi import checks as openapi_checks

from timebank import Timebank
from webapi import create_app

PROBLEM = {"type", "title", "status", "detail", "code"}
TOKEN: dict[str, str] = {}
PG_URL = os.environ.get("TIMEBANK_TEST_POSTGRES_URL")


def seeded(db_url: str) -> Timebank:
    """Books for the run: community sjhy (red vest rules), m1 and m2 with 500 points each,
    rice in stock, and an admin key in ``TOKEN``."""
    bank = Timebank(db_url)
    bank.init()
    bank.communities.create("sjhy", "世纪花园社区")
    bank.rules.install("sjhy", "red_vest")
    for code in ("m1", "m2"):
        bank.members.add("sjhy", code, code)
        bank.ledger.award("sjhy", code, 500, key=f"seed-{code}", reason="seed")
    bank.gifts.create("sjhy", "rice", name="大米", cost=44, stock=50)
    TOKEN["admin"] = bank.keys.create("admin", community="sjhy").token
    return bank


@pytest.fixture
def app(db_url: str):
    bank = seeded(db_url)
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


def _fresh_database(db_url: str, n: int) -> tuple[str, Callable[[], None]]:
    """A new empty database on ``db_url``'s engine: a SQLite file beside it, or a
    PostgreSQL schema of its own (dropped by the returned function)."""
    if db_url.startswith("sqlite"):
        return db_url.replace("timebank.db", f"example{n}.db"), lambda: None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL or "")
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(PG_URL or "").update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
    return url.render_as_string(hide_password=False), drop


def test_sequences_of_calls_linked_by_their_responses_never_get_a_server_error(
        db_url: str) -> None:
    """The stateful phase (issue 10): schemathesis chains operations through the links it
    infers (a member from ``GET /members`` into its balance, statement, adjustments, ...).
    Each sequence starts from fresh books (Hypothesis needs the same choices to meet the
    same server), on the same engine. Bounded: a handful of sequences of a few steps."""
    current: dict[str, Any] = {}
    examples = itertools.count()

    def dispatch(environ: Any, start_response: Any) -> Any:
        return current["app"](environ, start_response)

    def begin() -> None:
        url, drop = _fresh_database(db_url, next(examples))
        bank = seeded(url)
        current.update(app=create_app(timebank=bank), bank=bank, drop=drop)

    def end() -> None:
        if "bank" in current:
            current.pop("bank").close()
            current.pop("drop")()

    begin()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", dispatch)
    end()
    statuses: list[int] = []

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            begin()

        def teardown(self) -> None:
            end()

        def get_call_kwargs(self, case):
            return {"headers": {**(case.headers or {}),
                                "Authorization": f"Bearer {TOKEN['admin']}"}}

        def validate_response(self, response, case, additional_checks=(), **kwargs) -> None:
            statuses.append(response.status_code)
            assert response.status_code < 500, response.text
            problem_json_errors(response)

    try:
        Workflow.run(settings=settings(max_examples=10, stateful_step_count=6, deadline=None,
                                       database=None, suppress_health_check=list(HealthCheck)))
    finally:
        end()
    assert len(statuses) >= 15 and all(status < 500 for status in statuses)
