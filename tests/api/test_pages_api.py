"""What the pages need of the API (SQLite and PostgreSQL): who a key is, the service days,
the gifts a member may take now, the poster, the docs without a CDN, and the pages
mounted beside a host's own routes."""

from __future__ import annotations

import re

import pytest
from flask import Flask

import webapi
from tests.api.conftest import Api
from timebank.domain.rulebook import loads
from webapi import Identity

RULEBOOK = """
[rulebook]
name = "poster"

[[rules]]
code = "clean"
name_zh = "清扫"
name_en = "Cleaning"
basis = "per_occurrence"
rate = 3
"""


def test_whoami_says_each_key_s_role_community_and_member(api: Api) -> None:
    clerk = api.as_("clerk").get("/whoami").get_json()
    assert (clerk["role"], clerk["community"], clerk["member"]) == ("clerk", "sjhy", None)
    assert clerk["timezone"] == "Asia/Shanghai" and clerk["community_name"] == "世纪花园社区"
    member = api.as_("member").get("/whoami").get_json()
    assert (member["role"], member["member"], member["name"]) == ("member", "m1", "居民1")
    assert api.as_(None).get("/whoami").status_code == 401


def test_the_desk_lists_open_service_days_newest_first(api: Api) -> None:
    bank = api.bank
    bank.service_days.open("sjhy", "d1", name="一月", day="2026-01-10")
    bank.service_days.open("sjhy", "d2", name="二月", day="2026-02-14")
    bank.service_days.close("sjhy", "d1")
    kiosk = api.as_("kiosk")
    assert [d["code"] for d in kiosk.get("/service-days").get_json()["items"]] == ["d2", "d1"]
    assert kiosk.get("/service-days?status=open").get_json()["items"] == [
        {"code": "d2", "name": "二月", "day": "2026-02-14", "status": "open"}]
    bad = kiosk.get("/service-days?status=gone")
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]
    assert api.as_("member").get("/service-days").status_code == 403


def test_a_member_s_gifts_say_price_stock_limit_left_and_why_not(api: Api) -> None:
    bank = api.bank
    bank.gifts.create("sjhy", "rice", name="大米", cost=10, stock=5, limit_per_member=2)
    bank.gifts.create("sjhy", "oil", name="油", cost=30, stock=0)
    bank.redemptions.redeem("sjhy", "m1", [{"gift": "rice", "quantity": 2}], key="r1")
    items = {g["code"]: g for g in
             api.as_("kiosk").get("/members/m1/gifts").get_json()["items"]}
    assert (items["rice"]["limit_left"], items["rice"]["stock"]) == (0, 3)
    assert items["rice"]["blocked"] == "limit_exceeded"
    assert items["oil"]["blocked"] == "out_of_stock" and items["oil"]["limit_left"] is None
    other = {g["code"]: g for g in api.get("/members/m2/gifts").get_json()["items"]}
    assert other["rice"]["limit_left"] == 2 and other["rice"]["blocked"] is None
    assert api.get("/members/nobody/gifts").get_json()["code"] == "not_found"
    assert api.as_("member").get("/members/m1/gifts").status_code == 403


def test_a_gift_behind_a_tier_is_blocked_until_the_member_reaches_it(api: Api) -> None:
    bank = api.bank
    bank.communities.create("pm", "党员社区", rulebook="party_member")
    bank.members.add("pm", "p1", "张三明")
    bank.members.add("pm", "p2", "李四")
    bank.ledger.award("pm", "p2", 25, key="a2", reason="学习")
    bank.gifts.create("pm", "paper", name="党报", cost=1, stock=9, min_tier="level2")
    pm = {"X-Timebank-Community": "pm"}
    platform = api.as_("platform")
    low = platform.get("/members/p1/gifts", headers=pm).get_json()["items"][0]
    high = platform.get("/members/p2/gifts", headers=pm).get_json()["items"][0]
    assert (low["min_tier"], low["blocked"]) == ("level2", "not_eligible")
    assert high["blocked"] is None


