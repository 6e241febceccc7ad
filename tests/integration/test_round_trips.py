"""Round trips to PostgreSQL per use case (issue 17), counted on the wire.

Each connection the store checks out is traced by libpq; every time the client waits for
the server ends in one ReadyForQuery message, so counting those counts round trips
(BEGIN and COMMIT included). SQLite keeps its in-process path and is not counted.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from timebank import Timebank
from timebank.errors import IdempotencyConflict, InsufficientPoints


class Wire:
    """Counts ReadyForQuery messages on every connection checked out while active."""

    def __init__(self, tb: Timebank, trace: Any, engine: Any = None) -> None:
        self.engine = engine if engine is not None else tb.store.engine
        self.trace = trace
        event.listen(self.engine, "checkout", self._checkout)
        event.listen(self.engine, "checkin", self._checkin)
        self.active = False

    def _checkout(self, dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        if self.active:
            dbapi_conn.pgconn.trace(self.trace.fileno())

    def _checkin(self, dbapi_conn: Any, _record: Any) -> None:
        if dbapi_conn is not None:
            dbapi_conn.pgconn.untrace()

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        """Yields a list that holds, after the block, each round trip's first message."""
        self.trace.seek(0)
        self.trace.truncate()
        self.active = True
        found: list[str] = []
        try:
            yield found
        finally:
            self.active = False
            self.trace.flush()
            self.trace.seek(0)
            sent: list[str] = []
            for line in self.trace.read().decode(errors="replace").splitlines():
                parts = line.split("\t")
                if len(parts) < 4:
                    continue
                if parts[1] == "F" and parts[3] in ("Query", "Parse"):
                    sent.append(parts[4].strip().strip('"')[:40] if len(parts) > 4 else "")
                if parts[1] == "B" and parts[3] == "ReadyForQuery":
                    found.append(" + ".join(sent) or "?")
                    sent = []

    def close(self) -> None:
        event.remove(self.engine, "checkout", self._checkout)
        event.remove(self.engine, "checkin", self._checkin)


@pytest.fixture
def wire(tb: Timebank, db_url: str) -> Iterator[Wire]:
    if not db_url.startswith("postgresql"):
        pytest.skip("round trips are a network matter: SQLite runs in process")
    tb.communities.create("rt", "rt")
    for code in ("a", "b"):
        tb.members.add("rt", code, code)
        tb.ledger.award("rt", code, 100, key=f"fund-{code}")
    # Warm: the community id is cached and psycopg has prepared its statements.
    for i in range(8):
        tb.ledger.spend("rt", "a", 1, key=f"warm-{i}")
        tb.ledger.balance("rt", "a")
    with tempfile.TemporaryFile() as trace:
        found = Wire(tb, trace)
        yield found
        found.close()


def test_a_spend_takes_two_round_trips_and_the_commit(tb: Timebank, wire: Wire) -> None:
    with wire.counting() as trips:
        done = tb.ledger.spend("rt", "a", 5, key="s1", reason="gift")
    assert len(trips) == 3, trips
    assert trips[-1] == "COMMIT"
    assert done.balances == {"a": 87}


def test_an_adjustment_takes_two_round_trips_and_the_commit(tb: Timebank,
                                                            wire: Wire) -> None:
    with wire.counting() as trips:
        tb.ledger.adjust("rt", "b", -4, key="adj1", reason="typo", actor="clerk")
    assert len(trips) == 3, trips
    assert tb.ledger.balance("rt", "b")["points"].posted == 96


def test_a_balance_read_takes_one_round_trip(tb: Timebank, wire: Wire) -> None:
    with wire.counting() as trips:
        found = tb.ledger.balance("rt", "a")
    assert len(trips) == 1, trips
    assert found["points"].available == 92


def test_a_refused_spend_still_says_what_is_available(tb: Timebank, wire: Wire) -> None:
    with pytest.raises(InsufficientPoints) as refused:
        tb.ledger.spend("rt", "a", 1000, key="too-much")
    assert refused.value.details == {"field": "amount", "available": 92, "needed": 1000}
    # Nothing of it was written: the key is free for the right request.
    assert tb.ledger.spend("rt", "a", 2, key="too-much").balances == {"a": 90}


