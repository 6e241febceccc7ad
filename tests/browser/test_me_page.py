"""A volunteer's own page in a real browser (Chromium, SQLite): signed in by the QR link
on the member card, it shows balances, tier and a statement that explains each line."""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.browser.conftest import COMMUNITY, Site
from timebank.cli import main
from timebank.domain.access import Actor
from timebank.domain.rulebook import loads
from timebank.io.cards import card_link
from timebank.timeutil import local_date, utcnow

RULEBOOK = """
[rulebook]
name = "test"

[[rules]]
code = "snow"
name_zh = "扫雪"
name_en = "Snow clearing"
basis = "per_occurrence"
rate = 4
approval = true
"""


def test_a_volunteer_signs_in_by_the_card_qr_link_and_reads_the_statement(
        page: Any, site: Site, tmp_path: Path) -> None:
    bank = site.bank
    bank.rules.install(COMMUNITY, loads(RULEBOOK))
    done = bank.contributions.record(COMMUNITY, "R-001", "snow", key="c1", quantity=1,
                                     occurred_on="2026-01-12", recorded_by="clerk:1")
    bank.contributions.approve(COMMUNITY, done.id, approver=Actor("clerk:2"), key=None)

    page.goto(card_link(site.url, site.keys["member"]))
    page.wait_for_selector("#me:not([hidden])")
    assert "#key" not in page.url  # the key left the address bar
    assert page.text_content("#me-name") == "张三明"
    assert "积分: 54" in page.inner_text("#me-balances")
    lines = page.inner_text("#me-lines")
    assert "获得；积分规则: 扫雪；贡献记录 #" in lines and "审核人: clerk:2" in lines
    assert "2026-01-12" in lines  # the local day in the community's zone
    assert "理由: 扫雪" in lines and "+4" in lines and "54" in lines
    assert page.is_hidden("#signin")
    path = tmp_path / "me.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


SERVICE_RULEBOOK = """
[rulebook]
name = "service"

[[rules]]
code = "patrol"
name_zh = "治安巡逻"
name_en = "Patrol"
basis = "per_hour"
rate = 2
approval = true
service = true
"""


def card_key_link(site: Site, member: str) -> str:
    """What the office's card printer asks the server: a member key as the card's link."""
    ask = urllib.request.Request(
        f"{site.url}/api/v1/members/{member}/card-key?format=json", method="POST",
        headers={"Authorization": f"Bearer {site.keys['clerk']}"})
    with urllib.request.urlopen(ask) as answer:
        assert answer.status == 201
        return str(json.loads(answer.read())["link"])


def test_a_volunteer_sees_points_expiring_soon_requests_under_way_and_certificates(
        page: Any, site: Site, tmp_path: Path) -> None:
    bank = site.bank
    today = local_date(utcnow(), "Asia/Shanghai")
    bank.communities.update_settings(COMMUNITY, {"expiry": {"policy": "months",
                                                            "months": 12}})
    earned = today.replace(year=today.year - 1) + timedelta(days=10)
    bank.ledger.award(COMMUNITY, "R-001", 30, key="old", reason="扫雪",
                      occurred_at=datetime.combine(earned, datetime.min.time())
                      .replace(hour=4))
    for member in ("R-001", "R-002"):
        bank.ledger.award(COMMUNITY, member, 120, unit="minutes", key=f"min-{member}")
    needed = (today + timedelta(days=5)).isoformat()
    bank.requests.post(COMMUNITY, "R-001", "买菜", "errands", 60, key="q1",
                       needed_on=today + timedelta(days=5))
    helping = bank.requests.post(COMMUNITY, "R-002", "修水管", "repairs", 30, key="q2").id
    bank.requests.claim(COMMUNITY, helping, "R-001")
    bank.rules.install(COMMUNITY, loads(SERVICE_RULEBOOK))
    served = today - timedelta(days=100)  # its points expire long after the window
    done = bank.contributions.record(COMMUNITY, "R-001", "patrol", key="p1", quantity=2,
                                     occurred_on=served.isoformat(), recorded_by="clerk:1")
    bank.contributions.approve(COMMUNITY, done.id, approver=Actor("clerk:2"), key=None)
    cert = bank.certificates.issue(COMMUNITY, "R-001", served, today, actor="clerk:1")

    page.goto(card_key_link(site, "R-001"))  # the QR code the office printed, scanned
    page.wait_for_selector("#me-certificates li b")
    last_day = (today + timedelta(days=10)).isoformat()
    assert page.inner_text("#me-expiring") == f"30 积分,有效期至 {last_day}"
    requests = page.inner_text("#me-requests")
    assert f"买菜 · 代买 · 1 小时 · 需要日期 {needed}" in requests
    assert "我的求助 等待志愿者认领" in requests
    assert "修水管" in requests and "我在帮忙 已有志愿者认领" in requests
    certificates = page.inner_text("#me-certificates")
    assert f"{cert.number} {served} 至 {today}:服务 2 小时 · 有效" in certificates
    assert "即将过期" in page.inner_text("#me") and "我的志愿服务证明" in page.inner_text("#me")
    shot = tmp_path / "me-outlook.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    # The office revokes the certificate; the page says so on the next visit.
    bank.certificates.revoke(cert.number, reason="信息有误", actor="admin:1")
    page.reload()
    page.wait_for_selector("#me-certificates li.cert-revoked")
    assert "已作废" in page.inner_text("#me-certificates")


