"""A small in-process token bucket per client address, for the public (keyless) paths.

Bounded twice: each address gets ``burst`` requests and then ``per_minute`` a minute, and
at most ``MAX_CLIENTS`` addresses are remembered (the oldest are dropped first), so a
flood of addresses cannot grow memory. Per process: with several gunicorn workers each
keeps its own buckets. Behind a proxy, make ``request.remote_addr`` the client's address
(werkzeug's ``ProxyFix``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

MAX_CLIENTS = 10_000


class TokenBucket:
    def __init__(self, per_minute: float = 30, burst: int = 20) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 when ``client`` may go ahead (a token is spent), else seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            if not wait:
                tokens -= 1
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
            return wait
