"""``timebank serve`` under a burst keeps its log to what matters: requests waiting for a
thread are normal under load, and waitress's warning for each one ("Task queue depth is
N") would be a line per request, enough to fill a pipe nobody reads and stall the
server. The burst's answers all arrive, and the log holds no such line."""

from __future__ import annotations

import http.client
import json
import threading
from pathlib import Path

from tests.serving import serving
from timebank import Timebank

CLIENTS, EACH = 12, 8


def test_a_burst_of_requests_waiting_for_threads_leaves_no_line_per_request(
        db_url: str, tmp_path: Path) -> None:
    bank = Timebank(db_url)
    bank.init()
    bank.communities.create("sjhy", "世纪花园社区")
    bank.members.add("sjhy", "m1", "居民1")
    token = bank.keys.create("admin", community="sjhy").token
    bank.close()
    statuses: list[int] = []
    log = tmp_path / "serve.log"

    def client(t: int, port: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(EACH):
            conn.request("POST", "/api/v1/adjustments", headers={
                "Authorization": f"Bearer {token}", "Content-Type": "application/json",
                "Idempotency-Key": f"burst-{t}-{i}"},
                body=json.dumps({"member": "m1", "amount": 1, "reason": "扫雪"}))
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
        conn.close()

    with log.open("wb") as sink, serving(db_url, workers=1, threads=2, stderr=sink) as port:
        threads = [threading.Thread(target=client, args=(t, port)) for t in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [201] * (CLIENTS * EACH)
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Task queue depth" not in text
    assert "timebank" in text  # the log itself is kept: the start line is there
