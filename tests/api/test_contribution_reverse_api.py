"""``POST /contributions/{id}/reverse`` on both engines: an administrator undoes an
approved contribution once, with a reason, under an Idempotency-Key."""

from __future__ import annotations

from datetime import date

import pytest

DAY = date(2024, 3, 1)


@pytest.fixture
def sharpened(api):
    """m3 sharpened 5 knives (5 points, approved at once)."""
    api.bank.rules.install("sjhy", "red_vest")
    api.bank.members.update("sjhy", "m3", roles=["volunteer"])
    done = api.bank.contributions.record("sjhy", "m3", "sharpening", key="c1", quantity=5,
                                         occurred_on=DAY)
    assert done.status == "approved" and done.points == 5
    return done.id


def points(api, member):
    return api.bank.ledger.balance("sjhy", member)["points"].posted


def test_an_admin_reverses_an_approved_contribution_and_a_replay_answers_the_same(
        api, sharpened):
    first = api.post(f"/contributions/{sharpened}/reverse", {"reason": "重复录入"},
                     idem="rev-1")
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    assert (body["id"], body["status"], body["points"]) == (sharpened, "reversed", 5)
    assert points(api, "m3") == 0
    replay = api.post(f"/contributions/{sharpened}/reverse", {"reason": "重复录入"},
                      idem="rev-1")
    assert replay.status_code == 200 and replay.get_json() == body
    conflict = api.post(f"/contributions/{sharpened}/reverse", {"reason": "other"},
                        idem="rev-1")
    assert conflict.status_code == 409
    assert conflict.get_json()["code"] == "idempotency_conflict"
    again = api.post(f"/contributions/{sharpened}/reverse", {"reason": "again"}, idem="rev-2")
    assert again.status_code == 409 and again.get_json()["code"] == "invalid_state"
    stored = api.get(f"/contributions/{sharpened}").get_json()
    assert stored["status"] == "reversed" and stored["reason"] == "重复录入"
    assert stored["reversal_id"] is not None
    assert api.bank.verify("sjhy").ok


def test_reversing_needs_an_admin_a_reason_a_key_and_a_known_contribution(api, sharpened):
    path = f"/contributions/{sharpened}/reverse"
    assert api.as_("clerk").post(path, {"reason": "x"}).status_code == 403
    assert api.post(path, {"reason": "x"}, idem=None).status_code in (400, 422, 428)
    assert api.post(path, {}).status_code == 422
    assert api.post(path, {"reason": ""}).status_code == 422
    missing = api.post("/contributions/999999/reverse", {"reason": "x"})
    assert missing.status_code == 404
    assert points(api, "m3") == 5
