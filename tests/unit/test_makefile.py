"""The Makefile's demo target (dry run with ``make -n``: nothing is built or served)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def demo_commands(*args: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    return subprocess.run(["make", "-n", "-C", str(ROOT), "demo", *args], check=True,
                          capture_output=True, text=True).stdout


def test_make_demo_serves_on_the_port_given_as_port() -> None:
    assert "demo --port 5077" in demo_commands("PORT=5077")


def test_make_demo_serves_on_port_5000_by_default() -> None:
    assert "demo --port 5000" in demo_commands()
