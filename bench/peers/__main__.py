"""``make bench-peers``: timebank against django-hordak and plain psycopg on PostgreSQL.

Not part of ``make bench`` nor of the test suite. It creates ``.venv-peers`` (git-ignored)
and installs django-hordak 2.x with Django and psycopg there from PyPI; no code of theirs
is in the repository. On the PostgreSQL of ``TIMEBANK_TEST_POSTGRES_URL`` (else the local
test server) it creates two fresh databases of its own (timebank's tables, which plain
psycopg writes too, and hordak's), dropped at the end, and times in one run, each round
every system in turn, the median of ``--rounds`` rounds:

* a two-leg transfer, one per transaction;
* 4 processes transferring at once in one community, and over 4 communities;
* bulk: 10,000 entries in one transaction;
* a balance read of an account with ``--legs`` legs (1,000,000 by default).

pgledger is not run: no copy of its SQL is on this machine (it is optional in the issue).
Writes ``bench/peers.json`` (naming the commit) and prints the table with ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from bench.__main__ import _commit
from bench.peers import timebank_side as tbs

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-peers"
OUT = ROOT / "bench" / "peers.json"
HORDAK = Path(__file__).with_name("hordak_side.py")
REQUIREMENTS = ["django-hordak>=2,<3", "psycopg[binary]>=3.1"]
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SYSTEMS = ("timebank", "django-hordak", "plain psycopg")


def ensure_venv(console: Console) -> Path:
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    if stamp.exists() and stamp.read_text() == json.dumps(REQUIREMENTS):
        return python
    console.print(f"installing {', '.join(REQUIREMENTS)} into {VENV} ...")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *REQUIREMENTS],
                   check=True)
    stamp.write_text(json.dumps(REQUIREMENTS))
    return python


class Databases:
    """Two fresh databases on the server, dropped on exit."""

    def __init__(self, admin_url: str) -> None:
        self.admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        tag = uuid.uuid4().hex[:8]
        self.names = {"timebank": f"peers_{tag}_tb", "hordak": f"peers_{tag}_hk"}
        self.base = sa.make_url(admin_url)

    def __enter__(self) -> Databases:
        with self.admin.connect() as conn:
            for name in self.names.values():
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        return self

    def __exit__(self, *exc: object) -> None:
        with self.admin.connect() as conn:
            for name in self.names.values():
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()

    def url(self, which: str) -> str:
        return self.base.set(database=self.names[which]).render_as_string(hide_password=False)

    def hordak_dsn(self) -> str:
        return json.dumps({"db": self.names["hordak"], "user": self.base.username or "postgres",
                           "host": self.base.host or "127.0.0.1",
                           "port": self.base.port or 5432})


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--single", type=int, default=1000,
                        help="transfers per round, one per transaction")
    parser.add_argument("--concurrent", type=int, default=400,
                        help="transfers per process per round (4 processes)")
    parser.add_argument("--bulk", type=int, default=10_000, help="entries in one transaction")
    parser.add_argument("--legs", type=int, default=1_000_000,
                        help="legs on the account whose balance is read (scale down if slow)")
    parser.add_argument("--reads", type=int, default=2000,
                        help="balance reads per round (hordak: --hordak-reads)")
    parser.add_argument("--hordak-reads", type=int, default=5)
    parser.add_argument("--url", default=os.environ.get("TIMEBANK_TEST_POSTGRES_URL",
                                                        DEFAULT_PG))
    args = parser.parse_args()
    # A terminated run still drops its databases (the ``with`` below exits).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    console = Console(width=max(Console().width, 140))
    python = ensure_venv(console)
    commit = _commit()
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    with Databases(args.url) as dbs:
        url = dbs.url("timebank")
        dsn = dbs.hordak_dsn()

        def hordak(*op: str) -> dict[str, Any]:
            done = subprocess.run([str(python), str(HORDAK), dsn, *op], capture_output=True,
                                  text=True, cwd=ROOT)
            if done.returncode != 0:
                raise RuntimeError(f"hordak {op}: {done.stderr[-2000:]}")
            return dict(json.loads(done.stdout.strip().splitlines()[-1]))

        console.print("setting up (timebank's communities, hordak's accounts) ...")
        tbs.setup(url)
        hordak("setup")
        console.print(f"seeding {args.legs:,} legs on the read account of each ...")
        seeded = {"timebank and plain psycopg": tbs.seed_read(url, args.legs),
                  "django-hordak": hordak("seed", str(args.legs))["seconds"]}

        def rate(n: int, seconds: float) -> float:
            return n / seconds

        ops: list[tuple[str, str, dict[str, Callable[[str], float]]]] = [
            ("single transfer, one per transaction", "transfers/s", {
                "timebank": lambda t: rate(args.single, tbs.tb_single(url, args.single, t)),
                "django-hordak": lambda t: _rate(hordak("single", str(args.single), t)),
                "plain psycopg": lambda t: rate(args.single, tbs.ps_single(url, args.single,
                                                                           t)),
            }),
            ("4 processes transferring at once (one community)", "transfers/s", {
                "timebank": lambda t: rate(4 * args.concurrent, tbs.concurrent(
                    "tb", url, "one", 4, args.concurrent, t)),
                "django-hordak": lambda t: _rate(hordak("concurrent", "one", "4",
                                                        str(args.concurrent), t)),
                "plain psycopg": lambda t: rate(4 * args.concurrent, tbs.concurrent(
                    "ps", url, "one", 4, args.concurrent, t)),
            }),
            ("4 processes transferring at once (4 communities)", "transfers/s", {
                "timebank": lambda t: rate(4 * args.concurrent, tbs.concurrent(
                    "tb", url, "four", 4, args.concurrent, t)),
                "django-hordak": lambda t: _rate(hordak("concurrent", "four", "4",
                                                        str(args.concurrent), t)),
                "plain psycopg": lambda t: rate(4 * args.concurrent, tbs.concurrent(
                    "ps", url, "four", 4, args.concurrent, t)),
            }),
            (f"bulk, {args.bulk:,} entries in one transaction", "entries/s", {
                "timebank": lambda t: rate(args.bulk, tbs.tb_bulk(url, args.bulk, t)),
                "django-hordak": lambda t: _rate(hordak("bulk", str(args.bulk), t)),
                "plain psycopg": lambda t: rate(args.bulk, tbs.ps_bulk(url, args.bulk, t)),
            }),
            (f"balance read, account with {args.legs:,} legs", "ms", {
                "timebank": lambda t: 1000 * tbs.tb_read(url, args.reads) / args.reads,
                "django-hordak": lambda t: 1000 * _per(hordak("read",
                                                              str(args.hordak_reads))),
                "plain psycopg": lambda t: 1000 * tbs.ps_read(url, args.reads) / args.reads,
            }),
        ]
        measured: dict[str, dict[str, list[float]]] = {
            name: {s: [] for s in SYSTEMS} for name, _, _ in ops}
        for r in range(args.rounds):
            for name, _, runs in ops:
                for system in SYSTEMS:
                    value = runs[system](f"r{r}")
                    measured[name][system].append(value)
                    console.print(f"round {r + 1}: {name}: {system} {value:,.3f}")

    figures = []
    for name, unit, _ in ops:
        medians = {s: statistics.median(v) for s, v in measured[name].items()}
        ratios = {s: (medians["timebank"] / medians[s]) for s in SYSTEMS if s != "timebank"}
        figures.append({"name": name, "unit": unit,
                        "median": {s: round(v, 3) for s, v in medians.items()},
                        "rounds": {s: [round(x, 3) for x in v]
                                   for s, v in measured[name].items()},
                        "timebank_over": {s: round(v, 3) for s, v in ratios.items()}})
    result = {
        "when": started, "commit": commit,
        "machine": f"{platform.machine()} {os.cpu_count()} cpus, "
                   f"Python {platform.python_version()}",
        "server": _server_version(args.url), "rounds": args.rounds,
        "sizes": {"single": args.single, "concurrent_per_process": args.concurrent,
                  "bulk": args.bulk, "legs": args.legs, "reads": args.reads,
                  "hordak_reads": args.hordak_reads},
        "seed_seconds": {k: round(v, 1) for k, v in seeded.items()},
        "peers": {"django-hordak": _hordak_version(python),
                  "pgledger": "not run: no copy of its SQL on this machine"},
        "figures": figures,
    }
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    _print(console, result)
    return 0


def _rate(found: dict[str, Any]) -> float:
    return float(found["count"]) / float(found["seconds"])


def _per(found: dict[str, Any]) -> float:
    return float(found["seconds"]) / float(found["count"])


def _server_version(url: str) -> str:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.exec_driver_sql("SHOW server_version").scalar())
    finally:
        engine.dispose()


def _hordak_version(python: Path) -> str:
    done = subprocess.run([str(python), "-m", "pip", "list", "--format", "json"],
                          capture_output=True, text=True)
    found = {p["name"].lower(): p["version"] for p in json.loads(done.stdout or "[]")}
    return f"django-hordak {found.get('django-hordak', '?')}, Django {found.get('django', '?')}"


def _print(console: Console, result: dict[str, Any]) -> None:
    table = Table(title=f"timebank and its peers on PostgreSQL {result['server']} "
                        f"(median of {result['rounds']}, commit {result['commit']})")
    for col in ("operation", "unit", *SYSTEMS, "timebank ÷ hordak", "timebank ÷ psycopg"):
        table.add_column(col)
    for f in result["figures"]:
        med = f["median"]
        table.add_row(f["name"], f["unit"], *(f"{med[s]:,.3f}" for s in SYSTEMS),
                      f"{f['timebank_over']['django-hordak']:.3f}",
                      f"{f['timebank_over']['plain psycopg']:.3f}")
    console.print(table)
    console.print("rates: higher is better, ratio > 1 means timebank is faster; "
                  "read times (ms): lower is better, ratio < 1 means timebank is faster. "
                  f"{result['peers']['pgledger']}. Written to {OUT}")


if __name__ == "__main__":
    sys.exit(main())
