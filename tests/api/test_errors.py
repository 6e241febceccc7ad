"""Every failure under the API prefix is problem+json with the status API.md gives it."""

from __future__ import annotations

import pytest

from tests.api.conftest import PREFIX, Api
from timebank.errors import (
    Forbidden,
    IdempotencyConflict,
    InsufficientPoints,
    InvalidState,
    LimitExceeded,
    NotEligible,
    NotFound,
    OutOfStock,
    TimebankError,
    Unauthorized,
    ValidationError,
)
from webapi.errors import STATUS

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status and body["code"] == code
    return body


def test_an_unknown_path_under_the_prefix_is_a_problem_404(api: Api) -> None:
    assert_problem(api.get("/no/such/thing"), 404, "not_found")


def test_a_wrong_method_is_a_problem_405_naming_the_allowed_ones(api: Api) -> None:
    response = api.request("DELETE", "/healthz")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_a_validation_error_naming_the_body(api: Api) -> None:
    response = api.client.post(PREFIX + "/members", data="{not json",
                               content_type="application/json", headers=api.headers())
    body = assert_problem(response, 422, "validation_error")
    assert "body" in body["errors"]


def test_a_body_that_is_not_an_object_is_a_validation_error(api: Api) -> None:
    assert_problem(api.post("/members", json=[1, 2]), 422, "validation_error")


def test_each_bad_field_is_named_in_errors(api: Api) -> None:
    response = api.post("/members", json={"code": "", "name": 7, "colour": "red"})
    body = assert_problem(response, 422, "validation_error")
    assert set(body["errors"]) == {"code", "name", "colour"}


def test_a_missing_idempotency_key_is_a_validation_error(api: Api) -> None:
    response = api.post("/adjustments", json={"member": "m1", "amount": 5, "reason": "x"},
                        idem=None)
    body = assert_problem(response, 422, "validation_error")
    assert "Idempotency-Key" in body["errors"]


def test_a_body_over_the_limit_is_payload_too_large(api: Api) -> None:
    big = "x" * (1024 * 1024 + 1)
    response = api.client.post(PREFIX + "/members", data=big, content_type="application/json",
                               headers=api.headers())
    assert_problem(response, 413, "payload_too_large")


def test_no_key_is_unauthorized_and_an_unknown_key_too(api: Api) -> None:
    assert_problem(api.as_(None).get("/members/m1/balance"), 401, "unauthorized")
    assert_problem(api.get("/members/m1/balance", key="tbk_not-a-key"), 401, "unauthorized")
    assert_problem(api.get("/members/m1/balance", key="garbage"), 401, "unauthorized")


def test_a_library_error_carries_its_code_and_field(api: Api) -> None:
    response = api.post("/transfers", json={"from": "m2", "to": "m3", "amount": 41,
                                            "unit": "points"})
    body = assert_problem(response, 409, "insufficient_points")
    assert body["field"] == "amount" and body["available"] == 40


def test_an_unknown_member_is_not_found(api: Api) -> None:
    assert_problem(api.get("/members/nobody"), 404, "not_found")


@pytest.mark.parametrize("exc", [ValidationError("bad", field="x"), NotFound("gone"),
                                 InsufficientPoints("poor"), OutOfStock("none left"),
                                 LimitExceeded("too many"), NotEligible("no"),
                                 InvalidState("twice"), IdempotencyConflict("other"),
                                 Unauthorized("who"), Forbidden("no way")])
def test_every_library_error_code_maps_to_its_status(exc: TimebankError) -> None:
    from flask import Flask

    from webapi.errors import from_timebank_error

    with Flask(__name__).test_request_context("/api/v1/x"):
        response = from_timebank_error(exc)
    assert response.status_code == STATUS[exc.code]
    assert response.get_json(force=True)["code"] == exc.code


def test_the_status_table_is_the_one_in_the_contract() -> None:
    assert {code: STATUS[code] for code in (
        "validation_error", "unauthorized", "forbidden", "not_found", "insufficient_points",
        "out_of_stock", "limit_exceeded", "not_eligible", "invalid_state",
        "idempotency_conflict", "payload_too_large")} == {
        "validation_error": 422, "unauthorized": 401, "forbidden": 403, "not_found": 404,
        "insufficient_points": 409, "out_of_stock": 409, "limit_exceeded": 409,
        "not_eligible": 409, "invalid_state": 409, "idempotency_conflict": 409,
        "payload_too_large": 413}


def test_an_unexpected_exception_is_logged_and_answered_as_a_problem_500(
        api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(api.bank.ledger, "balance", boom)
    response = api.get("/members/m1/balance")
    body = assert_problem(response, 500, "internal_error")
    assert "boom" not in body["detail"]
    assert "boom" in caplog.text


def test_json_sent_as_text_plain_is_a_415_naming_the_content_type(api: Api) -> None:
    response = api.client.post(PREFIX + "/members", data='{"code": "m9", "name": "x"}',
                               content_type="text/plain", headers=api.headers())
    body = assert_problem(response, 415, "unsupported_media_type")
    assert "text/plain" in body["detail"]
    assert body["content_type"] == "text/plain"
    assert STATUS["unsupported_media_type"] == 415


def test_a_form_body_on_put_or_patch_is_a_415_too(api: Api) -> None:
    for method, path in (("PUT", "/rules/study"), ("PATCH", "/members/m1")):
        response = api.client.open(PREFIX + path, method=method,
                                   data={"name": "x"}, headers=api.headers(idem=None))
        body = assert_problem(response, 415, "unsupported_media_type")
        assert "application/x-www-form-urlencoded" in body["detail"]


def test_a_post_without_a_body_is_not_refused_for_its_content_type(api: Api) -> None:
    response = api.client.post(PREFIX + "/members", content_type="text/plain",
                               headers=api.headers())
    assert response.status_code == 422
