"""``make bench-district`` (issue 16; not part of ``make bench``): a district on one
PostgreSQL install.

At full size (``--scale 1``): 200 communities in one district, 500,000 members and
10,000,000 ledger entries. Members are written by plain bulk inserts (not measured); the
entries are contributions loaded by the library's bulk path (``contributions.record_many``:
contribution, award entry with its postings, running totals and idempotency key per row,
one transaction per chunk), their rate set against raw ``COPY`` of the same rows
(entries, two postings each, contributions, idempotency keys) into a scratch community.
Then ``timebank serve --workers 4`` and 32 HTTP clients spread over the communities doing
(after 5 s of warm-up, not counted) a mix of redemptions (some by members of a partner
community, ``A:CODE``), contributions and balance reads for ``--seconds`` (60):
throughput, p50 and p99 (goal p99 under 50 ms); and the district monthly report (goal
under 2 s), best of three.

``--scale`` sizes members and entries (communities stay 200 unless ``--communities``).
Figures, the scale, the machine's size and load and the commit go to
``bench/district.json``, one run per scale (a run replaces the one at its scale).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bench.__main__ import _commit
from bench.common import (
    PG_URL,
    free_port,
    fresh_database,
    percentile,
    raw_connection,
    serve,
    sql,
    timed,
)
from bench.mixed import WORKERS
from timebank import Timebank
from timebank.domain.contributions import ContributionInput
from timebank.domain.rulebook import rule

OUT = Path(__file__).with_name("district.json")
CLIENTS = 32
RULES = ("clean", "patrol", "study", "errand")
MONTH = "2024-03"
CHUNK = 20_000  # contributions per record_many transaction
DISTRICT = "jd"
WARMUP = 5.0  # seconds of load before the measured window


# -- loading ------------------------------------------------------------------------------


def _community(tb: Timebank, code: str) -> None:
    tb.communities.create(code, f"{code}社区")
    for rate, name in enumerate(RULES, start=1):
        tb.rules.put(code, name, rule(code=name, name_zh=name, name_en=name,
                                      basis="per_occurrence", rate=rate),
                     effective_from=date(2020, 1, 1))
    tb.gifts.create(code, "soap", name="肥皂", cost=1, stock=10**9)


def _members(url: str, codes: list[str], per: int) -> None:
    """``per`` members in each community, by plain bulk inserts (COPY)."""
    raw = raw_connection(url)
    try:
        cur = raw.cursor()
        cur.execute("SELECT code, id FROM communities")
        ids = dict(cur.fetchall())
        with cur.copy("COPY members (community_id, code, name, roles, tags, created_at) "
                      "FROM STDIN") as copy:
            for code in codes:
                for i in range(per):
                    copy.write_row((ids[code], f"m{i}", f"居民{code}{i}", '["resident"]',
                                    "[]", datetime(2024, 1, 1)))
        raw.commit()
    finally:
        raw.close()


def _items(members: int, start: int, count: int) -> list[ContributionInput]:
    """Contributions ``start`` … ``start + count`` of a community: spread over its members
    and the months of 2024."""
    out = []
    for i in range(start, start + count):
        month = 1 + (i // members) % 12
        out.append(ContributionInput(f"m{i % members}", RULES[i % len(RULES)], 1,
                                     date(2024, month, 1 + i % 28), key=f"load-{i}"))
    return out


def _load(tb: Timebank, codes: list[str], members: int, entries: int) -> float:
    """Every community's contributions through ``record_many``; seconds."""
    per = entries // len(codes)
    start = time.perf_counter()
    for code in codes:
        for offset in range(0, per, CHUNK):
            tb.contributions.record_many(
                code, _items(members, offset, min(CHUNK, per - offset)),
                recorded_by="bench")
    return time.perf_counter() - start


