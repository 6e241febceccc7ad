"""``make bench-district`` is its own target (dry run with ``make -n``): it runs the
district bench with the arguments given, and ``make bench`` does not run it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def dry_run(*args: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    return subprocess.run(["make", "-n", "-C", str(ROOT), *args], check=True,
                          capture_output=True, text=True).stdout


def test_make_bench_district_runs_the_district_bench_at_the_scale_given() -> None:
    assert "-m bench.district --scale 0.02" in dry_run("bench-district",
                                                       "DISTRICT_ARGS=--scale 0.02")


def test_make_bench_leaves_the_district_bench_out() -> None:
    assert "bench.district" not in dry_run("bench")
    from bench.__main__ import BENCHES

    assert "district" not in BENCHES
