"""Issue 10, item 4: ``timebank serve`` keeps answering while 128 slow clients are attached,
half sending their headers and half their body at one byte a second (loopback only; the
clients stop by themselves after ``ATTACK`` seconds, so the test is bounded in count and
time). The bound on the answers is a liveness check (answered at all within 10 s), not a
speed assertion."""

from __future__ import annotations

import contextlib
import http.client
import json
import select
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.serving import serving
from timebank import Timebank

SLOW_CLIENTS = 128
ATTACK = 20.0  # seconds the slow clients stay attached, at most
LIVENESS = 10.0  # seconds an answer may take while they are (liveness, not speed)


@pytest.fixture
def served(migrated_url: str) -> Iterator[tuple[int, str]]:
    """``timebank serve`` with the issue's 2 workers x 8 threads, and an admin key."""
    bank = Timebank(migrated_url)
    bank.communities.create("sjhy", "世纪花园社区")
    bank.members.add("sjhy", "m1", "居民1")
    token = bank.keys.create("admin", community="sjhy").token
    bank.close()
    with serving(migrated_url, workers=2, threads=8) as port:
        yield port, token


def _call(port: int, method: str, path: str, *, timeout: float, body: dict | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body),
                     headers={"Content-Type": "application/json", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class SlowClients:
    """``count`` loopback connections, driven by one thread: the even ones send a request's
    headers one byte a second, the odd ones send complete headers and then their body one
    byte a second. Every connection is closed after ``seconds``, whatever happened."""

    def __init__(self, port: int, count: int, seconds: float) -> None:
        self.port, self.count, self.seconds = port, count, seconds
        self.socks: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)

    def _opening(self, i: int) -> tuple[bytes, bytes]:
        if i % 2 == 0:
            return (b"GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n", b"X-Slow: " + b"a" * 200)
        body = b'{"member": "m1", "amount": 1, "reason": "' + b"a" * 200 + b'"}'
        head = (b"POST /api/v1/adjustments HTTP/1.1\r\nHost: x\r\nContent-Type: "
                b"application/json\r\nIdempotency-Key: slow-%d\r\nContent-Length: %d\r\n\r\n"
                % (i, len(body)))
        return head, body

    def __enter__(self) -> SlowClients:
        self.rest = []
        for i in range(self.count):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            head, rest = self._opening(i)
            sock.sendall(head)
            self.socks.append(sock)
            self.rest.append(rest)
        self.thread.start()
        return self

    def _trickle(self) -> None:
        deadline = time.monotonic() + self.seconds
        step = 0
        while not self.stop.is_set() and time.monotonic() < deadline:
            for sock, rest in zip(self.socks, self.rest, strict=True):
                if step < len(rest):
                    with contextlib.suppress(OSError):
                        sock.send(rest[step:step + 1])
            step += 1
            self.stop.wait(1.0)
        self.close()

    def attached(self) -> int:
        """How many are still connected and unanswered (the server neither answered nor
        closed them: nothing to read on their side)."""
        readable, _, _ = select.select(self.socks, [], [], 0)
        return len(self.socks) - len(readable)

    def close(self) -> None:
        for sock in self.socks:
            with contextlib.suppress(OSError):
                sock.close()

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=self.seconds + 5)


def test_health_checks_and_api_calls_answer_while_128_slow_clients_are_attached(
        served) -> None:
    port, token = served
    started = time.monotonic()
    with SlowClients(port, SLOW_CLIENTS, ATTACK) as slow:
        time.sleep(3)  # every slow client has sent its opening and a few bytes more
        health = _call(port, "GET", "/api/v1/healthz", timeout=LIVENESS)
        write = _call(port, "POST", "/api/v1/adjustments", timeout=LIVENESS,
                      body={"member": "m1", "amount": 5, "reason": "while slow"},
                      headers={"Authorization": f"Bearer {token}",
                               "Idempotency-Key": "fast-1"})
        read = _call(port, "GET", "/api/v1/members/m1/balance", timeout=LIVENESS,
                     headers={"Authorization": f"Bearer {token}"})
        still_attached = slow.attached()
        answered_within = time.monotonic() - started
    assert health[0] == 200
    assert write[0] == 201, write
    assert read[0] == 200 and json.loads(read[1])["balances"]["points"]["posted"] == 5
    assert answered_within < ATTACK  # the answers came while the slow clients were there
    assert still_attached == SLOW_CLIENTS


def test_the_server_still_answers_after_the_slow_clients_leave(served) -> None:
    port, _ = served
    with SlowClients(port, 32, 3.0):
        time.sleep(2)  # they leave mid-request: the server drops them and goes on
    assert _call(port, "GET", "/api/v1/healthz", timeout=LIVENESS)[0] == 200