@pytest.fixture
def posted(api: Api) -> Api:
    bank = api.bank
    bank.rules.install("sjhy", loads(RULEBOOK))
    bank.members.add("sjhy", "w1", "王")
    bank.members.add("sjhy", "z1", "张三明")
    for n, (member, qty) in enumerate([("w1", 2), ("z1", 1)]):
        bank.contributions.record("sjhy", member, "clean", key=f"c{n}", quantity=qty,
                                  occurred_on="2024-03-09", recorded_by="clerk")
    return api


def test_the_poster_masks_every_name_and_shows_no_member_codes(posted: Api) -> None:
    response = posted.as_("clerk").get("/reports/poster?month=2024-03")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    assert "2024年3月积分公示" in page and "@page { size: A4" in page
    assert "王*" in page and "张*明" in page
    assert "张三明" not in page and not re.search(r">\s*王\s*<", page)
    assert "w1" not in page and "z1" not in page


def test_the_poster_comes_in_a3_and_english(posted: Api) -> None:
    page = posted.get("/reports/poster?month=2024-03&size=A3&lang=en").get_data(as_text=True)
    assert "Points for 2024-03" in page and "@page { size: A3" in page and "王*" in page


@pytest.mark.parametrize("query", ["month=2024-13", "month=2024-03&size=B5",
                                   "month=2024-03&lang=fr", ""])
def test_a_bad_poster_query_is_a_validation_problem(posted: Api, query: str) -> None:
    response = posted.get(f"/reports/poster?{query}")
    assert response.status_code == 422
    assert response.get_json()["code"] == "validation_error"


@pytest.mark.parametrize("role", ["member", "kiosk"])
def test_only_the_office_prints_the_poster(posted: Api, role: str) -> None:
    assert posted.as_(role).get("/reports/poster?month=2024-03").status_code == 403


def test_the_docs_page_loads_no_script_from_a_cdn(api: Api) -> None:
    page = api.client.get("/api/v1/docs").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts == ["/api/v1/docs/assets/swagger-ui-bundle.js"]
    assert "https://" not in "".join(re.findall(r'(?:src|href)="([^"]+)"', page))
    with api.client.get(scripts[0]) as asset:
        assert asset.status_code == 200 and len(asset.data) > 100_000
    assert api.client.get("/api/v1/docs/assets/index.html").status_code == 404


def test_the_standalone_app_serves_the_pages_in_chinese_by_default(api: Api) -> None:
    index = api.client.get("/").get_data(as_text=True)
    assert 'href="/desk/?lang=zh"' in index and 'href="/me/?lang=zh"' in index
    assert 'href="/api/v1/docs"' in index
    desk = api.client.get("/desk/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in desk and "服务日兑换台" in desk
    me = api.client.get("/me/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in me and "My points" in me
    with api.client.get("/static/timebank/desk.js") as script:
        assert script.status_code == 200 and b"Idempotency" in script.data


def test_a_host_mounts_the_pages_under_its_prefix_and_keeps_its_own_routes(api: Api) -> None:
    host = Flask("host")

    @host.get("/")
    def home() -> str:
        return "the host's own home"

    webapi.init_app(host, timebank=api.bank, url_prefix="/tb/api",
                    identity_resolver=lambda request: Identity("clerk", "sjhy"),
                    pages_prefix="/tb")
    client = host.test_client()
    assert client.get("/").get_data(as_text=True) == "the host's own home"
    desk = client.get("/tb/desk/").get_data(as_text=True)
    assert '"api": "/tb/api"' in desk and "/tb/static/timebank/desk.js" in desk
    assert "服务日兑换台" in client.get("/tb/").get_data(as_text=True)
    assert client.get("/tb/api/whoami").get_json()["role"] == "clerk"
    assert client.get("/desk/").status_code == 404


def test_a_host_without_pages_prefix_gets_no_pages(api: Api) -> None:
    host = Flask("host")
    webapi.init_app(host, timebank=api.bank)
    assert host.test_client().get("/desk/").status_code == 404