def test_a_volunteer_with_nothing_expiring_asked_or_certified_is_told_so(
        page: Any, site: Site) -> None:
    page.goto(card_link(site.url, site.keys["member"]))
    page.wait_for_selector("#me-certificates li")
    assert page.inner_text("#me-expiring") == "未来 60 天内没有要过期的积分"
    assert page.inner_text("#me-requests") == "暂无进行中的互助"
    assert page.inner_text("#me-certificates") == "暂无证明"


def test_the_own_page_refuses_a_clerk_key(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/me/")
    page.fill("#key", site.keys["clerk"])
    page.press("#key", "Enter")
    page.wait_for_selector("#signin-error:has-text('此密钥不是会员密钥')")
    assert page.is_hidden("#me")


def test_the_index_links_the_desk_the_own_page_and_the_docs(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/")
    links = page.eval_on_selector_all("ul.home a", "as => as.map(a => a.textContent)")
    assert links == ["服务日兑换台", "我的积分", "接口文档"]
    page.click("text=English")
    assert page.eval_on_selector_all("ul.home a", "as => as.map(a => a.textContent)") \
        == ["Service-day desk", "My points", "API docs"]


def test_the_docs_page_loads_swagger_ui_from_the_package_not_a_cdn(page: Any,
                                                                    site: Site) -> None:
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(site.url) and not r.url.startswith("data:") else None)
    page.goto(f"{site.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info")
    assert page.is_hidden("#plain") or page.locator("#plain").count() == 0
    assert outside == []


def test_keys_create_writes_the_member_card_qr_as_svg(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["init", "--db", db]).exit_code == 0
    assert runner.invoke(main, ["community", "create", "sjhy", "--name", "世纪花园社区",
                                "--db", db]).exit_code == 0
    assert runner.invoke(main, ["member", "add", "R-1", "--community", "sjhy", "--name",
                                "张三明", "--db", db]).exit_code == 0
    qr = tmp_path / "card.svg"
    made = runner.invoke(main, ["keys", "create", "--role", "member", "--community", "sjhy",
                                "--member", "R-1", "--qr", str(qr), "--base-url",
                                "https://sq.example.cn/tb", "--db", db])
    assert made.exit_code == 0, made.output
    token = made.output.strip().splitlines()[-1]
    assert token.startswith("tbk_")
    svg = qr.read_text()
    assert svg.startswith("<?xml") and "<svg" in svg and "<path" in svg
    refused = runner.invoke(main, ["keys", "create", "--role", "clerk", "--community",
                                   "sjhy", "--qr", str(qr), "--db", db])
    assert refused.exit_code != 0 and "--qr" in refused.output