def test_a_replayed_spend_answers_the_first_result_and_a_changed_one_conflicts(
        tb: Timebank, wire: Wire) -> None:
    first = tb.ledger.spend("rt", "b", 3, key="again", reason="x")
    assert tb.ledger.spend("rt", "b", 3, key="again", reason="x") == first
    with pytest.raises(IdempotencyConflict) as conflict:
        tb.ledger.spend("rt", "b", 4, key="again", reason="x")
    assert conflict.value.details["field"] == "amount"
    assert tb.ledger.balance("rt", "b")["points"].posted == 97


def test_an_award_takes_two_round_trips_and_the_commit(tb: Timebank, wire: Wire) -> None:
    with wire.counting() as trips:
        done = tb.ledger.award("rt", "b", 7, key="aw1", reason="snow")
    assert len(trips) == 3, trips
    assert done.balances == {"b": 107}
    assert tb.ledger.balance("rt", "b")["points"].lifetime_earned == 107


def test_a_transfer_takes_two_round_trips_and_the_commit(tb: Timebank, wire: Wire) -> None:
    with wire.counting() as trips:
        done = tb.ledger.transfer("rt", "a", "b", 10, key="tr1")
    assert len(trips) == 3, trips
    assert done.balances == {"a": 82, "b": 110}
    with pytest.raises(InsufficientPoints):
        tb.ledger.transfer("rt", "a", "b", 83, key="tr2")
    assert tb.ledger.balance("rt", "a")["points"].posted == 82


def test_a_pooled_connection_goes_back_to_transaction_mode_after_a_write_or_a_read(
        db_url: str) -> None:
    """The two paths switch the driver to autocommit for one transaction or one read;
    the connection returns to the pool in transaction mode, also on an engine that
    ``Store`` did not make itself."""
    if not db_url.startswith("postgresql"):
        pytest.skip("round trips are a network matter: SQLite runs in process")
    import sqlalchemy as sa

    from timebank.store.db import Store

    store = Store(engine=sa.create_engine(db_url, pool_size=1, max_overflow=0))
    try:
        tb = Timebank(store=store)
        tb.init()
        tb.communities.create("rt", "rt")
        tb.members.add("rt", "a", "a")
        tb.ledger.award("rt", "a", 10, key="k1")
        for act in (lambda: tb.ledger.spend("rt", "a", 1, key="k2"),
                    lambda: tb.ledger.balance("rt", "a")):
            act()
            with store.engine.connect() as conn:
                assert conn.connection.driver_connection.autocommit is False
        assert tb.ledger.balance("rt", "a")["points"].posted == 9
    finally:
        store.dispose()


def test_a_store_made_from_a_url_reads_a_balance_on_an_autocommit_pool_of_its_own(
        db_url: str) -> None:
    """``Store(url)`` keeps one-statement reads on a second pool whose connections stay
    in autocommit: one round trip, the last commit seen, both pools closed by dispose."""
    if not db_url.startswith("postgresql"):
        pytest.skip("round trips are a network matter: SQLite runs in process")
    tb = Timebank(db_url)
    try:
        tb.init()
        tb.communities.create("rt", "rt")
        tb.members.add("rt", "a", "a")
        tb.ledger.award("rt", "a", 10, key="k1")
        reads = tb.store._autocommit
        assert reads is not None and reads is not tb.store.engine
        for _ in range(6):  # psycopg prepares a statement from its fifth run on
            tb.ledger.balance("rt", "a")
        with tempfile.TemporaryFile() as trace:
            wire = Wire(tb, trace, engine=reads)
            try:
                with wire.counting() as trips:
                    found = tb.ledger.balance("rt", "a")
                assert len(trips) == 1, trips
                assert found["points"].posted == 10
                tb.ledger.spend("rt", "a", 3, key="k2")
                with wire.counting() as trips:
                    assert tb.ledger.balance("rt", "a")["points"].posted == 7
                assert len(trips) == 1, trips
            finally:
                wire.close()
        with reads.connect() as conn:
            assert conn.connection.driver_connection.autocommit is True
        assert reads.pool.checkedin() >= 1
    finally:
        tb.close()
    assert reads.pool.checkedin() == 0  # disposed with the store
