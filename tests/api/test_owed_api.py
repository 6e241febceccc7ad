"""Issue 11.2 over HTTP on both engines: a spent award reversed shows as owed (欠) on the
balance and the statement, a transfer is refused with insufficient_points, verify is ok."""

from __future__ import annotations


def test_a_spent_award_reversed_is_owed_on_the_balance_and_the_statement(api):
    award = api.bank.ledger.award("sjhy", "m3", 50, key="fake", reason="5小时")
    api.bank.ledger.spend("sjhy", "m3", 50, key="spent")
    reversed_ = api.post(f"/entries/{award.entry_id}/reverse", {"reason": "伪造记录"})
    assert reversed_.status_code in (200, 201), reversed_.get_json()
    body = api.get("/members/m3/balance").get_json()
    assert body["balances"]["points"] == {"posted": -50, "held": 0, "available": -50,
                                          "lifetime_earned": 0, "owed": 50}
    statement = api.get("/members/m3/statement").get_json()
    assert statement["closing"] == {"points": -50} and statement["owed"] == {"points": 50}
    refused = api.post("/transfers", {"from": "m3", "to": "m1", "amount": 1,
                                      "unit": "points", "reason": "x"})
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "insufficient_points"
    assert api.get("/audit/verify").get_json()["ok"] is True


def test_a_balance_in_credit_owes_nothing(api):
    points = api.as_("member").get("/members/m1/balance").get_json()["balances"]["points"]
    assert points["owed"] == 0
    assert api.get("/members/m1/statement").get_json()["owed"] == {}
