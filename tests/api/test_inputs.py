"""Text no database can store (a NUL character, a lone surrogate) is refused with a 422
naming the field, on both engines, and nothing is written."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import PREFIX, Api
from tests.api.test_errors import assert_problem


@pytest.mark.parametrize("bad", ["n\x00", "\ud800"])
def test_unstorable_text_in_a_body_field_is_a_422_naming_the_field(api: Api, bad: str) -> None:
    before = api.bank.ledger.balance("sjhy", "m1")
    body = json.dumps({"from": "m1", "to": "m2", "amount": 1, "unit": "points",
                       "reason": bad}, ensure_ascii=True)
    response = api.client.post(PREFIX + "/transfers", data=body,
                               headers={**api.headers(), "Content-Type": "application/json"})
    problem = assert_problem(response, 422, "validation_error")
    assert "reason" in problem["errors"]
    assert api.bank.ledger.balance("sjhy", "m1") == before


def test_unstorable_text_in_a_nested_field_names_its_path(api: Api) -> None:
    body = json.dumps({"rule": "r", "members": ["m1", "m\x00"], "quantity": 1})
    response = api.client.post(PREFIX + "/contributions/batch", data=body,
                               headers={**api.headers(), "Content-Type": "application/json"})
    assert "members[1]" in assert_problem(response, 422, "validation_error")["errors"]


def test_a_nul_in_a_query_value_is_a_422(api: Api) -> None:
    response = api.get("/reports/monthly?month=2026-01\x00")
    assert "month" in assert_problem(response, 422, "validation_error")["errors"]


def test_a_nul_in_the_path_is_a_422(api: Api) -> None:
    assert_problem(api.get("/members/m%00/balance"), 422, "validation_error")
