"""The API docs page (``/api/v1/docs``) in a real browser with no internet: every request
that is not to the loopback host is refused by routing, and the page still renders every
operation from the packaged Swagger UI, in zh-CN by default (English by its switch or by
an English browser). When the script cannot run, the plain view lists the operations
with their descriptions, code spans rendered, no raw markdown backticks."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import Site

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Offline:
    """Routes a browser context as if the machine had no internet: loopback requests go
    through, every other one is aborted and remembered (as is every request made)."""

    def __init__(self, context: Any, *, refuse: str | None = None) -> None:
        self.seen: list[str] = []
        self.refused: list[str] = []
        self.refuse = refuse
        context.route("**/*", self.handle)

    def handle(self, route: Any) -> None:
        url = route.request.url
        self.seen.append(url)
        if urlsplit(url).hostname not in LOOPBACK or (self.refuse and self.refuse in url):
            self.refused.append(url)
            route.abort()
        else:
            route.continue_()


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    """A zh-CN browser context whose page is offline."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def operations(site: Site) -> int:
    with urllib.request.urlopen(f"{site.url}/api/v1/openapi.json") as answer:
        spec = json.load(answer)
    return sum(m != "parameters" for ops in spec["paths"].values() for m in ops)


def test_the_docs_render_offline_in_chinese_from_the_packaged_swagger_ui(
        tab: Any, site: Site, tmp_path: Path) -> None:
    offline = Offline(tab)
    page = tab.new_page()
    page.goto(f"{site.url}/api/v1/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() == operations(site) > 50
    assert page.title() == "timebank 接口文档"
    assert page.text_content("#docs-title") == "timebank 接口文档"
    assert "除 healthz 外,每个接口都要带请求头" in page.inner_text("#docs-intro")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("#plain").count() == 0  # Swagger UI ran, the plain view went
    assert "`" not in page.inner_text("#docs")
    path = tmp_path / "docs.png"
    page.screenshot(path=str(path), full_page=False)  # the Chinese header and the list
    assert path.stat().st_size > 10_000
    members = page.locator(".opblock", has_text="with card or phone").first
    members.locator(".opblock-summary").click()
    code = members.locator(".opblock-description-wrapper code", has_text="card")
    code.first.wait_for()
    assert "`" not in members.inner_text()
    page.screenshot(path=str(tmp_path / "docs-open.png"), full_page=False)
    assert offline.refused == [] and offline.seen
    assert {urlsplit(url).hostname for url in offline.seen} == {"127.0.0.1"}
    assert any(url.endswith("/docs/assets/swagger-ui-bundle.js") for url in offline.seen)

    page.click("a.lang")  # the switch to English
    page.wait_for_selector(".opblock")
    assert page.text_content("#docs-title") == "timebank: API documentation"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert offline.refused == []


def test_an_english_browser_reads_the_docs_in_english(browser: Any, site: Site) -> None:
    context = browser.new_context(locale="en-US")
    try:
        offline = Offline(context)
        page = context.new_page()
        page.goto(f"{site.url}/api/v1/docs")
        page.wait_for_selector(".opblock")
        assert page.title() == "timebank: API documentation"
        assert "Every endpoint but healthz needs" in page.inner_text("#docs-intro")
        assert offline.refused == []
    finally:
        context.close()


def test_without_its_script_the_plain_view_lists_every_operation_with_code_spans(
        tab: Any, site: Site, tmp_path: Path) -> None:
    offline = Offline(tab, refuse="swagger-ui-bundle.js")
    page = tab.new_page()
    page.goto(f"{site.url}/api/v1/docs")
    page.wait_for_selector("#plain")
    assert offline.refused and all(u.endswith("swagger-ui-bundle.js") for u in offline.refused)
    assert page.locator(".opblock").count() == 0
    assert "交互式文档未能启动" in page.text_content("#docs-fallback")
    plain = page.inner_text("#plain")
    assert "`" not in plain
    assert page.locator("#plain tr").count() == operations(site) + 1  # and the header
    assert page.locator("#plain code", has_text="phone").count() >= 1
    assert "Roles: admin, clerk." in plain and "方法" in plain
    path = tmp_path / "docs-plain.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 10_000
