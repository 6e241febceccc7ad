"""Racing real threads at one act: the helper the concurrency tests share."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable


def race(calls: list[Callable[[], object]]) -> Counter[str]:
    """Run every call at once (one thread each) and count outcomes by type name."""
    start = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call: Callable[[], object]) -> None:
        start.wait()
        try:
            call()
            result = "ok"
        except Exception as exc:  # every outcome is counted, unexpected ones included
            result = type(exc).__name__
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(outcomes)
