"""A service-day desk (服务日兑换台) that redeems over HTTP, safe to retry.

A community worker scans a resident's card and hands over a gift. Each redemption gets
its idempotency key *before* the first attempt, so a retried request (the network
dropped the answer, the worker pressed twice) returns the first redemption and spends
the points once. ``send`` takes any callable that posts JSON: ``urllib`` against a real
server (``http_sender(base_url, key)``), or a Flask test client in tests.

Run against a server: ``python examples/service_day_desk.py http://127.0.0.1:5000/api/v1 KEY``
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
            return error.code, json.loads(error.read() or b"{}")
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


def main(argv: list[str]) -> None:
    base_url, api_key, card, gift = argv[:4]
    desk = Desk(http_sender(base_url, api_key), service_day=argv[4] if len(argv) > 4 else "")
    print(desk.hand_over(card, gift))


if __name__ == "__main__":
    main(sys.argv[1:])
