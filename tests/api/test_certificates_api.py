"""The certificates' HTTP contract: issue, show (JSON and A4 HTML), revoke, honours, the
keyless public check with its rate limit, and the anchor."""

from __future__ import annotations

import pytest

from tests.api.conftest import make_api
from timebank.domain.access import Actor


@pytest.fixture
def capi(tb):
    tb.communities.create("cc", "世纪花园社区", rulebook="red_vest")
    tb.members.add("cc", "m1", "张三明", phone="13912345678", card="CARD-77")
    for i, (rule, hours, day) in enumerate([("patrol", 2.5, "2025-03-01"),
                                            ("snow_clearing", 3, "2025-03-10")]):
        done = tb.contributions.record("cc", "m1", rule, key=f"c{i}", quantity=hours,
                                       occurred_on=day, recorded_by="clerk-a")
        tb.contributions.approve("cc", done.id, approver=Actor("clerk-b"), key=None)
    return make_api(tb, "cc")


def issue(api, **body):
    return api.as_("clerk").post("/certificates", {"member": "m1", "from": "2025-03-01",
                                                   "to": "2025-03-31", **body})


def test_a_clerk_issues_and_anyone_checks_it_without_a_key(capi):
    made = issue(capi, purpose="升学")
    assert made.status_code == 201, made.get_json()
    cert = made.get_json()
    assert cert["service_minutes"] == 330 and cert["honour_minutes"] == 0
    assert [a["minutes"] for a in cert["activities"]] == [150, 180]
    assert set(cert["issuer"]) == {"name", "person_in_charge", "handler", "contact"}
    assert cert["verify_url"].endswith(f"/api/v1/public/certificates/{cert['number']}")
    public = capi.client.get(f"/api/v1/public/certificates/{cert['number']}")
    assert public.status_code == 200
    body = public.get_json()
    assert set(body) == {"status", "name_masked", "service_minutes", "honour_minutes",
                         "period", "issuer", "issued_on"}
    assert body["status"] == "valid" and body["name_masked"] == "张*明"
    text = public.get_data(as_text=True)
    for secret in ("张三明", "m1", "13912345678", "CARD-77"):
        assert secret not in text


def test_the_page_is_a_printable_a4_with_a_qr_code_in_either_language(capi):
    number = issue(capi).get_json()["number"]
    zh = capi.as_("clerk").get(f"/certificates/{number}?format=html")
    assert zh.status_code == 200 and zh.content_type.startswith("text/html")
    page = zh.get_data(as_text=True)
    assert "志愿服务记录证明" in page and "size: A4" in page and "<svg" in page
    en = capi.as_("clerk").get(f"/certificates/{number}?format=html&lang=en")
    assert "Certificate of Volunteer Service" in en.get_data(as_text=True)


def test_revoke_is_admin_only_and_the_public_check_then_answers_revoked(capi):
    number = issue(capi).get_json()["number"]
    assert capi.as_("clerk").post(f"/certificates/{number}/revoke",
                                  {"reason": "x"}).status_code == 403
    done = capi.post(f"/certificates/{number}/revoke", {"reason": "信息有误"})
    assert done.status_code == 200 and done.get_json()["status"] == "revoked"
    again = capi.post(f"/certificates/{number}/revoke", {"reason": "again"})
    assert again.get_json()["code"] == "invalid_state"
    assert capi.client.get(f"/api/v1/public/certificates/{number}").get_json()[
        "status"] == "revoked"


def test_honours_need_a_second_key_and_stay_within_the_activity(capi):
    body = {"activity_date": "2025-03-01", "rule": "patrol", "members": ["m1"],
            "minutes": 200, "reason": "表彰"}
    too_long = capi.as_("clerk").post("/honours", body)
    assert too_long.status_code == 409 and too_long.get_json()["code"] == "limit_exceeded"
    made = capi.as_("clerk").post("/honours", {**body, "minutes": 60})
    assert made.status_code == 201 and made.get_json()["status"] == "pending"
    hid = made.get_json()["id"]
    assert capi.as_("clerk").post(f"/honours/{hid}/approve").status_code == 403
    approved = capi.post(f"/honours/{hid}/approve")
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert issue(capi).get_json()["honour_minutes"] == 60


def test_bad_input_gets_the_specific_error(capi):
    none = issue(capi, **{"from": "2025-06-01", "to": "2025-06-30"})
    assert none.status_code == 422 and "零时长不出具证明" in none.get_json()["detail"]
    future = issue(capi, to="2999-01-01")
    assert future.status_code == 422 and "将来" in future.get_json()["detail"]
    backwards = issue(capi, **{"from": "2025-03-31", "to": "2025-03-01"})
    assert backwards.status_code == 422
    for number in ("cc-2025-99999", "sjhy-2025-00001", "x"):
        missing = capi.client.get(f"/api/v1/public/certificates/{number}")
        assert missing.status_code == 404 and missing.get_json()["code"] == "not_found"
    assert capi.as_("clerk").get("/certificates/cc-2025-99999").status_code == 404
    assert capi.as_("kiosk").post("/certificates", {"member": "m1", "from": "2025-03-01",
                                                    "to": "2025-03-31"}).status_code == 403


def test_the_public_path_is_rate_limited_per_address(capi):
    capi.app.config["TIMEBANK_PUBLIC_BURST"] = 3
    capi.app.config["TIMEBANK_PUBLIC_RATE"] = 1
    answers = [capi.client.get("/api/v1/public/certificates/cc-2025-00001").status_code
               for _ in range(5)]
    assert answers[:3] == [404, 404, 404] and answers[3:] == [429, 429]
    limited = capi.client.get("/api/v1/public/certificates/cc-2025-00001")
    assert limited.content_type == "application/problem+json"
    assert limited.get_json()["code"] == "rate_limited"
    other = capi.client.get("/api/v1/public/certificates/cc-2025-00001",
                            environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 404


def test_the_anchor_names_the_chain_head(capi):
    anchor = capi.get("/audit/anchor").get_json()
    assert anchor["community"] == "cc" and anchor["entries"] == 2
    assert len(anchor["head"]) == 64 and anchor["at"]
