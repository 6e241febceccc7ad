"""The exchange over HTTP (API.md "Exchange"): paths, role rules and error codes, on both
engines."""

from __future__ import annotations

import pytest


@pytest.fixture
def ex(api):
    api.bank.ledger.award("sjhy", "m1", 300, unit="minutes", key="min-m1")
    api.bank.ledger.award("sjhy", "m2", 30, unit="minutes", key="min-m2")
    return api


def post_request(api, **fields):
    body = {"member": "m1", "title": "买菜", "category": "errands", "minutes": 60,
            "needed_on": "2030-01-05", "place": "3栋", **fields}
    return api.post("/requests", body)


def test_a_member_posts_a_request_a_neighbour_claims_it_and_the_requester_confirms(ex):
    r = post_request(ex.as_("member"))
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert (made["status"], made["minutes_held"], made["payer"]) == ("open", 60, "m1")
    rid = made["id"]
    claimed = ex.as_("clerk").post(f"/requests/{rid}/claim", {"member": "m2"}).get_json()
    assert (claimed["status"], claimed["volunteers"]) == ("claimed", ["m2"])
    done = ex.as_("member").post(f"/requests/{rid}/confirm", {"minutes": 50}, idem="c1")
    assert done.status_code == 200
    body = done.get_json()
    assert (body["status"], body["minutes"]) == ("done", 50) and body["entry_id"]
    replay = ex.as_("member").post(f"/requests/{rid}/confirm", {"minutes": 50}, idem="c1")
    assert replay.get_json() == body
    twice = ex.as_("member").post(f"/requests/{rid}/confirm", {"minutes": 50})
    assert (twice.status_code, twice.get_json()["code"]) == (409, "invalid_state")
    lines = ex.as_("clerk").get("/members/m2/statement").get_json()["lines"]
    assert (lines[-1]["kind"], lines[-1]["amount"], lines[-1]["request"],
            lines[-1]["counterparty"]) == ("exchange", 50, rid, "m1")
    shown = ex.as_("member").get(f"/requests/{rid}").get_json()
    assert [e["kind"] for e in shown["history"]] == ["posted", "claimed", "confirmed"]


def test_a_member_key_acts_for_its_own_member_only(ex):
    assert post_request(ex.as_("member"), member="m2", minutes=10).status_code == 403
    rid = post_request(ex.as_("clerk"), member="m2", minutes=10).get_json()["id"]
    own = ex.as_("member").post(f"/requests/{rid}/claim", {"member": "m2"})
    assert (own.status_code, own.get_json()["code"]) == (403, "forbidden")
    assert ex.as_("member").post(f"/requests/{rid}/claim", {"member": "m1"}).status_code \
        == 200
    # m1 is the volunteer: it may not confirm or dispute m2's request
    assert ex.as_("member").post(f"/requests/{rid}/confirm", {"minutes": 10}).status_code \
        == 403
    assert ex.as_("member").post(f"/requests/{rid}/dispute",
                                 {"reason": "x"}).status_code == 403
    assert ex.as_("member").post(f"/requests/{rid}/settle",
                                 {"minutes": 0, "reason": "x"}).status_code == 403
    assert ex.as_("kiosk").post("/requests", {}).status_code == 403


def test_a_volunteer_cannot_claim_their_own_request_nor_a_closed_one(ex):
    rid = post_request(ex.as_("member")).get_json()["id"]
    own = ex.as_("clerk").post(f"/requests/{rid}/claim", {"member": "m1"})
    assert (own.status_code, own.get_json()["code"]) == (403, "forbidden")
    ex.as_("member").post(f"/requests/{rid}/cancel", {"reason": "不用了"})
    closed = ex.as_("clerk").post(f"/requests/{rid}/claim", {"member": "m2"})
    assert (closed.status_code, closed.get_json()["code"]) == (409, "invalid_state")


@pytest.mark.parametrize("fields, status, code", [
    ({"minutes": 0}, 422, "validation_error"),
    ({"minutes": -1}, 422, "validation_error"),
    ({"minutes": 301}, 409, "insufficient_points"),
    ({"category": "haircut"}, 422, "validation_error"),
    ({"funded_by": "pool"}, 409, "not_eligible"),
    ({"member": "nobody"}, 404, "not_found"),
])
def test_bad_requests_get_the_specific_error_and_nothing_is_written(ex, fields, status, code):
    r = post_request(ex.as_("clerk"), **fields)
    assert (r.status_code, r.get_json()["code"]) == (status, code)
    assert ex.as_("clerk").get("/requests").get_json()["items"] == []
    assert ex.as_("clerk").get("/members/m1/balance").get_json()["balances"]["minutes"][
        "held"] == 0


def test_posting_and_confirming_need_an_idempotency_key(ex):
    r = ex.as_("clerk").post("/requests", {"member": "m1", "title": "t",
                                           "category": "meals", "minutes": 5}, idem=None)
    assert r.status_code == 422


def test_a_dispute_is_settled_by_the_office(ex):
    rid = post_request(ex.as_("member")).get_json()["id"]
    ex.as_("clerk").post(f"/requests/{rid}/claim", {"member": "m2"})
    assert ex.as_("member").post(f"/requests/{rid}/dispute",
                                 {"reason": "没做完"}).get_json()["status"] == "disputed"
    too_much = ex.as_("clerk").post(f"/requests/{rid}/settle", {"minutes": 61, "reason": "x"})
    assert too_much.status_code == 422
    done = ex.as_("clerk").post(f"/requests/{rid}/settle", {"minutes": 20, "reason": "调解"})
    assert (done.get_json()["minutes"], done.get_json()["released"]) == (20, 40)


def test_open_requests_carry_matching_offers_and_offers_are_searchable(ex):
    cats = ex.as_("member").get("/requests/categories").get_json()
    assert {"code": "meals", "name_zh": "助餐", "name_en": "Meals"} in cats
    offer = ex.as_("member").post("/offers", {"member": "m1", "category": "meals",
                                              "text": "做饭", "availability": "周末"})
    assert offer.status_code == 201
    other = ex.as_("clerk").post("/offers", {"member": "m3", "category": "errands",
                                             "text": "代买菜"}).get_json()
    assert ex.as_("member").post("/offers", {"member": "m3", "category": "meals",
                                             "text": "x"}).status_code == 403
    post_request(ex.as_("member"))
    found = ex.as_("member").get("/requests?status=open").get_json()["items"]
    assert [m["id"] for m in found[0]["matches"]] == [other["id"]]
    listed = ex.as_("clerk").get("/offers?category=meals").get_json()["items"]
    assert [o["member"] for o in listed] == ["m1"]
    gone = ex.as_("clerk").post(f"/offers/{other['id']}/withdraw")
    assert gone.get_json()["status"] == "withdrawn"
    again = ex.as_("clerk").post(f"/offers/{other['id']}/withdraw")
    assert again.get_json()["code"] == "invalid_state"
    assert ex.as_("clerk").get("/requests/999").status_code == 404
