"""A service-day desk (服务日兑换台) that redeems over HTTP, safe to retry.

A community worker scans a resident's card and hands over a gift. Each redemption gets
its idempotency key *before* the first attempt, so a retried request (the network
dropped the answer, the worker pressed twice) returns the first redemption and spends
the points once. ``send`` takes any callable that posts JSON: ``urllib`` against a real
server (``http_sender(base_url, key)``), or a Flask test client in tests.

Run against a server: ``python examples/service_day_desk.py http://127.0.0.1:5000/api/v1 KEY
CARD GIFT [SERVICE_DAY]``; it exits 0 once the gift is handed over, else 1 with the reason
(the server unreachable, or the problem it answered) on stderr.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

Send = Callable[[str, str, dict[str, Any], dict[str, str]], tuple[int, dict[str, Any]]]


def http_sender(base_url: str, api_key: str, timeout: float = 10.0) -> Send:
    """POST/GET JSON with the standard library; returns (status, body)."""
    def send(method: str, path: str, body: dict[str, Any], headers: dict[str, str]
             ) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            base_url.rstrip("/") + path, method=method,
            data=json.dumps(body).encode() if method != "GET" else None,
            headers={"Authorization": f"Bearer {api_key}",
                     "Content-Type": "application/json", **headers})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw or b"{}")
            except ValueError:  # not JSON (a proxy's error page): keep the text
                return error.code, {"detail": raw.decode(errors="replace")[:200]}
    return send


class Desk:
    def __init__(self, send: Send, service_day: str) -> None:
        self.send = send
        self.service_day = service_day

    def hand_over(self, card: str, gift: str, quantity: int = 1, *, attempts: int = 3
                  ) -> dict[str, Any]:
        """Redeem ``gift`` for the card's holder; retried on connection errors and 5xx
        with the same key, so the points are spent once however often it is sent.
        Returns the HTTP status and the answer (a redemption, or a problem)."""
        key = f"desk-{uuid.uuid4()}"
        body = {"card": card, "items": [{"gift": gift, "quantity": quantity}],
                "service_day": self.service_day}
        for attempt in range(attempts):
            try:
                status, answer = self.send("POST", "/redemptions", body,
                                           {"Idempotency-Key": key})
            except OSError:
                if attempt == attempts - 1:
                    raise
                continue
            if status < 500:
                break
        return {"http_status": status, "answer": answer}


def why(handed: dict[str, Any]) -> str:
    """One line on a failed hand-over from the problem the server answered."""
    answer = handed["answer"] if isinstance(handed["answer"], dict) else {}
    code = answer.get("code") or answer.get("title") or "error"
    detail = answer.get("detail") or "no detail given"
    return f"HTTP {handed['http_status']} {code}: {detail}"


def main(argv: list[str]) -> int:
    """Hand over one gift; 0 when the redemption was made, else 1 (2: bad usage)."""
    if len(argv) < 4:
        print("usage: service_day_desk.py BASE_URL API_KEY CARD GIFT [SERVICE_DAY]",
              file=sys.stderr)
        return 2
    base_url, api_key, card, gift = argv[:4]
    desk = Desk(http_sender(base_url, api_key), service_day=argv[4] if len(argv) > 4 else "")
    try:
        handed = desk.hand_over(card, gift)
    except OSError as error:
        print(f"failed: could not reach {base_url}: {error}", file=sys.stderr)
        return 1
    print(handed)
    if not 200 <= handed["http_status"] < 300:
        print(f"failed: {why(handed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
