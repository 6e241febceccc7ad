"""A volunteer's own page in a real browser (Chromium, SQLite): signed in by the QR link
on the member card, it shows balances, tier and a statement that explains each line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.browser.conftest import COMMUNITY, Site
from timebank.cli import main
from timebank.domain.rulebook import loads
from timebank.io.cards import card_link

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
    bank.contributions.approve(COMMUNITY, done.id, approver="clerk:2", key=None)

    page.goto(card_link(site.url, site.keys["member"]))
    page.wait_for_selector("#me:not([hidden])")
    assert "#key" not in page.url  # the key left the address bar
    assert page.text_content("#me-name") == "张三明"
    assert "积分: 54" in page.inner_text("#me-balances")
    lines = page.inner_text("#me-lines")
    assert "获得；规则: 扫雪；活动记录 #" in lines and "审批人: clerk:2" in lines
    assert "2026-01-12" in lines  # the local day in the community's zone
    assert "原因: 扫雪" in lines and "+4" in lines and "54" in lines
    assert page.is_hidden("#signin")
    path = tmp_path / "me.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


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
