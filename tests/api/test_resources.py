"""Every endpoint over real storage (SQLite and PostgreSQL): the shapes API.md fixes."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api


@pytest.fixture
def red(api: Api) -> Api:
    """The API over a community running the shipped red-vest rulebook, with two gifts."""
    api.bank.rules.install("sjhy", "red_vest")
    api.bank.gifts.create("sjhy", "rice", name="大米", cost=44, stock=10)
    api.bank.gifts.create("sjhy", "soap", name="肥皂", cost=10, stock=2, limit_per_member=1)
    return api


def test_communities_are_created_by_a_platform_key_and_read_by_their_own(api: Api) -> None:
    created = api.as_("platform").post("/communities", json={
        "code": "yhy", "name": "怡海园社区", "rulebook": "red_vest"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["settings"]["rulebook"] == "red_vest"
    assert api.as_("platform").get("/communities/yhy").status_code == 200
    assert api.get("/communities/sjhy").get_json()["name"] == "世纪花园社区"
    assert api.get("/communities/yhy").status_code == 403
    assert api.post("/communities", json={"code": "x", "name": "x"}).status_code == 403


def test_a_rulebook_over_http_is_a_shipped_name_never_a_path(api: Api) -> None:
    refused = api.as_("platform").post("/communities", json={
        "code": "x1", "name": "x", "rulebook": "/etc/hostname"})
    assert refused.status_code == 422
    assert "rulebook" in refused.get_json()["errors"]
    assert api.as_("platform").get("/communities/x1").status_code == 404


def test_units_and_members_build_the_grid(api: Api) -> None:
    for unit in ({"code": "g1", "name": "一网格", "kind": "grid"},
                 {"code": "b1", "name": "1号楼", "kind": "building", "parent": "g1"},
                 {"code": "h101", "name": "101室", "kind": "household", "parent": "b1"},
                 {"code": "t-red", "name": "红马甲", "kind": "team"}):
        assert api.post("/units", json=unit).status_code == 201
    assert [u["code"] for u in api.get("/units?under=g1").get_json()["items"]] == ["b1", "h101"]
    member = api.post("/members", json={"code": "m9", "name": "李四", "roles": [
        "resident", "volunteer"], "unit": "h101", "teams": ["t-red"], "card": "C9"})
    assert member.status_code == 201
    assert member.get_json()["unit"] == "h101" and member.get_json()["teams"] == ["t-red"]
    assert api.get("/members?unit=g1").get_json()["items"][0]["code"] == "m9"
    patched = api.patch("/members/m9", json={"phone": "13900000009", "unit": None})
    assert patched.get_json()["phone"] == "13900000009" and patched.get_json()["unit"] is None
    assert api.as_("kiosk").get("/members?card=C9").get_json()["items"][0]["code"] == "m9"
    assert api.post("/members", json={"code": "m9", "name": "again"}).status_code == 409


def test_members_are_listed_a_page_at_a_time(api: Api) -> None:
    first = api.get("/members?limit=3").get_json()
    assert [m["code"] for m in first["items"]] == ["m1", "m2", "m3"]
    rest = api.get(f"/members?limit=3&after={first['next']}").get_json()
    assert [m["code"] for m in rest["items"]] == ["m4", "m5"] and rest["next"] is None


def test_a_balance_shows_posted_held_available_and_lifetime_earned(api: Api) -> None:
    body = api.as_("member").get("/members/m1/balance").get_json()
    assert body == {"member": "m1", "tier": None, "balances": {"points": {
        "posted": 100, "held": 0, "available": 100, "lifetime_earned": 100, "owed": 0}}}


def test_an_adjustment_and_its_reversal_leave_the_balance_as_it_was(api: Api) -> None:
    adjusted = api.post("/adjustments", json={"member": "m3", "amount": 30, "reason": "补录"})
    assert adjusted.status_code == 201 and adjusted.get_json()["balances"] == {"m3": 30}
    entry = adjusted.get_json()["entry_id"]
    reversed_ = api.post(f"/entries/{entry}/reverse", json={"reason": "录错"}, idem=None)
    assert reversed_.status_code == 201 and reversed_.get_json()["kind"] == "reversal"
    again = api.post(f"/entries/{entry}/reverse", json={"reason": "again"}, idem=None)
    assert again.status_code == 409 and again.get_json()["code"] == "invalid_state"
    assert api.get("/members/m3/balance").get_json()["balances"]["points"]["posted"] == 0
    assert api.post("/entries/99999/reverse", json={"reason": "x"}).status_code == 404


def test_a_transfer_moves_points_between_members(api: Api) -> None:
    moved = api.as_("clerk").post("/transfers", json={
        "from": "m1", "to": "m4", "amount": 25, "unit": "points", "reason": "给父母"})
    assert moved.status_code == 201, moved.get_json()
    assert moved.get_json()["balances"] == {"m1": 75, "m4": 25}
    assert moved.get_json()["from"] == "m1"


def test_the_audit_verifies_the_chain(api: Api) -> None:
    body = api.get("/audit/verify").get_json()
    assert body["ok"] is True and body["entries_checked"] == 2


def test_rules_are_read_and_changed(red: Api) -> None:
    codes = [r["code"] for r in red.get("/rules").get_json()["items"]]
    assert "elder_care" in codes
    assert red.get("/rules/errand").get_json()["rate"] == 2
    put = red.put("/rules/errand", json={"name_zh": "代买代办", "name_en": "Errands",
                                         "basis": "per_occurrence", "rate": 3,
                                         "approval": True})
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["rate"] == 3
    assert red.put("/rules/errand", json={"basis": "nonsense", "rate": 1}).status_code == 422
    assert red.get("/rules/nope").status_code == 404


def test_a_contribution_is_recorded_approved_by_another_and_listed(red: Api) -> None:
    recorded = red.as_("clerk").post("/contributions", json={
        "member": "m2", "rule": "elder_care", "quantity": 2, "occurred_on": "2026-11-02"})
    assert recorded.status_code == 201, recorded.get_json()
    body = recorded.get_json()
    assert body["status"] == "pending" and body["points"] == 4 and body["capped"] is False
    own = red.as_("clerk").post(f"/contributions/{body['id']}/approve")
    assert own.status_code == 403 and own.get_json()["code"] == "forbidden"
    approved = red.as_("admin").post(f"/contributions/{body['id']}/approve")
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    twice = red.as_("admin").post(f"/contributions/{body['id']}/approve")
    assert twice.get_json()["code"] == "invalid_state"
    listed = red.get("/contributions?status=approved&member=m2").get_json()["items"]
    assert [c["id"] for c in listed] == [body["id"]]
    assert red.get(f"/contributions/{body['id']}").get_json()["rule"] == "elder_care"


def test_a_capped_contribution_is_kept_with_capped_points(red: Api) -> None:
    capped = red.post("/contributions", json={"member": "m3", "rule": "sharpening",
                                              "quantity": 30, "occurred_on": "2026-11-02"})
    more = red.post("/contributions", json={"member": "m3", "rule": "sharpening",
                                            "quantity": 5, "occurred_on": "2026-11-02"})
    assert capped.status_code == more.status_code == 201
    assert more.get_json()["capped"] is True and more.get_json()["points"] == 0


def test_a_quantity_cut_to_the_rules_maximum_answers_clipped_not_capped(red: Api) -> None:
    clipped = red.post("/contributions", json={"member": "m4", "rule": "sharpening",
                                               "quantity": 45, "occurred_on": "2026-11-02"})
    assert clipped.status_code == 201, clipped.get_json()
    body = clipped.get_json()
    assert (body["points"], body["clipped"], body["capped"]) == (30, True, False)
    within = red.post("/contributions", json={"member": "m5", "rule": "sharpening",
                                              "quantity": 10, "occurred_on": "2026-11-02"})
    assert within.get_json()["clipped"] is False


def test_a_batch_records_one_activity_for_many_members_and_reject_says_why(red: Api) -> None:
    batch = red.post("/contributions/batch", json={
        "rule": "errand", "members": ["m3", "m4"], "occurred_on": "2026-11-03"})
    assert batch.status_code == 201, batch.get_json()
    first = batch.get_json()["contributions"][0]["id"]
    rejected = red.as_("clerk").post(f"/contributions/{first}/reject",
                                     json={"reason": "重复登记"})
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"


def test_a_statement_names_the_rule_and_the_contribution(red: Api) -> None:
    red.post("/contributions", json={"member": "m1", "rule": "sharpening", "quantity": 3,
                                     "occurred_on": "2026-11-02"})
    lines = red.as_("member").get("/members/m1/statement").get_json()["lines"]
    assert lines[-1]["rule"] == "sharpening" and lines[-1]["amount"] == 3
    assert lines[-1]["contribution"] is not None
    assert red.as_("member").get("/members/m2/statement").status_code == 403
    bad = red.get("/members/m1/statement?from=2026-12-01&to=2026-11-01")
    assert bad.status_code == 422


def test_tiers_and_a_members_tier(red: Api) -> None:
    levels = red.get("/tiers").get_json()["items"]
    assert [t["code"] for t in levels][:1] == ["bronze"]
    status = red.as_("member").get("/members/m1/tier").get_json()
    assert status["member"] == "m1" and "needed" in status
    assert "tier" in red.get("/members/m1/balance").get_json()


def test_gifts_are_created_changed_restocked_and_listed(red: Api) -> None:
    created = red.post("/gifts", json={"code": "cup", "name": "杯子", "cost": 20, "stock": 5})
    assert created.status_code == 201 and created.get_json()["stock"] == 5
    assert red.patch("/gifts/cup", json={"cost": 25}).get_json()["cost"] == 25
    restocked = red.post("/gifts/cup/restock", json={"quantity": 3, "reason": "进货"})
    assert restocked.status_code == 201 and restocked.get_json()["stock_after"] == 8
    codes = [g["code"] for g in red.as_("kiosk").get("/gifts").get_json()["items"]]
    assert codes == ["cup", "rice", "soap"]
    assert red.as_("kiosk").post("/gifts", json={"code": "x", "name": "x",
                                                 "cost": 1}).status_code == 403


def test_a_service_day_redemption_held_then_fulfilled_and_summarised(red: Api) -> None:
    day = red.as_("clerk").post("/service-days", json={"code": "d1", "name": "周五兑换日",
                                                       "day": "2026-11-20"})
    assert day.status_code == 201 and day.get_json()["status"] == "open"
    held = red.as_("kiosk").post("/redemptions", json={
        "card": "C2", "items": [{"gift": "soap", "quantity": 1}], "service_day": "d1",
        "hold": True})
    assert held.status_code == 201, held.get_json()
    body = held.get_json()
    assert body["status"] == "held" and body["total"] == 10 and body["balance_after"] == 30
    done = red.as_("kiosk").post(f"/redemptions/{body['id']}/fulfil")
    assert done.status_code == 200 and done.get_json()["status"] == "fulfilled"
    assert red.as_("kiosk").post(f"/redemptions/{body['id']}/cancel").status_code == 409
    summary = red.get("/service-days/d1/summary").get_json()
    assert summary["spent"] == {"points": 10} and summary["balanced"] is True
    assert [r["id"] for r in red.get("/redemptions?service_day=d1").get_json()["items"]] \
        == [body["id"]]
    closed = red.post("/service-days/d1/close")
    assert closed.status_code == 200 and closed.get_json()["day"]["status"] == "closed"


@pytest.mark.parametrize("items, code", [
    ([{"gift": "rice", "quantity": 3}], "insufficient_points"),
    ([{"gift": "soap", "quantity": 2}], "limit_exceeded"),
    ([{"gift": "nope", "quantity": 1}], "not_found"),
])
def test_a_refused_redemption_says_why(red: Api, items: list, code: str) -> None:
    response = red.post("/redemptions", json={"member": "m1", "items": items})
    assert response.get_json()["code"] == code


def test_a_redemption_beyond_the_stock_is_out_of_stock(red: Api) -> None:
    red.post("/adjustments", json={"member": "m1", "amount": 1000, "reason": "x"})
    response = red.post("/redemptions", json={"member": "m1",
                                               "items": [{"gift": "rice", "quantity": 11}]})
    assert response.status_code == 409 and response.get_json()["code"] == "out_of_stock"


def test_a_gift_above_the_members_tier_is_not_eligible(red: Api) -> None:
    red.post("/gifts", json={"code": "tour", "name": "红色旅游", "cost": 5, "stock": 1,
                             "min_tier": "gold"})
    response = red.post("/redemptions", json={"member": "m1", "items": [{"gift": "tour"}]})
    assert response.status_code == 409 and response.get_json()["code"] == "not_eligible"
