"""Latency under the mixed load (issue 10, item 8): ``timebank serve --workers 4`` on
127.0.0.1, 32 clients on two communities (16 each), each doing a mix of writes and reads:
adjustments, redemptions (held, then fulfilled), contributions recorded by a clerk and
approved by an admin, transfers, reversals of adjustments, balance and statement reads.

Reported: throughput, p50 and p99 latency, the 5xx count (goal 0) and the number of
write transactions the server retried (deadlocks and serialization failures, from the
workers' log). The p99 is set against the figure the attack run measured before the
fixes (1.57 s on SQLite, 7.3 s on PostgreSQL); the speed issue carries the latency goal.
"""

from __future__ import annotations

import http.client
import json
import random
import tempfile
import threading
import time
from collections import Counter
from typing import Any

from bench.common import figure, free_port, percentile, serve, stop
from timebank import Timebank

CLIENTS = 32
WORKERS = 4
COMMUNITIES = ("east", "west")
MEMBERS = 48  # per community
BEFORE_P99_MS = {"sqlite": 1570.0, "postgresql": 7300.0}
RETRY_LINE = "write retried"  # what timebank.store logs for each retried transaction


def _prepare(url: str) -> dict[str, dict[str, str]]:
    """Two communities with members, points and a gift; their admin and clerk keys."""
    bank = Timebank(url)
    bank.init()
    tokens: dict[str, dict[str, str]] = {}
    for code in COMMUNITIES:
        bank.communities.create(code, f"{code} 社区", rulebook="red_vest")
        for i in range(MEMBERS):
            bank.members.add(code, f"m{i}", f"居民{i}")
            bank.ledger.award(code, f"m{i}", 10_000, key=f"seed-{i}", reason="bench")
        bank.gifts.create(code, "soap", name="肥皂", cost=1, stock=10**9)
        tokens[code] = {role: bank.keys.create(role, community=code).token
                        for role in ("admin", "clerk")}
    bank.close()
    return tokens


class Client:
    """One of the 32: a connection, a community, and a few things to finish later (a
    held redemption to fulfil, a contribution to approve, an adjustment to reverse)."""

    def __init__(self, n: int, port: int, tokens: dict[str, dict[str, str]]) -> None:
        self.n, self.port = n, port
        self.community = COMMUNITIES[n % 2]
        self.tokens = tokens[self.community]
        self.random = random.Random(n)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.held: list[str] = []
        self.pending: list[str] = []
        self.adjusted: list[str] = []
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.kinds: Counter[str] = Counter()

    def call(self, kind: str, method: str, path: str, role: str = "clerk",
             body: dict[str, Any] | None = None, key: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.tokens[role]}",
                   "Content-Type": "application/json"}
        if key is not None:
            headers["Idempotency-Key"] = key
        start = time.perf_counter()
        self.conn.request(method, "/api/v1" + path, headers=headers,
                          body=None if body is None else json.dumps(body))
        response = self.conn.getresponse()
        data = response.read()
        self.latencies.append(time.perf_counter() - start)
        self.statuses[response.status] += 1
        self.kinds[f"{kind} {response.status}"] += 1
        if response.will_close:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            found = json.loads(data) if data else {}
        except ValueError:
            return {}
        return found if isinstance(found, dict) and response.status < 300 else {}

    def member(self) -> str:
        return f"m{self.random.randrange(MEMBERS)}"

    def step(self, i: int) -> None:
        key = f"c{self.n}-{i}"
        choice = i % 10
        if choice == 0:
            made = self.call("adjust", "POST", "/adjustments", "admin", {
                "member": self.member(), "amount": 3, "reason": "bench"}, key)
            if "entry_id" in made:
                self.adjusted.append(str(made["entry_id"]))
        elif choice == 1 and self.adjusted:
            self.call("reverse", "POST", f"/entries/{self.adjusted.pop()}/reverse", "admin",
                      {"reason": "bench"}, key)
        elif choice in (1, 2):
            made = self.call("redeem", "POST", "/redemptions", "clerk", {
                "member": self.member(), "items": [{"gift": "soap", "quantity": 1}],
                "hold": self.random.random() < 0.5}, key)
            if made.get("status") == "held":
                self.held.append(str(made["id"]))
        elif choice == 3 and self.held:
            self.call("fulfil", "POST", f"/redemptions/{self.held.pop()}/fulfil", "clerk",
                      {}, key)
        elif choice in (3, 4):
            made = self.call("record", "POST", "/contributions", "clerk", {
                "member": self.member(), "rule": "errand", "quantity": 1,
                "occurred_on": time.strftime("%Y-%m-%d")}, key)
            if made.get("status") == "pending":
                self.pending.append(str(made["id"]))
        elif choice == 5 and self.pending:
            self.call("approve", "POST", f"/contributions/{self.pending.pop()}/approve",
                      "admin", {}, key)
        elif choice in (5, 6):
            a, b = self.member(), self.member()
            self.call("transfer", "POST", "/transfers", "clerk", {
                "from": a, "to": b if b != a else "m0" if a != "m0" else "m1",
                "amount": 1, "unit": "points", "reason": "bench"}, key)
        elif choice in (7, 8):
            self.call("balance", "GET", f"/members/{self.member()}/balance")
        else:
            self.call("statement", "GET", f"/members/{self.member()}/statement")


def run(url: str, scale: float) -> list[dict[str, Any]]:
    per_client = max(20, int(300 * scale))
    tokens = _prepare(url)
    engine = "postgresql" if url.startswith("postgresql") else "sqlite"
    port = free_port()
    with tempfile.TemporaryFile() as log:
        server = serve(url, port, "--workers", str(WORKERS), log=log)
        clients = [Client(n, port, tokens) for n in range(CLIENTS)]
        errors: list[BaseException] = []

        def drive(client: Client) -> None:
            try:
                for i in range(per_client):
                    client.step(i)
            except BaseException as exc:  # reported below, with the figures kept
                errors.append(exc)

        threads = [threading.Thread(target=drive, args=(c,)) for c in clients]
        start = time.perf_counter()
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - start
        finally:
            stop(server)
        log.seek(0)
        logged = log.read().decode("utf-8", "replace")
    if errors:
        raise RuntimeError(f"{len(errors)} clients failed: {errors[0]!r}")
    latencies = [t for c in clients for t in c.latencies]
    statuses: Counter[int] = sum((c.statuses for c in clients), Counter())
    kinds: Counter[str] = sum((c.kinds for c in clients), Counter())
    fivexx = sum(n for status, n in statuses.items() if status >= 500)
    retries = logged.count(RETRY_LINE)
    print(f"mixed on {engine}: {len(latencies)} requests in {seconds:.1f} s; "
          f"statuses {dict(sorted(statuses.items()))}; {retries} retries")
    print("  " + ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items())))
    p50, p99 = (1000 * percentile(latencies, q) for q in (0.50, 0.99))
    before = BEFORE_P99_MS[engine]
    return [
        figure(f"mixed req/s ({CLIENTS} clients, {WORKERS} workers)",
               len(latencies) / seconds, 1.0, "req/s", "(info)"),
        figure(f"mixed p99 latency vs before the fixes ({before:.0f} ms)", p99, before,
               "ms", "(info; the speed issue sets the goal)"),
        figure(f"mixed p50 latency vs before the fixes' p99 ({before:.0f} ms)", p50, before,
               "ms", "(info)"),
        figure("mixed 5xx answers", fivexx, 1.0, "answers", "= 0", ratio=float(fivexx)),
        figure("mixed write transactions retried", retries, 1.0, "retries", "(info)",
               ratio=float(retries)),
    ]
