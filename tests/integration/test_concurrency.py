"""Races: concurrent spends from one account never overdraw it, on both engines."""

from __future__ import annotations

import threading

from timebank.errors import InsufficientPoints

THREADS = 16
AFFORDABLE = 5


def test_sixteen_racing_spends_succeed_exactly_as_often_as_the_balance_allows(tb, community):
    tb.ledger.award(community, "m1", 10 * AFFORDABLE, key="seed")
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def spend(i: int) -> None:
        barrier.wait()
        try:
            tb.ledger.spend(community, "m1", 10, key=f"race-{i}")
            result = "ok"
        except InsufficientPoints:
            result = "refused"
        except Exception as exc:  # any other outcome is a failure of the test
            result = f"error: {exc!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=spend, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] * AFFORDABLE + ["refused"] * (THREADS - AFFORDABLE)
    balance = tb.ledger.balance(community, "m1")["points"]
    assert (balance.posted, balance.available) == (0, 0)
    assert tb.verify().ok


def test_racing_replays_of_one_key_write_once(tb, community):
    tb.ledger.award(community, "m1", 100, key="seed")
    barrier = threading.Barrier(8)
    results = []

    def spend() -> None:
        barrier.wait()
        results.append(tb.ledger.spend(community, "m1", 10, key="the-same-click"))

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and all(r == results[0] for r in results)
    assert tb.ledger.balance(community, "m1")["points"].posted == 90
