"""``make mutate``: mutation testing of ``timebank/domain/`` with mutmut, against the unit
tests only, and a score per module in ``bench/mutation.json``.

The run happens in a scratch copy (``.mutation/``: the package, the unit tests that import
``timebank.domain``, ``tests/strategies.py`` and ``pyproject.toml`` for pytest's
settings), so the working tree is never touched and mutmut's own files stay out of it.
The unit tests of other things (the README, the Makefile, import parsing) and the
database fixtures of ``tests/conftest.py`` are left out; a conftest of its own empties the
domain's caches before each test. The copy is kept after the run:
``cd .mutation && ../.venv/bin/mutmut show NAME`` shows a mutant.

    python bench/mutate.py              # every module of timebank/domain/
    python bench/mutate.py ledger tiers # some of them (their figures are merged)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".mutation"
OUT = ROOT / "bench" / "mutation.json"
DOMAIN = ROOT / "timebank" / "domain"
DETECTED = ("killed", "timeout", "caught by type check")
GOAL = 90.0  # per cent of each module's mutants killed

SETUP_CFG = """\
[mutmut]
source_paths = timebank
only_mutate =
{only}
pytest_add_cli_args_test_selection = tests/unit
pytest_add_cli_args = -p no:cacheprovider
use_git_change_detection = false
"""

# Mutants run in processes forked after the whole suite ran once, so a value the domain's
# functools caches kept from the unmutated code would hide a mutant: empty them per test.
CONFTEST = '''\
"""Written by bench/mutate.py for the mutation run only."""

import importlib
import pkgutil

import pytest

import timebank.domain


@pytest.fixture(autouse=True)
def _empty_domain_caches():
    for info in pkgutil.iter_modules(timebank.domain.__path__):
        module = importlib.import_module(f"timebank.domain.{info.name}")
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
'''


def modules() -> list[str]:
    return sorted(p.stem for p in DOMAIN.glob("*.py") if p.stem != "__init__")


def prepare(names: list[str]) -> None:
    """A fresh scratch copy of what the unit tests need, with mutmut's settings."""
    shutil.rmtree(WORK, ignore_errors=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "timebank", WORK / "timebank", ignore=skip)
    (WORK / "tests" / "unit").mkdir(parents=True)
    for test in domain_tests():
        shutil.copy2(test, WORK / "tests" / "unit" / test.name)
    for helper in ("__init__.py", "strategies.py"):
        if (ROOT / "tests" / helper).exists():
            shutil.copy2(ROOT / "tests" / helper, WORK / "tests" / helper)
    (WORK / "tests" / "conftest.py").write_text(CONFTEST)
    shutil.copy2(ROOT / "pyproject.toml", WORK / "pyproject.toml")
    only = "\n".join(f"    timebank/domain/{name}.py" for name in names)
    (WORK / "setup.cfg").write_text(SETUP_CFG.format(only=only))


def domain_tests() -> list[Path]:
    """The unit tests that import the domain, and any helper module beside them."""
    found = []
    for path in sorted((ROOT / "tests" / "unit").glob("*.py")):
        if not path.name.startswith("test_") or "timebank.domain" in path.read_text("utf-8"):
            found.append(path)
    return found


def mutmut(*args: str, log: Path | None = None) -> str:
    command = [sys.executable, "-m", "mutmut", *args]
    if log is None:
        return subprocess.run(command, cwd=WORK, check=True, capture_output=True,
                              text=True).stdout
    with log.open("w") as out:
        done = subprocess.run(command, cwd=WORK, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode:
        sys.exit(f"mutmut run failed (exit {done.returncode}); see {log}")
    return ""


def tally(listing: str, names: list[str]) -> dict[str, dict[str, object]]:
    """Counts per domain module from ``mutmut results --all true`` lines (a module with
    no function to mutate, e.g. only attrs classes, has a total of 0 and no score)."""
    by_module: dict[str, Counter[str]] = {name: Counter() for name in names}
    survivors: dict[str, list[str]] = {}
    for line in listing.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if not name.startswith("timebank.domain."):
            continue
        module = name.split(".")[2]
        by_module.setdefault(module, Counter())[status] += 1
        if status not in DETECTED:
            survivors.setdefault(module, []).append(f"{name}: {status}")
    figures: dict[str, dict[str, object]] = {}
    for module, counts in sorted(by_module.items()):
        total = sum(counts.values())
        detected = sum(counts[s] for s in DETECTED)
        figures[module] = {
            "total": total, "killed": detected, "survived": total - detected,
            "score": round(100 * detected / total, 1) if total else None,
            "statuses": dict(sorted(counts.items())),
            "not_killed": sorted(survivors.get(module, [])),
        }
    return figures


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python bench/mutate.py")
    parser.add_argument("modules", nargs="*", help="domain module names (default: all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    names = args.modules or modules()
    unknown = sorted(set(names) - set(modules()))
    if unknown:
        parser.error(f"not a module of timebank/domain/: {', '.join(unknown)}")
    started = time.monotonic()
    prepare(names)
    mutmut("run", "--max-children", str(args.jobs), log=WORK / "mutmut.log")
    figures = tally(mutmut("results", "--all", "true"), names)
    seconds = round(time.monotonic() - started, 1)
    commit = git("rev-parse", "--short", "HEAD")
    edited = bool(git("status", "--porcelain", "--", "timebank/domain", "tests/unit"))
    date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    report = json.loads(OUT.read_text()) if OUT.exists() else {}
    merged = report.get("modules", {})
    for module, figure in figures.items():
        merged[module] = {**figure, "commit": commit, "uncommitted_changes": edited,
                          "date": date}
    tests = [path.name for path in domain_tests()]
    report = {"tool": f"mutmut {version('mutmut')}", "tests": tests, "commit": commit,
              "uncommitted_changes": edited, "date": date, "seconds": seconds,
              "goal": GOAL, "modules": dict(sorted(merged.items()))}
    OUT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"mutation score per module (commit {commit}{'+edits' if edited else ''}, "
          f"{seconds:.0f} s):")
    for module, figure in figures.items():
        score = figure["score"]
        shown = f"{score}%" if isinstance(score, float) else "n/a"
        below = "  below the goal" if isinstance(score, float) and score < GOAL else ""
        print(f"  {module:<14} {figure['killed']:>4}/{figure['total']:<4} {shown:>6}{below}")
    print(f"written to {OUT.relative_to(ROOT)}; survivors: cd .mutation && "
          "../.venv/bin/mutmut show NAME")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
