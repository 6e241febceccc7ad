"""The desk's redeem round trip through a real browser: from the clerk pressing the
button to the receipt on screen (key made, queued in localStorage, POST /redemptions,
receipt drawn, balance and gifts read again), with the app served on loopback from a
thread. Goal: p99 under 300 ms on SQLite. Needs Debian's Chromium at /usr/bin/chromium
and the ``playwright`` package; skipped with a message without them."""

from __future__ import annotations

import os
import statistics
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import figure, percentile
from timebank import Timebank

CHROMIUM = os.environ.get("TIMEBANK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
GOAL_MS = 300.0
COMMUNITY = "bench"


def _seed(bank: Timebank) -> str:
    bank.communities.create(COMMUNITY, "压测社区")
    bank.members.add(COMMUNITY, "R-1", "张三明", card="CARD-1")
    bank.ledger.award(COMMUNITY, "R-1", 10**9, key="seed", reason="bench")
    bank.gifts.create(COMMUNITY, "soap", name="肥皂", cost=1, stock=10**9)
    bank.service_days.open(COMMUNITY, "SD", name="压测服务日", day=date(2026, 3, 14))
    return bank.keys.create("clerk", community=COMMUNITY).token



def run(url: str, scale: float) -> list[dict[str, Any]]:
    if not Path(CHROMIUM).exists():
        print(f"bench desk skipped: no Chromium at {CHROMIUM} "
              "(apt-get install chromium fonts-noto-cjk)")
        return []
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("bench desk skipped: the playwright package is not installed")
        return []
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            """No access log on the console."""

    from webapi import create_app

    bank = Timebank(url)
    bank.init()
    token = _seed(bank)
    server = make_server("127.0.0.1", 0, create_app(timebank=bank), threaded=True,
                         request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rounds = max(20, int(200 * scale))
    times: list[float] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"http://127.0.0.1:{server.server_port}/desk/")
            page.fill("#key", token)
            page.press("#key", "Enter")
            page.wait_for_selector("#day-select option[value='SD']", state="attached")
            page.click("#day-pick button")
            page.fill("#lookup", "CARD-1")
            page.press("#lookup", "Enter")
            page.wait_for_selector("button[data-add='soap']")
            for i in range(rounds + 3):  # the first three warm up
                page.click("button[data-add='soap']")
                before = page.text_content("#r-code") or ""
                start = time.perf_counter()
                page.click("#redeem")
                page.wait_for_function(
                    "b => { const r = document.getElementById('r-code');"
                    " return !r.closest('[hidden]') && r.textContent && r.textContent !== b; }",
                    arg=before, polling="raf")
                if i >= 3:
                    times.append((time.perf_counter() - start) * 1000)
                page.wait_for_selector("button[data-add='soap']:not([disabled])")
            browser.close()
    finally:
        server.shutdown()
        thread.join()
        bank.close()
    p50 = statistics.median(times)
    p99 = percentile(times, 0.99)
    return [figure(f"desk redeem round trip p99 ({rounds} in a browser) vs 300 ms", p99,
                   GOAL_MS, "ms", "≤ 1.0"),
            figure(f"desk redeem round trip p50 ({rounds} in a browser) vs 300 ms", p50,
                   GOAL_MS, "ms", "(info)")]
