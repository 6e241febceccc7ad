"""Redemptions through the HTTP API (``timebank serve``: real gunicorn on 127.0.0.1) with
16 concurrent clients, next to the library's own rate with the same 16 threads in the
same run. Goal: HTTP ≥ 0.3 of the library's rate, p99 under 50 ms.

Here the "raw" column is the library-only rate: the HTTP layer is measured against the
library it wraps (the library itself is measured against raw SQL in ``bench/redemptions``).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from bench.common import figure, percentile, serving
from timebank import Timebank

CLIENTS = 16
COMMUNITY = "bench"


def _prepare(url: str, members: int, points: int) -> tuple[Timebank, str]:
    bank = Timebank(url)
    bank.init()
    bank.communities.create(COMMUNITY, "压测社区")
    for i in range(members):
        bank.members.add(COMMUNITY, f"m{i}", f"居民{i}")
        bank.ledger.award(COMMUNITY, f"m{i}", points, key=f"seed-{i}", reason="bench")
    bank.gifts.create(COMMUNITY, "soap", name="肥皂", cost=1, stock=10**9)
    return bank, bank.keys.create("clerk", community=COMMUNITY).token


def _run_threads(total: int, work: Callable[[int, int], None]) -> float:
    """``work(thread, i)`` for ``total`` calls spread over CLIENTS threads; seconds."""
    per = total // CLIENTS
    errors: list[BaseException] = []

    def calls(t: int) -> None:
        try:
            for i in range(per):
                work(t, i)
        except BaseException as exc:  # a client that died fails the bench, not its rate
            errors.append(exc)

    threads = [threading.Thread(target=calls, args=(t,)) for t in range(CLIENTS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} of {CLIENTS} clients failed: {errors[0]!r}")
    return time.perf_counter() - start


def run(url: str, scale: float) -> list[dict[str, Any]]:
    total = max(CLIENTS * 10, int(4000 * scale)) // CLIENTS * CLIENTS
    members = 64
    bank, token = _prepare(url, members, points=2 * total)

    def library(t: int, i: int) -> None:
        bank.redemptions.redeem(COMMUNITY, f"m{(t * 7 + i) % members}",
                                [{"gift": "soap", "quantity": 1}], key=f"lib-{t}-{i}")

    library_rate = total / _run_threads(total, library)
    bank.close()

    latencies: list[float] = []
    failures: list[int] = []
    with serving(url, within=30) as port:
        local = threading.local()

        def over_http(t: int, i: int) -> None:
            if not hasattr(local, "conn"):
                local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            body = json.dumps({"member": f"m{(t * 11 + i) % members}",
                               "items": [{"gift": "soap", "quantity": 1}]})
            start = time.perf_counter()
            local.conn.request("POST", "/api/v1/redemptions", body=body, headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json",
                "Idempotency-Key": f"http-{t}-{i}"})
            response = local.conn.getresponse()
            response.read()
            latencies.append(time.perf_counter() - start)
            if response.status != 201:
                failures.append(response.status)

        http_rate = total / _run_threads(total, over_http)
    if failures:
        raise RuntimeError(f"{len(failures)} HTTP redemptions failed: {failures[:5]}")
    p50, p99 = (1000 * percentile(latencies, q) for q in (0.50, 0.99))
    return [
        figure("http redemptions/s vs library (16 clients)", http_rate, library_rate,
               "req/s", "≥ 0.3"),
        figure("http p99 latency (16 clients) vs 50 ms", p99, 50.0, "ms", "≤ 1.0"),
        figure("http p50 latency (16 clients) vs 50 ms", p50, 50.0, "ms", "(info)"),
    ]
