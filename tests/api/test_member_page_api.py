"""What a member's own page and the member card need of the API, on both engines: points
expiring soon, the member's requests under way, their certificates, a card's key and
QR code, and a look-up that finds two people saying so."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.api.conftest import Api
from timebank.domain.access import Actor
from timebank.timeutil import local_date, utcnow

ZONE = "Asia/Shanghai"


def today():  # the community's local day, as the books count it
    return local_date(utcnow(), ZONE)


def noon(day) -> datetime:
    return datetime.combine(day, datetime.min.time()).replace(hour=4)  # 12:00 in Shanghai


@pytest.fixture
def expiring(api: Api) -> Api:
    """Points good for 12 months; m3 earned 30 twelve months less 10 days ago, and 20
    twelve months less 40 days ago, and spent 5."""
    bank = api.bank
    bank.communities.update_settings("sjhy", {"expiry": {"policy": "months", "months": 12}})
    year_ago = today().replace(year=today().year - 1)
    bank.ledger.award("sjhy", "m3", 30, key="e1", occurred_at=noon(year_ago
                                                                  + timedelta(days=10)))
    bank.ledger.award("sjhy", "m3", 20, key="e2", occurred_at=noon(year_ago
                                                                  + timedelta(days=40)))
    bank.ledger.spend("sjhy", "m3", 5, key="e3")
    return api


def test_a_member_sees_which_points_expire_soon_and_their_last_day(expiring: Api) -> None:
    token = expiring.bank.keys.create("member", community="sjhy", member="m3").token
    shown = expiring.get("/members/m3/expiring?within_days=60", key=token)
    assert shown.status_code == 200, shown.get_json()
    body = shown.get_json()
    first = today() + timedelta(days=11)
    assert body["member"] == "m3" and body["within_days"] == 60
    assert [(i["amount"], i["expires_on"], i["last_day"]) for i in body["items"]] == [
        (25, first.isoformat(), (first - timedelta(days=1)).isoformat()),
        (20, (today() + timedelta(days=41)).isoformat(),
         (today() + timedelta(days=40)).isoformat())]
    assert {i["unit"] for i in body["items"]} == {"points"}
    near = expiring.as_("clerk").get("/members/m3/expiring?within_days=20").get_json()
    assert [i["amount"] for i in near["items"]] == [25]
    assert expiring.as_("clerk").get("/members/m3/expiring").get_json()["within_days"] == 60
    # The schedule agrees with the office's list of members whose points go soon.
    soon = expiring.bank.expiry.upcoming("sjhy", within_days=60)
    assert [(e.member, e.amount) for e in soon] == [("m3", 45)]


def test_nothing_expires_where_the_community_s_points_never_do(api: Api) -> None:
    body = api.as_("member").get("/members/m1/expiring").get_json()
    assert body == {"member": "m1", "within_days": 60, "items": []}


def test_expiring_points_are_a_member_s_own_business(expiring: Api) -> None:
    assert expiring.as_("member").get("/members/m3/expiring").status_code == 403
    assert expiring.as_("kiosk").get("/members/m3/expiring").status_code == 403
    bad = expiring.get("/members/m3/expiring?within_days=9999")
    assert bad.status_code == 422 and "within_days" in bad.get_json()["errors"]
    assert expiring.get("/members/nobody/expiring").get_json()["code"] == "not_found"


def test_a_member_sees_the_requests_they_posted_and_the_ones_they_claimed(api: Api) -> None:
    bank = api.bank
    for m in ("m1", "m2", "m3"):
        bank.ledger.award("sjhy", m, 300, unit="minutes", key=f"min-{m}")
    mine = bank.requests.post("sjhy", "m1", "买菜", "errands", 60, key="q1").id
    taken = bank.requests.post("sjhy", "m2", "修水管", "repairs", 30, key="q2").id
    bank.requests.claim("sjhy", taken, "m1")
    others = bank.requests.post("sjhy", "m3", "陪诊", "company", 90, key="q3").id
    done = bank.requests.post("sjhy", "m1", "送饭", "errands", 20, key="q4").id
    bank.requests.claim("sjhy", done, "m2")
    bank.requests.confirm("sjhy", done, 20, key="q4c")
    left = bank.requests.post("sjhy", "m3", "读报", "company", 30, key="q5").id
    bank.requests.claim("sjhy", left, "m1")
    bank.requests.withdraw("sjhy", left, "m1")
    shown = api.as_("member").get("/members/m1/requests")
    assert shown.status_code == 200, shown.get_json()
    items = {r["id"]: r for r in shown.get_json()["items"]}
    assert set(items) == {mine, taken}
    assert (items[mine]["member"], items[mine]["status"]) == ("m1", "open")
    assert (items[taken]["member"], items[taken]["volunteers"]) == ("m2", ["m1"])
    assert others not in items and done not in items and left not in items
    assert api.as_("member").get("/members/m2/requests").status_code == 403
    assert api.as_("clerk").get("/members/nobody/requests").get_json()["code"] == "not_found"


def test_a_member_sees_their_certificates_with_the_public_check_s_status(tb) -> None:
    from tests.api.conftest import make_api
    tb.communities.create("cc", "世纪花园社区", rulebook="red_vest")
    tb.members.add("cc", "m1", "张三明")
    made = tb.contributions.record("cc", "m1", "patrol", key="c1", quantity=2,
                                   occurred_on="2025-03-01", recorded_by="clerk-a")
    tb.contributions.approve("cc", made.id, approver=Actor("clerk-b"), key=None)
    api = make_api(tb, "cc")
    first = api.as_("clerk").post("/certificates", {"member": "m1", "from": "2025-03-01",
                                                    "to": "2025-03-31"}).get_json()
    second = api.as_("clerk").post("/certificates", {"member": "m1", "from": "2025-01-01",
                                                     "to": "2025-06-30",
                                                     "purpose": "升学"}).get_json()
    api.post(f"/certificates/{first['number']}/revoke", {"reason": "重开"})
    shown = api.as_("member").get("/members/m1/certificates")
    assert shown.status_code == 200, shown.get_json()
    items = shown.get_json()["items"]
    assert [(c["number"], c["status"]) for c in items] == [
        (second["number"], "valid"), (first["number"], "revoked")]
    assert items[0]["service_minutes"] == 120 and items[0]["purpose"] == "升学"
    assert items[0]["period"] == {"from": "2025-01-01", "to": "2025-06-30"}
    assert items[0]["verify_url"].endswith(f"/public/certificates/{second['number']}")
    # A counted record reversed after issue: the page says what the public check says.
    tb.contributions.reverse("cc", made.id, actor="clerk-c", reason="记错了", key="rev")
    assert api.as_("member").get("/members/m1/certificates").get_json()["items"][0][
        "status"] == "changed"
    assert api.as_("kiosk").get("/members/m1/certificates").status_code == 403


def test_a_clerk_prints_a_member_card_qr_that_signs_the_member_in(api: Api) -> None:
    made = api.as_("clerk").post("/members/m2/card-key", idem=None)
    assert made.status_code == 201, made.get_data(as_text=True)
    assert made.content_type == "image/svg+xml"
    assert made.headers["Cache-Control"] == "no-store"
    svg = made.get_data(as_text=True)
    assert svg.startswith("<?xml") and "<svg" in svg and "<path" in svg
    key_id = int(made.headers["X-Timebank-Key-Id"])
    png = api.post("/members/m2/card-key?format=png", idem=None)
    assert png.status_code == 201 and png.content_type == "image/png"
    assert png.get_data()[:8] == b"\x89PNG\r\n\x1a\n"
    link = api.post("/members/m2/card-key?format=json&label=补办", idem=None).get_json()
    assert link["member"] == "m2" and link["key_id"] > key_id
    assert link["link"].startswith("http://localhost/me/#key=tbk_")
    token = link["link"].split("#key=")[1]
    who = api.get("/whoami", key=token).get_json()
    assert (who["role"], who["member"]) == ("member", "m2")
    assert api.get("/members/m2/balance", key=token).status_code == 200
    assert api.get("/members/m1/balance", key=token).status_code == 403


def test_the_card_link_uses_the_public_address_when_the_host_sets_one(api: Api) -> None:
    api.app.config["TIMEBANK_PUBLIC_URL"] = "https://sq.example.cn/"
    link = api.post("/members/m2/card-key?format=json", idem=None).get_json()["link"]
    assert link.startswith("https://sq.example.cn/me/#key=tbk_")


def test_only_the_office_makes_card_keys_and_bad_input_makes_none(api: Api) -> None:
    before = len(api.bank.keys.list(community="sjhy"))
    assert api.as_("kiosk").post("/members/m2/card-key", idem=None).status_code == 403
    assert api.as_("member").post("/members/m1/card-key", idem=None).status_code == 403
    assert api.post("/members/nobody/card-key", idem=None).get_json()["code"] == "not_found"
    bad = api.post("/members/m2/card-key?format=gif", idem=None)
    assert bad.status_code == 422 and "format" in bad.get_json()["errors"]
    assert len(api.bank.keys.list(community="sjhy")) == before


def test_a_phone_two_members_share_is_said_to_match_several(api: Api) -> None:
    api.bank.members.update("sjhy", "m3", phone="13800000002")  # m2's household
    found = api.as_("kiosk").get("/members?phone=13800000002")
    body = found.get_json()
    assert found.status_code == 422 and body["code"] == "validation_error"
    assert body["matches"] == 2 and "phone" in body["errors"]
    assert "several members share phone" in api.get(
        "/members?phone=13800000002", headers={"Accept-Language": "en"}).get_json()["detail"]
    nobody = api.as_("kiosk").get("/members?card=NOPE")
    assert nobody.status_code == 404 and "matches" not in nobody.get_json()
