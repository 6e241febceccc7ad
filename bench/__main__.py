"""``make bench``: run every benchmark on SQLite (and PostgreSQL when
``TIMEBANK_TEST_POSTGRES_URL`` is set), print each figure next to the raw-storage limit
measured in the same run, and write ``bench/results.json``, with the time each bench took
on each engine and the whole run's (the default run must fit in 45 minutes on the
2-core machine: issue 17)."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.common import engines, fresh_database

BENCHES = ["ledger", "contributions", "approvals", "redemptions", "exchange", "http", "reports",
           "desk", "mixed"]
OUT = Path(__file__).with_name("results.json")
FIGURE_FILES = ("bench/results.json", "bench/district.json", "bench/peers.json")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", nargs="*", default=None, help="bench module names")
    parser.add_argument("--scale", type=float,
                        default=float(os.environ.get("TIMEBANK_BENCH_SCALE", "1.0")),
                        help="fraction of the issue's full sizes (default 1.0)")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument("--out", type=Path, default=OUT,
                        help="where the figures go (default bench/results.json)")
    args = parser.parse_args()
    out: Path = args.out
    console = Console(width=max(Console().width, 150))
    machine = (f"{platform.machine()} {os.cpu_count()} cpus, "
               f"Python {platform.python_version()}")
    results = _load(out)
    commit = _commit()
    failed = False
    started = time.perf_counter()
    elapsed: dict[str, float] = {}
    for name in args.only or BENCHES:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.{name}":
                raise
            console.print(f"[yellow]bench {name}: not written yet[/]")
            continue
        for engine in [args.engine] if args.engine else engines():
            console.print(f"[bold]{name}[/] on {engine} (scale {args.scale}) ...")
            began = time.perf_counter()
            try:
                with fresh_database(engine) as url:
                    figures = module.run(url, args.scale)
            except Exception:
                failed = True
                console.print(f"[red]bench {name} on {engine} failed[/]")
                traceback.print_exc()
                continue
            finally:
                elapsed[f"{name} on {engine}"] = time.perf_counter() - began
            console.print(f"  {name} on {engine}: {elapsed[f'{name} on {engine}']:.0f} s")
            when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            _replace(results, name, engine, [
                {"bench": name, "engine": engine, **fig, "scale": args.scale, "when": when,
                 "machine": machine, "commit": commit} for fig in figures])
            out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    table = Table(title="timebank benchmarks (all figures in bench/results.json)")
    for col in ("bench", "engine", "figure", "scale", "library", "raw limit", "unit",
                "ratio", "goal", "commit"):
        table.add_column(col)
    for f in results["figures"]:
        table.add_row(str(f["bench"]), str(f["engine"]), str(f["name"]), str(f["scale"]),
                      f"{f['library']:,}", f"{f['raw']:,}", str(f["unit"]),
                      f"{f['ratio']:.3f}", str(f["goal"]), str(f.get("commit", "?")))
    console.print(table)
    total = time.perf_counter() - started
    # a run of some benches (--only) keeps the whole run's times beside its own
    results["elapsed_only" if args.only else "elapsed"] = _elapsed(elapsed, total,
                                                                   args.scale, commit)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    times = Table(title=f"elapsed (scale {args.scale}, commit {commit})")
    times.add_column("bench")
    times.add_column("seconds", justify="right")
    for what, seconds in elapsed.items():
        times.add_row(what, f"{seconds:,.0f}")
    times.add_row("whole run", f"{total:,.0f}")
    console.print(times)
    console.print(f"written to {out}")
    return 1 if failed else 0


def _commit() -> str:
    """The commit the figures are measured on; ``+changes`` when the tree differs from it,
    so a figure is never credited to a commit that did not hold the code measured."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True,
                              cwd=Path(__file__).parent)
        return done.stdout.strip() if done.returncode == 0 else ""
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = [line for line in git("status", "--porcelain", "--untracked-files=no")
               .splitlines() if not line.endswith(FIGURE_FILES)]  # the figures are no code
    return head + ("+changes" if changed else "")


def _elapsed(elapsed: dict[str, float], total: float, scale: float, commit: str
             ) -> dict[str, object]:
    """The last run's times: each bench on each engine and the whole run, in seconds."""
    return {"benches": {k: round(v, 1) for k, v in elapsed.items()},
            "total": round(total, 1), "scale": scale, "commit": commit,
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "load": _loadavg()}


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return ""


def _load(out: Path) -> dict[str, Any]:
    """The figures written so far: each run replaces those of the benches it runs and
    keeps the others, so a slow benchmark can be run on its own without losing the
    rest."""
    try:
        return {"figures": list(json.loads(out.read_text())["figures"])}
    except (OSError, ValueError, KeyError, TypeError):
        return {"figures": []}


def _replace(results: dict[str, Any], bench: str, engine: str,
             figures: list[dict[str, Any]]) -> None:
    """``bench`` on ``engine`` ran: its figures replace all of its earlier ones, so a
    figure it no longer makes (a name that carried another scale) does not linger."""
    results["figures"] = [f for f in results["figures"]
                          if (f["bench"], f["engine"]) != (bench, engine)] + figures


if __name__ == "__main__":
    sys.exit(main())
