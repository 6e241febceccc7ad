"""A member's own page embedded in a host app that has its own login: the host's identity
resolver names the member from the host's session cookie, so ``/me/`` opens with no key;
with no login the key form shows (and a member key still works); a login that resolves
to a clerk is refused like a clerk key. Chromium, on each engine through ``tb``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from flask import Flask, Request, session

import webapi
from tests.browser.conftest import COMMUNITY, seed, serve
from timebank import Timebank
from webapi import Identity
from webapi.auth import bearer_resolver

PAGES = "/grid/timebank"

# The host's own users and who each is in the community.
USERS = {
    "zhang": Identity("member", COMMUNITY, member="R-001", actor="grid-user:zhang"),
    "li": Identity("clerk", COMMUNITY, actor="grid-user:li"),
}


def host_app(bank: Timebank) -> Flask:
    """A grid platform with a cookie login (``/login/<name>``) and timebank mounted beside
    its routes; its resolver reads the host's session, then falls back to API keys."""
    app = Flask("grid_platform")
    app.secret_key = "host-secret"
    keys = bearer_resolver(bank)

    @app.get("/login/<name>")
    def login(name: str) -> str:
        session["user"] = name
        return f"logged in as {name}"

    def resolve(request: Request) -> Identity | None:
        return USERS.get(session.get("user", "")) or keys(request)

    webapi.init_app(app, timebank=bank, url_prefix="/grid/api", identity_resolver=resolve,
                    pages_prefix=PAGES)
    return app


@attrs.frozen
class Host:
    url: str
    keys: dict[str, str]


@pytest.fixture
def host(tb: Timebank) -> Iterator[Host]:
    keys = seed(tb)
    with serve(host_app(tb)) as url:
        yield Host(url, keys)


def shot(page: Any, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


def test_the_hosts_login_opens_the_members_own_page_with_no_key(
        page: Any, host: Host, tmp_path: Path) -> None:
    page.goto(f"{host.url}/login/zhang")  # the host's login sets its session cookie
    page.goto(f"{host.url}{PAGES}/me/")
    page.wait_for_selector("#me:not([hidden])")
    assert page.text_content("#me-name") == "张三明"
    assert page.text_content("#me-code") == "R-001"
    assert "积分: 50" in page.inner_text("#me-balances")
    lines = page.inner_text("#me-lines")
    assert "获得" in lines and "理由: 扫雪" in lines and "+50" in lines
    assert "积分明细" in page.inner_text("#me")
    assert page.is_hidden("#signin")
    assert page.is_hidden("#sign-out")  # the host's login signs out, not the page
    assert page.evaluate("sessionStorage.getItem('timebank.key')") is None
    shot(page, tmp_path / "me-host.png")


def test_with_no_host_login_the_key_form_shows_and_a_member_key_still_opens_the_page(
        page: Any, host: Host, tmp_path: Path) -> None:
    page.goto(f"{host.url}{PAGES}/me/")
    page.wait_for_selector("#signin:not([hidden])")
    assert page.text_content("#signin-error") == ""
    assert page.is_hidden("#me")
    assert page.is_visible("#key")
    shot(page, tmp_path / "me-host-signin.png")
    page.fill("#key", host.keys["member"])
    page.press("#key", "Enter")
    page.wait_for_selector("#me:not([hidden])")
    assert page.text_content("#me-name") == "张三明"


def test_a_host_login_that_resolves_to_a_clerk_is_refused_like_a_clerk_key(
        page: Any, host: Host, tmp_path: Path) -> None:
    page.goto(f"{host.url}/login/li")
    page.goto(f"{host.url}{PAGES}/me/")
    page.wait_for_selector("#signin-error:has-text('此密钥不是会员密钥')")
    assert page.is_visible("#signin")
    assert page.is_hidden("#me")
    shot(page, tmp_path / "me-host-clerk.png")
