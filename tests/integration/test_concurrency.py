"""Races: concurrent spends from one account never overdraw it, on both engines; and two
PostgreSQL writes that deadlock both finish, the one chosen as victim retried."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.engine import Connection

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


def lock(conn: Connection, member: str, driver: bool) -> None:
    """Take the row lock of ``member``: through SQLAlchemy, or on the driver's own cursor
    as the prebuilt statements of ``timebank.store.fast`` do (errors are then psycopg's,
    not wrapped by SQLAlchemy)."""
    statement = "UPDATE members SET name = name WHERE code = %s"
    if driver:
        conn.connection.driver_connection.cursor().execute(statement, (member,))
    else:
        conn.exec_driver_sql(statement, (member,))


@pytest.mark.parametrize("driver", [False, True], ids=["sqlalchemy", "driver-cursor"])
def test_two_writes_that_deadlock_both_finish_one_of_them_retried(tb, community, driver):
    if tb.store.dialect != "postgresql":
        pytest.skip("SQLite takes the write lock at BEGIN: two writers never deadlock")
    barrier = threading.Barrier(2, timeout=30)
    attempts = {"m1": 0, "m2": 0}
    errors: list[BaseException] = []

    def work(first: str, second: str) -> None:
        def fn(conn: Connection) -> None:
            attempts[first] += 1
            lock(conn, first, driver)
            if attempts[first] == 1:  # only the first try waits for the other to lock
                barrier.wait()
            lock(conn, second, driver)
        try:
            tb.store.write(fn)
        except BaseException as exc:  # reported by the assertions below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=("m1", "m2")),
               threading.Thread(target=work, args=("m2", "m1"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(attempts.values()) == [1, 2]