def _raw_copy(url: str, members: int, count: int) -> float:
    """The same rows by raw COPY into a scratch community: entries, two postings each,
    contributions and idempotency keys; seconds."""
    tb = Timebank(url)
    try:
        _community(tb, "rawcopy")
    finally:
        tb.close()
    _members(url, ["rawcopy"], members)
    raw = raw_connection(url)
    try:
        cur = raw.cursor()
        cur.execute("SELECT id FROM communities WHERE code = 'rawcopy'")
        cid = cur.fetchone()[0]
        cur.execute(sql(raw, "SELECT code, id FROM members WHERE community_id = ?"), (cid,))
        member_ids = dict(cur.fetchall())
        cur.execute(sql(raw, "SELECT code, id FROM rule_versions WHERE community_id = ?"),
                    (cid,))
        versions = dict(cur.fetchall())
        cur.execute(sql(raw, "SELECT id FROM accounts WHERE community_id = ? AND "
                             "system = 'issuance' AND unit = 'points'"), (cid,))
        issuance = cur.fetchone()[0]
        now = datetime(2025, 1, 1)
        start = time.perf_counter()
        with cur.copy("COPY entries (community_id, seq, kind, reason, actor, occurred_at, "
                      "recorded_at, meta, hash) FROM STDIN") as copy:
            for i in range(count):
                copy.write_row((cid, i + 1, "award", "bench", "bench",
                                datetime(2024, 1 + (i // members) % 12, 1 + i % 28), now,
                                "{}", "0" * 64))
        cur.execute(sql(raw, "SELECT id FROM entries WHERE community_id = ? ORDER BY seq"),
                    (cid,))
        ids = [r[0] for r in cur.fetchall()]
        with cur.copy("COPY postings (entry_id, account_id, amount, balance_after) "
                      "FROM STDIN") as copy:
            for entry_id in ids:
                copy.write_row((entry_id, issuance, -1, 0))
                copy.write_row((entry_id, issuance, 1, 0))
        with cur.copy("COPY contributions (community_id, member_id, rule, rule_version_id, "
                      "unit, quantity, credited, occurred_at, local_day, tags, note, status, "
                      "raw_points, points, capped, bonus, notes, recorded_by, recorded_at, "
                      "decided_at) FROM STDIN") as copy:
            for i in range(count):
                name = RULES[i % len(RULES)]
                day = date(2024, 1 + (i // members) % 12, 1 + i % 28)
                copy.write_row((cid, member_ids[f"m{i % members}"], name, versions[name],
                                "points", 1, 1, datetime(day.year, day.month, day.day),
                                day, "[]", "", "approved", 1, 1, False, 0, "[]", "bench",
                                now, now))
        with cur.copy("COPY idempotency_keys (community_id, key, request, response, "
                      "created_at) FROM STDIN") as copy:
            for i in range(count):
                copy.write_row((cid, f"raw-{i}", "{}", "{}", now))
        raw.commit()
        seconds = time.perf_counter() - start
        cur.execute("ANALYZE")
        raw.commit()
        return seconds
    finally:
        raw.close()


# -- the HTTP load ------------------------------------------------------------------------


class Client:
    """One of the 32: its own communities (n, n + 32, …), a random member each call."""

    def __init__(self, n: int, port: int, codes: list[str], tokens: dict[str, str],
                 members: int, clients: int = CLIENTS) -> None:
        self.port, self.n = port, n
        self.mine = codes[n::clients] or [codes[n % len(codes)]]
        self.codes, self.tokens, self.members = codes, tokens, members
        self.random = random.Random(n)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.latencies: list[float] = []
        self.kinds: Counter[str] = Counter()

    def call(self, kind: str, community: str, method: str, path: str,
             body: dict[str, Any] | None = None, key: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {self.tokens[community]}",
                   "Content-Type": "application/json"}
        if key is not None:
            headers["Idempotency-Key"] = key
        start = time.perf_counter()
        self.conn.request(method, "/api/v1" + path, headers=headers,
                          body=None if body is None else json.dumps(body))
        response = self.conn.getresponse()
        response.read()
        self.latencies.append(time.perf_counter() - start)
        self.kinds[f"{kind} {response.status}"] += 1
        if response.will_close:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def step(self, i: int) -> None:
        here = self.random.choice(self.mine)
        member = f"m{self.random.randrange(self.members)}"
        key = f"h{self.n}-{i}"
        roll = self.random.random()
        if roll < 0.4:
            self.call("balance", here, "GET", f"/members/{member}/balance")
        elif roll < 0.65:
            self.call("redeem", here, "POST", "/redemptions", {
                "member": member, "items": [{"gift": "soap", "quantity": 1}]}, key)
        elif roll < 0.7:
            home = self.random.choice([c for c in self.codes if c != here] or [here])
            self.call("redeem across", here, "POST", "/redemptions", {
                "member": f"{home}:{member}", "items": [{"gift": "soap", "quantity": 1}]},
                key)
        else:
            self.call("contribution", here, "POST", "/contributions", {
                "member": member, "rule": RULES[i % len(RULES)], "quantity": 1,
                "occurred_on": time.strftime("%Y-%m-%d")}, key)


def _http(url: str, codes: list[str], tokens: dict[str, str], members: int,
          seconds: float, count: int = CLIENTS) -> dict[str, Any]:
    port = free_port()
    with tempfile.TemporaryFile() as log:
        server = serve(url, port, "--workers", str(WORKERS), log=log)
        clients = [Client(n, port, codes, tokens, members, count) for n in range(count)]
        errors: list[BaseException] = []
        warm = time.monotonic() + WARMUP  # the workers' first requests are not counted
        stop = warm + seconds

        def drive(client: Client) -> None:
            i = 0
            try:
                while time.monotonic() < warm:
                    client.step(i)
                    i += 1
                client.latencies.clear()
                client.kinds.clear()
                while time.monotonic() < stop:
                    client.step(i)
                    i += 1
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=drive, args=(c,)) for c in clients]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            took = time.monotonic() - warm
        finally:
            stop(server)
    if errors:
        raise RuntimeError(f"{len(errors)} clients failed: {errors[0]!r}")
    latencies = [t for c in clients for t in c.latencies]
    kinds: Counter[str] = sum((c.kinds for c in clients), Counter())
    return {"requests": len(latencies), "seconds": round(took, 1),
            "throughput_rps": round(len(latencies) / took, 1),
            "p50_ms": round(1000 * percentile(latencies, 0.50), 1),
            "p99_ms": round(1000 * percentile(latencies, 0.99), 1),
            "answers": dict(sorted(kinds.items())),
            "5xx": sum(n for k, n in kinds.items() if int(k.rsplit(" ", 1)[1]) >= 500)}


# -- the run ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    memory = 0
    try:
        with open("/proc/meminfo") as info:
            memory = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
    except (OSError, StopIteration, ValueError):
        pass
    return {"cpus": os.cpu_count(), "memory_gb": round(memory / 2**20, 1),
            "disk_free_gb": round(shutil.disk_usage("/").free / 2**30, 1),
            "machine": platform.machine(), "python": platform.python_version(),
            "load_average_1_5_15": [round(x, 1) for x in os.getloadavg()]}


def run(url: str, scale: float, communities: int, seconds: float,
        clients: int = CLIENTS) -> dict[str, Any]:
    members = max(communities * 5, int(500_000 * scale))
    entries = max(communities * 20, int(10_000_000 * scale))
    per_members = members // communities
    codes = [f"c{i:03d}" for i in range(communities)]
    tb = Timebank(url)
    tb.init()
    try:
        def communities_made() -> None:
            for code in codes:
                _community(tb, code)
        setup = timed(communities_made)
        tb.districts.create(DISTRICT, "街道", codes, ["points"])
        _members(url, codes, per_members)
        loaded = _load(tb, codes, per_members, entries)
        raw_seconds = _raw_copy(url, per_members, entries // communities * communities)
        tokens = {code: tb.keys.create("clerk", community=code).token for code in codes}
    finally:
        tb.close()
    loaded_entries = entries // communities * communities
    load_before = os.getloadavg()
    http_figures = _http(url, codes, tokens, per_members, seconds, clients)
    http_figures["load_average_before_after"] = [round(load_before[0], 1),
                                                 round(os.getloadavg()[0], 1)]
    tb = Timebank(url)
    try:
        tb.districts.monthly(DISTRICT, MONTH)  # warm, as a worker would be
        report = min(timed(lambda: tb.districts.monthly(DISTRICT, MONTH)) for _ in range(3))
        board = min(timed(lambda: tb.districts.leaderboard(DISTRICT, MONTH)) for _ in range(3))
        shown = tb.districts.monthly(DISTRICT, MONTH)
    finally:
        tb.close()
    return {
        "scale": scale, "communities": communities, "clients": clients,
        "members": per_members * communities,
        "entries": loaded_entries,
        "setup_communities_s": round(setup, 1),
        "load": {"seconds": round(loaded, 1),
                 "entries_per_s": round(loaded_entries / loaded),
                 "raw_copy_seconds": round(raw_seconds, 1),
                 "raw_copy_entries_per_s": round(loaded_entries / raw_seconds),
                 "ratio": round(raw_seconds / loaded, 3)},
        "http": {**http_figures, "goal_p99_ms": 50},
        "district_monthly_report_s": round(report, 3),
        "district_monthly_report_goal_s": 2,
        "district_monthly_total": shown.total,
        "district_leaderboard_s": round(board, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.district")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction of 500,000 members and 10,000,000 entries")
    parser.add_argument("--communities", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="length of the HTTP load")
    parser.add_argument("--clients", type=int, default=CLIENTS,
                        help="HTTP clients (32; 1 shows the latency without queueing)")
    args = parser.parse_args()
    if not PG_URL:
        print("bench-district runs on PostgreSQL: set TIMEBANK_TEST_POSTGRES_URL",
              file=sys.stderr)
        return 2
    commit = _commit()
    with fresh_database("postgresql") as url:
        figures = run(url, args.scale, args.communities, args.seconds, args.clients)
    result = {"commit": commit, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "machine": machine(), **figures}
    OUT.write_text(json.dumps({"runs": _runs(result)}, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def _runs(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The runs written so far, one per (scale, communities, clients): this one replaces
    its own."""
    try:
        found = json.loads(OUT.read_text())
        runs = list(found["runs"]) if "runs" in found else [found]
    except (OSError, ValueError, KeyError, TypeError):
        runs = []
    def key(r: dict[str, Any]) -> tuple[float, int, int]:
        return (r.get("scale", 0), r.get("communities", 0), r.get("clients", CLIENTS))
    return sorted([r for r in runs if key(r) != key(result)] + [result], key=key)


if __name__ == "__main__":
    sys.exit(main())
