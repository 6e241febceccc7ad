"""Issue 10: errors the HTTP server answers itself come back as problem+json with the right
status, under ``timebank serve`` (gunicorn) on each engine: a malformed header (400), a
request line over the limit (414), headers over the limit (431), and a chunked body over
the size limit (413, not a 422 about the JSON cut off at the limit)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator

import pytest

from tests.serving import serving
from timebank import Timebank


@pytest.fixture
def served(migrated_url: str) -> Iterator[tuple[int, str]]:
    """``timebank serve`` on a free port, and an admin key of community ``sjhy``."""
    bank = Timebank(migrated_url)
    bank.communities.create("sjhy", "世纪花园社区")
    token = bank.keys.create("admin", community="sjhy").token
    bank.close()
    with serving(migrated_url, workers=1, threads=2) as port:
        yield port, token


def exchange(port: int, raw: bytes) -> bytes:
    """Send ``raw`` while reading the answer (a server may answer and close before the
    whole body is sent, as it should for a body over the limit)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        def send() -> None:
            with contextlib.suppress(OSError):
                sock.sendall(raw)
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        received = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                received += chunk
        sender.join(timeout=30)
    return received


def problem(response: bytes) -> tuple[int, dict]:
    head, _, body = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert b"content-type: application/problem+json" in head.lower(), head
    found = json.loads(body)
    assert found["status"] == status
    assert {"type", "title", "status", "detail", "code"} <= set(found)
    return status, found


def get(headers: bytes = b"", target: bytes = b"/api/v1/whoami") -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n" + headers + \
        b"Connection: close\r\n\r\n"


def test_a_malformed_header_is_a_400_problem(served) -> None:
    port, _ = served
    status, body = problem(exchange(port, get(b"Bad Header: Bearer \r\n")))
    assert (status, body["code"]) == (400, "bad_request")


def test_an_empty_bearer_token_is_a_401_problem(served) -> None:
    port, _ = served
    status, body = problem(exchange(port, get(b"Authorization: Bearer \r\n")))
    assert (status, body["code"]) == (401, "unauthorized")


def test_a_request_line_over_the_limit_is_a_414_problem(served) -> None:
    port, _ = served
    status, body = problem(exchange(port, get(target=b"/api/v1/members?x=" + b"a" * 9000)))
    assert (status, body["code"]) == (414, "uri_too_long")


def test_headers_over_the_limit_are_a_431_problem(served) -> None:
    port, _ = served
    status, body = problem(exchange(port, get(b"X-Big: " + b"a" * 9000 + b"\r\n")))
    assert (status, body["code"]) == (431, "headers_too_large")


def test_a_chunked_body_over_the_limit_is_a_413_problem(served) -> None:
    port, token = served
    chunk = b" " * 65536
    body = (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 160 + b"0\r\n\r\n"  # 10 MiB
    raw = (b"POST /api/v1/adjustments HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
           b"Authorization: Bearer " + token.encode() + b"\r\nIdempotency-Key: big\r\n"
           b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    status, found = problem(exchange(port, raw))
    assert (status, found["code"]) == (413, "payload_too_large")
