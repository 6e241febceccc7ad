"""Districts over HTTP: a platform key allies communities; a partner's member redeems at
a desk by ``COMMUNITY:CODE``; an admin moves a member home; positions and a settlement."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api


def _district(api: Api, **terms: Any) -> Api:
    bank = api.bank
    bank.communities.create("east", "东社区")
    bank.members.add("east", "e1", "居民e1", card="card-e1")
    bank.ledger.award("east", "e1", 100, key="seed")
    bank.gifts.create("sjhy", "soap", name="肥皂", cost=10, stock=5)
    api.tokens["east-admin"] = bank.keys.create("admin", community="east").token
    done = api.as_("platform").post("/districts", json={
        "code": "jd", "name": "街道", "communities": ["sjhy", "east"], "units": ["points"],
        **terms})
    assert done.status_code == 201, done.json
    assert done.json["communities"] == ["sjhy", "east"]
    return api


def test_only_a_platform_key_allies_communities(api: Api) -> None:
    answer = api.as_("admin").post("/districts", json={
        "code": "jd", "name": "街道", "communities": ["sjhy", "x"], "units": ["points"]})
    assert answer.status_code == 403
    answer = api.as_("platform").post("/districts", json={
        "code": "jd", "name": "街道", "communities": ["sjhy", "nowhere"], "units": ["points"]})
    assert answer.status_code == 404
    answer = api.as_("platform").post("/districts", json={
        "code": "jd", "name": "街道", "communities": ["sjhy"], "units": ["points"]})
    assert answer.status_code == 422


def test_a_partners_member_redeems_at_the_desk_and_positions_show_who_owes_whom(
        api: Api) -> None:
    _district(api)
    done = api.as_("clerk").post("/redemptions", json={
        "member": "east:e1", "items": [{"gift": "soap", "quantity": 2}]}, idem="r1")
    assert done.status_code == 201, done.json
    assert (done.json["total"], done.json["balance_after"]) == (20, 80)
    # the desk never reads the home statement
    assert api.as_("clerk").get("/members/east:e1/statement").status_code in (403, 404)
    seen = api.as_("platform").get("/districts/jd/positions")
    assert seen.status_code == 200
    totals = {p["community"]: p["total"] for p in seen.json["positions"]}
    assert totals == {"sjhy": 20, "east": -20}
    assert api.as_("clerk").get("/districts/jd/positions").status_code == 403
    settled = api.as_("platform").post("/districts/jd/settlements",
                                       json={"until": "2026-01-01T00:00:00+00:00"})
    assert settled.status_code == 201, settled.json
    assert api.as_("admin").get("/districts/jd/positions").status_code == 200


def test_a_cross_act_beyond_the_position_limit_answers_limit_exceeded(api: Api) -> None:
    _district(api, position_limit=15)
    answer = api.as_("clerk").post("/redemptions", json={
        "member": "east:e1", "items": [{"gift": "soap", "quantity": 2}]})
    assert answer.status_code == 409
    assert answer.json["code"] == "limit_exceeded"


def test_an_admin_moves_a_member_home_with_the_balance(api: Api) -> None:
    _district(api)
    moved = api.post("/members/e1/move", json={"to_community": "sjhy"},
                     key=api.tokens["east-admin"], idem="m1")
    assert moved.status_code == 200, moved.json
    assert moved.json["balances"] == {"points": 100}
    assert api.bank.ledger.balance("sjhy", "e1")["points"].posted == 100
    again = api.post("/members/e1/move", json={"to_community": "sjhy"},
                     key=api.tokens["east-admin"], idem="m1")
    assert again.json == moved.json
    assert api.as_("clerk").post("/members/m1/move",
                                 json={"to_community": "east"}).status_code == 403


def test_a_partners_member_claims_a_request_here_and_is_paid_at_home(api: Api) -> None:
    _district(api, units=["points", "minutes"])
    bank = api.bank
    bank.ledger.award("sjhy", "m1", 120, unit="minutes", key="m1-minutes")
    posted = api.as_("clerk").post("/requests", json={
        "member": "m1", "title": "买菜", "category": "errands", "minutes": 60}, idem="p1")
    assert posted.status_code == 201, posted.json
    request_id = posted.json["id"]
    claimed = api.as_("clerk").post(f"/requests/{request_id}/claim",
                                    json={"member": "east:e1"})
    assert claimed.status_code == 200, claimed.json
    assert claimed.json["volunteers"] == ["east:e1"]
    done = api.as_("clerk").post(f"/requests/{request_id}/confirm", json={"minutes": 40},
                                 idem="c1")
    assert done.status_code == 200, done.json
    assert bank.ledger.balance("east", "e1")["minutes"].posted == 40
    assert bank.ledger.balance("sjhy", "m1")["minutes"].posted == 80
    again = api.as_("clerk").post(f"/requests/{request_id}/confirm", json={"minutes": 40},
                                  idem="c1")
    assert (again.status_code, again.json) == (200, done.json)
    minutes = {p["community"]: p["total"] for p in api.as_("platform").get(
        "/districts/jd/positions").json["positions"] if p["unit"] == "minutes"}
    assert minutes == {"sjhy": -40, "east": 40}


def test_a_claim_for_a_member_outside_the_district_answers_not_found(api: Api) -> None:
    _district(api, units=["points", "minutes"])
    api.bank.ledger.award("sjhy", "m1", 60, unit="minutes", key="m1-minutes")
    posted = api.as_("clerk").post("/requests", json={
        "member": "m1", "title": "买菜", "category": "errands", "minutes": 30}, idem="p1")
    answer = api.as_("clerk").post(f"/requests/{posted.json['id']}/claim",
                                   json={"member": "nowhere:e1"})
    assert (answer.status_code, answer.json["code"]) == (404, "not_found")
