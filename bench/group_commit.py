"""Group commit on and off (issue 17, item 3): ``timebank serve`` on 127.0.0.1 with 16
clients on one community, each posting adjustments (one entry each, a key each), once
with ``--group-commit`` and once with ``--no-group-commit``, alternating for ``ROUNDS``
rounds in one run; the median round of each is reported (req/s, p50, p99).

The "library" column is group commit on, the "raw" column off: a ratio above 1 in
req/s (below 1 in latency) is a win. ``python -m bench.group_commit`` runs it alone on
both engines and prints the figures with the commit and the machine load.
"""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import threading
import time
from typing import Any

from bench.common import figure, percentile, serving
from timebank import Timebank

CLIENTS = 16
COMMUNITY = "bench"
MEMBERS = 64
ROUNDS = 3


def _prepare(url: str) -> str:
    bank = Timebank(url)
    bank.init()
    bank.communities.create(COMMUNITY, "压测社区")
    for i in range(MEMBERS):
        bank.members.add(COMMUNITY, f"m{i}", f"居民{i}")
    token = bank.keys.create("admin", community=COMMUNITY).token
    bank.close()
    return token


def _round(url: str, token: str, on: bool, total: int, tag: str,
           workers: int | None) -> dict[str, float]:
    latencies: list[float] = []
    failures: list[int] = []
    per = total // CLIENTS
    with serving(url, "--group-commit" if on else "--no-group-commit",
                 *(["--workers", str(workers)] if workers else [])) as port:
        def client(t: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            for i in range(per):
                body = json.dumps({"member": f"m{(t * 11 + i) % MEMBERS}", "amount": 1,
                                   "reason": "bench"})
                start = time.perf_counter()
                conn.request("POST", "/api/v1/adjustments", body=body, headers={
                    "Authorization": f"Bearer {token}", "Content-Type": "application/json",
                    "Idempotency-Key": f"{tag}-{t}-{i}"})
                response = conn.getresponse()
                response.read()
                latencies.append(time.perf_counter() - start)
                if response.status != 201:
                    failures.append(response.status)

        threads = [threading.Thread(target=client, args=(t,)) for t in range(CLIENTS)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{len(failures)} adjustments failed: {failures[:5]}")
    return {"rate": per * CLIENTS / seconds, "p50": 1000 * percentile(latencies, 0.50),
            "p99": 1000 * percentile(latencies, 0.99)}


def measure(url: str, scale: float, workers: int | None = None
            ) -> dict[str, list[dict[str, float]]]:
    """``ROUNDS`` rounds each way; ``workers``: serve's default (1 on SQLite, else the
    cores up to 4) unless given."""
    total = max(CLIENTS * 20, int(2000 * scale)) // CLIENTS * CLIENTS
    token = _prepare(url)
    rounds: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
    for r in range(ROUNDS):
        for mode in (("off", "on") if r % 2 == 0 else ("on", "off")):
            rounds[mode].append(_round(url, token, mode == "on", total, f"{mode}{r}",
                                       workers))
    return rounds


def _median(rounds: list[dict[str, float]], name: str) -> float:
    return float(statistics.median(r[name] for r in rounds))


def run(url: str, scale: float) -> list[dict[str, Any]]:
    rounds = measure(url, scale)
    on, off = rounds["on"], rounds["off"]
    return [
        figure("group commit on vs off: adjustments/s (16 clients, one community)",
               _median(on, "rate"), _median(off, "rate"), "req/s", "≥ 1.0 to be the default"),
        figure("group commit on vs off: p50 latency", _median(on, "p50"),
               _median(off, "p50"), "ms", "(info)"),
        figure("group commit on vs off: p99 latency", _median(on, "p99"),
               _median(off, "p99"), "ms", "≤ 1.0 to be the default"),
    ]


def main() -> None:
    import argparse

    from bench.common import engines, fresh_database

    parser = argparse.ArgumentParser(prog="python -m bench.group_commit")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default=None)
    args = parser.parse_args()
    scale = args.scale
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain"], capture_output=True,
                                text=True).stdout.strip())
    for engine in [args.engine] if args.engine else engines():
        with open("/proc/loadavg") as f:
            load_before = f.read().strip()
        with fresh_database(engine) as url:
            rounds = measure(url, scale, args.workers)
        with open("/proc/loadavg") as f:
            load_after = f.read().strip()
        print(json.dumps({
            "engine": engine, "commit": commit + (" with uncommitted work" if dirty else ""),
            "loadavg_before": load_before, "loadavg_after": load_after, "scale": scale,
            "workers": args.workers or "serve's default",
            **{mode: {name: round(_median(rs, name), 1) for name in ("rate", "p50", "p99")}
               for mode, rs in rounds.items()},
            "rounds": rounds}, indent=None))


if __name__ == "__main__":
    main()
