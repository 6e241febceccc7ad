"""Errors the HTTP server answers itself (before any app code runs): a malformed request
line or header (400), a URI over the line limit (414), too many or too large headers
(431), a body over the limit (413), an unsupported transfer coding (501), as problem+json
like every other error of the API. ``timebank serve``'s worker (``webapi.worker``, waitress
inside gunicorn's arbiter) answers with ``problem_parts``; ``install()`` does the same for
gunicorn's own workers (its one error writer, in a server process of its own).
"""

from __future__ import annotations

import json
from typing import Any

from timebank.i18n import DEFAULT, translate
from webapi.errors import PROBLEM_JSON, TITLES
from webapi.i18n import content_language

CODES = {400: "bad_request", 403: "forbidden", 413: "payload_too_large",
         414: "uri_too_long", 417: "bad_request", 431: "headers_too_large",
         500: "internal_error", 501: "not_implemented"}


def problem_parts(status: int, reason: str, detail: str) -> tuple[list[tuple[str, str]],
                                                                    bytes]:
    """The headers (but Content-Length) and the problem+json body of a server's error."""
    code = CODES.get(status, "bad_request")
    title = translate(TITLES[code], DEFAULT) if code in TITLES else reason
    body = json.dumps({"type": f"urn:timebank:problem:{code}", "title": title,
                       "status": status, "detail": detail, "code": code},
                      ensure_ascii=False).encode("utf-8")
    return [("Content-Type", PROBLEM_JSON),
            ("Content-Language", content_language(DEFAULT))], body


def problem_bytes(status: int, reason: str, detail: str) -> bytes:
    """A complete HTTP/1.1 response (closing the connection) with a problem+json body."""
    headers, body = problem_parts(status, reason, detail)
    head = f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers)
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1") + body


def write_problem(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    from gunicorn import util

    util.write_nonblock(sock, problem_bytes(status_int, reason, mesg))


def install() -> None:
    """Make gunicorn write its own errors as problem+json (idempotent)."""
    from gunicorn import util

    util.write_error = write_problem
