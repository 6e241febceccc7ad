"""Issue 10: the OpenAPI document says the limits the rules enforce (lengths, ranges,
enums, patterns, the days a date may name, no NUL), so a request it calls valid is not
refused with a 422 for them. schemathesis generates schema-valid requests ("positive
data") for every operation; a 422 is allowed only for a rule between fields or against
the stored books, which a schema cannot say. Those are listed in ``CROSS_FIELD``; any
other field named by a 422 means the schema is looser than the rules.

Bounded: a few examples per operation, derandomized, on each engine (``db_url``)."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tests.api.test_schemathesis import TOKEN, seeded
from webapi import create_app

# operation -> the fields a schema-valid request may still get a 422 for, and why.
CROSS_FIELD: dict[str, set[str]] = {
    "GET /api/v1/members": {"code"},  # look up by exactly one of code, card or phone
    "GET /api/v1/members/{code}/statement": {"to"},  # to not before from
    "GET /api/v1/honours": {"to"},  # to not before from
    "POST /api/v1/certificates": {"from", "to"},  # an ordered, past period with service
    "POST /api/v1/contributions": {"occurred_on", "started_at", "ended_at"},  # a day or a
    "POST /api/v1/contributions/batch": {"occurred_on", "started_at", "ended_at"},  # span
    "POST /api/v1/contributions/approve": {"ids", "from", "to"},  # ids or a filter
    "POST /api/v1/gifts": {"min_tier", "active_until"},  # a tier of the community; order
    "PATCH /api/v1/gifts/{code}": {"min_tier", "active_until"},
    "POST /api/v1/honours": {"activity_date"},  # an activity already done
    "POST /api/v1/members": {"teams", "unit"},  # units and teams that exist
    "PATCH /api/v1/members/{code}": {"teams", "unit"},
    "POST /api/v1/offers": {"category"},  # the community's rulebook categories
    "POST /api/v1/requests": {"category"},
    "GET /api/v1/requests": {"category"},
    "GET /api/v1/offers": {"category"},
    "POST /api/v1/redemptions": {"member"},  # a member by code or by card, not both
    "POST /api/v1/transfers": {"to"},  # two different members
    "POST /api/v1/units": {"parent"},  # a building in a grid, a household in a building
    "POST /api/v1/districts": {"rates"},  # rates for the district's own communities
    # a rule's fields agree: the path's code, caps at least the rate, ordered date
    # ranges, min_attendance/service for per_hour rules, due_day for monthly per_period
    "PUT /api/v1/rules/{code}": {"code", "caps", "multipliers", "min_attendance", "service",
                                 "due_day", "min_quantity", "streak", "requires_dues"},
}


def _field(name: str) -> str:
    return re.split(r"[.\[]", name, maxsplit=1)[0]


@pytest.fixture
def app(db_url: str):
    bank = seeded(db_url)
    yield create_app(timebank=bank)
    bank.close()


def test_schema_valid_requests_are_refused_only_for_rules_between_fields(app) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    auth = {"Authorization": f"Bearer {TOKEN['admin']}"}
    refused: dict[str, set[str]] = {}
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
        @settings(max_examples=12, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case) -> None:
            nonlocal calls
            case.headers = {**(case.headers or {}), **auth}
            response = case.call()
            calls += 1
            if response.status_code != 422:
                return
            for name, messages in (response.json().get("errors") or {"?": []}).items():
                if _field(name) not in CROSS_FIELD.get(case.operation.label, set()):
                    refused.setdefault(case.operation.label, set()).add(f"{name}: {messages}")

        fuzz()
    assert calls >= 300
    assert refused == {}
