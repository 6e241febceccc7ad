"""The storage cap over HTTP (both engines): a transfer past it answers
``limit_exceeded``; an award past it is kept, credits what fits and says so."""

from __future__ import annotations

import pytest


@pytest.fixture
def full(api):
    """m1 holds 100 points against a storage cap of 104."""
    api.bank.rules.install("sjhy", "red_vest")
    api.bank.members.update("sjhy", "m1", roles=["volunteer"])
    api.bank.communities.update_settings("sjhy", {"transfers": {"units": ["points"],
                                                               "storage_cap": 104}})
    return api


def test_an_award_past_the_storage_cap_answers_what_it_credited(full):
    done = full.as_("clerk").post("/contributions", json={
        "member": "m1", "rule": "sharpening", "quantity": 10, "occurred_on": "2024-03-05"})
    assert done.status_code == 201, done.get_json()
    got = done.get_json()
    assert (got["points"], got["capped"], got["storage_capped"]) == (4, True, True)
    balance = full.as_("clerk").get("/members/m1/balance").get_json()
    assert balance["balances"]["points"]["posted"] == 104


def test_a_transfer_past_the_storage_cap_is_limit_exceeded(full):
    refused = full.as_("clerk").post("/transfers", json={
        "from": "m2", "to": "m1", "amount": 5, "unit": "points", "reason": "gift"})
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "limit_exceeded"
