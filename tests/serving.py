"""``timebank serve`` as a child process for the tests that need the real HTTP server
(gunicorn with the waitress worker), on a free loopback port."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/api/v1/healthz")
        return conn.getresponse().status == 200
    finally:
        conn.close()


@contextlib.contextmanager
def serving(db_url: str, *, workers: int, threads: int, start_within: float = 30.0,
            stderr: Any = subprocess.DEVNULL) -> Iterator[int]:
    """``timebank serve`` on ``db_url`` until the block ends; yields the port once the
    health check answers (the test fails if the server exits or stays silent). The
    server's log goes to ``stderr`` (a file), or nowhere."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("timebank")), "--db", db_url, "serve",
         "--port", str(port), "--workers", str(workers), "--threads", str(threads)],
        stdout=subprocess.DEVNULL, stderr=stderr, env={**os.environ})
    try:
        deadline = time.monotonic() + start_within
        while True:
            with contextlib.suppress(OSError):
                if _healthy(port):
                    break
            if server.poll() is not None:
                pytest.fail("timebank serve exited")
            if time.monotonic() > deadline:
                pytest.fail(f"timebank serve did not answer within {start_within:.0f} s")
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
