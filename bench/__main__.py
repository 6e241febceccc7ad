"""``make bench``: run every benchmark on SQLite (and PostgreSQL when
``TIMEBANK_TEST_POSTGRES_URL`` is set), print each figure next to the raw-storage limit
measured in the same run, and write ``bench/results.json``."""

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

from rich.console import Console
from rich.table import Table

from bench.common import engines, fresh_database

BENCHES = ["ledger", "contributions", "approvals", "redemptions", "exchange", "http", "reports",
           "desk", "mixed"]
OUT = Path(__file__).with_name("results.json")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", nargs="*", default=None, help="bench module names")
    parser.add_argument("--scale", type=float,
                        default=float(os.environ.get("TIMEBANK_BENCH_SCALE", "1.0")),
                        help="fraction of the issue's full sizes (default 1.0)")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default=None)
    args = parser.parse_args()
    console = Console(width=max(Console().width, 150))
    machine = (f"{platform.machine()} {os.cpu_count()} cpus, "
               f"Python {platform.python_version()}")
    results = _load()
    commit = _commit()
    failed = False
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
            try:
                with fresh_database(engine) as url:
                    figures = module.run(url, args.scale)
            except Exception:
                failed = True
                console.print(f"[red]bench {name} on {engine} failed[/]")
                traceback.print_exc()
                continue
            when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            for fig in figures:
                _put(results, {"bench": name, "engine": engine, **fig, "scale": args.scale,
                               "when": when, "machine": machine, "commit": commit})
            OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    table = Table(title="timebank benchmarks (all figures in bench/results.json)")
    for col in ("bench", "engine", "figure", "scale", "library", "raw limit", "unit",
                "ratio", "goal", "commit"):
        table.add_column(col)
    for f in results["figures"]:
        table.add_row(str(f["bench"]), str(f["engine"]), str(f["name"]), str(f["scale"]),
                      f"{f['library']:,}", f"{f['raw']:,}", str(f["unit"]),
                      f"{f['ratio']:.3f}", str(f["goal"]), str(f.get("commit", "?")))
    console.print(table)
    console.print(f"written to {OUT}")
    return 1 if failed else 0


def _commit() -> str:
    """The commit the figures are measured on; ``+changes`` when the tree differs from it,
    so a figure is never credited to a commit that did not hold the code measured."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True,
                              cwd=Path(__file__).parent)
        return done.stdout.strip() if done.returncode == 0 else ""
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def _load() -> dict[str, list[dict[str, object]]]:
    """The figures written so far: each run replaces its own and keeps the others, so a
    slow benchmark can be run on its own without losing the rest."""
    try:
        return {"figures": list(json.loads(OUT.read_text())["figures"])}
    except (OSError, ValueError, KeyError, TypeError):
        return {"figures": []}


def _put(results: dict[str, list[dict[str, object]]], figure: dict[str, object]) -> None:
    same = [f for f in results["figures"]
            if (f["bench"], f["engine"], f["name"]) ==
            (figure["bench"], figure["engine"], figure["name"])]
    for old in same:
        results["figures"].remove(old)
    results["figures"].append(figure)


if __name__ == "__main__":
    sys.exit(main())
