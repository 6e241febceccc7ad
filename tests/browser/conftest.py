"""Browser tests: the pages in Debian's Chromium (``/usr/bin/chromium``) driven by
Playwright, against the app served from a thread (werkzeug on 127.0.0.1, a free port)
over the suite's ``tb``: a SQLite file and, when ``TIMEBANK_TEST_POSTGRES_URL`` is set,
a PostgreSQL schema of its own (``tests/conftest.py``), like every storage test.

Playwright's own browser download is not used (nor reachable): without
``/usr/bin/chromium`` (``apt-get install chromium fonts-noto-cjk``) every test here
skips with that reason.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from flask import Flask

from timebank import Timebank
from webapi import create_app

CHROMIUM = os.environ.get("TIMEBANK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

if not Path(CHROMIUM).exists():
    pytest.skip(f"browser tests need Chromium at {CHROMIUM} "
                "(apt-get install chromium fonts-noto-cjk)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="browser tests need the playwright package (dev extra)")

COMMUNITY = "sjhy"


@attrs.frozen
class Site:
    """The served app: its base URL, the bank behind it and a key of each role."""

    url: str
    bank: Timebank
    keys: dict[str, str]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (its own storage) at 1366×768, Chinese by default."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def seed(bank: Timebank) -> dict[str, str]:
    """A community with three residents (by card, phone and code), two gifts and an
    open service day; a key of each role."""
    bank.communities.create(COMMUNITY, "世纪花园社区")
    bank.members.add(COMMUNITY, "R-001", "张三明", card="CARD-001")
    bank.members.add(COMMUNITY, "R-002", "李四", phone="13800000002")
    bank.members.add(COMMUNITY, "R-003", "王")
    for n, (member, points) in enumerate([("R-001", 50), ("R-002", 30), ("R-003", 20)]):
        bank.ledger.award(COMMUNITY, member, points, key=f"seed-{n}", reason="扫雪")
    bank.gifts.create(COMMUNITY, "rice", name="大米", name_en="Rice", cost=10, stock=20,
                      limit_per_member=2)
    bank.gifts.create(COMMUNITY, "soap", name="肥皂", name_en="Soap", cost=5, stock=20)
    bank.service_days.open(COMMUNITY, "SD-1", name="三月服务日", day="2026-03-14")
    return {role: bank.keys.create(role, community=COMMUNITY,
                                   member="R-001" if role == "member" else None).token
            for role in ("admin", "clerk", "kiosk", "member")}


@contextlib.contextmanager
def serve(app: Flask) -> Iterator[str]:
    """``app`` on 127.0.0.1 at a free port, in a thread, until the context closes."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            """No access log on the console."""

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture
def site(tb: Timebank) -> Iterator[Site]:
    """The seeded bank served over HTTP, on each engine in turn."""
    keys = seed(tb)
    with serve(create_app(timebank=tb)) as url:
        yield Site(url, tb, keys)
