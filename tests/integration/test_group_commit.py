"""Group commit (``timebank.store.batch``) on both engines: writes sent at once share one
transaction, each in its own savepoint, and each caller gets its own answer only after
the one COMMIT.

To put several writes in one batch without relying on timing, a "gate" write opens the
batch and waits inside it until the others have joined (they queue on the batch's turn);
the gate's own work may set a trap the COMMIT then trips on (a deferred constraint)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from tests.racing import race
from timebank.errors import CommitFailed, IdempotencyConflict, InsufficientPoints
from timebank.store.uow import UnitOfWork

WAIT = 60  # seconds a gate waits for its batch to fill before failing the test


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.002)


def in_one_batch(tb: Any, community: str, calls: list[Callable[[], Any]],
                 gate_work: Callable[[UnitOfWork], None] | None = None
                 ) -> tuple[list[Any], Any]:
    """Run ``calls`` (one thread each) inside one batch opened by a gate write; each
    call's result or exception, and the gate's."""
    batches = tb.store.batches
    members = len(calls) + 1

    waited: list[bool] = []

    def gate(uow: UnitOfWork) -> str:
        if not waited:  # run again alone (a broken batch), it waits for nobody
            _until(lambda: batches.joined(community) >= members, "every call joined")
            waited.append(True)
        if gate_work is not None:
            gate_work(uow)
        return "gate"

    outcomes: list[Any] = [None] * (len(calls) + 1)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            outcomes[i] = call()
        except Exception as exc:
            outcomes[i] = exc

    opener = threading.Thread(target=run, args=(
        len(calls), lambda: tb.store.transact(community, gate)))
    opener.start()
    _until(lambda: batches.joined(community) >= 1, "the gate opened a batch")
    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in [*threads]:
        thread.start()
    for thread in [*threads, opener]:
        thread.join()
    return outcomes[:-1], outcomes[-1]


@pytest.fixture
def grouped(tb, community):
    tb.store.group_commit(True)
    yield tb
    tb.store.group_commit(False)


def test_writes_sent_at_once_commit_once_and_each_gets_its_own_answer(grouped, community):
    tb = grouped
    calls = [lambda i=i: tb.ledger.award(community, f"m{i % 5 + 1}", 10 + i, key=f"a{i}",
                                         reason="扫雪") for i in range(8)]
    commits = tb.store.batches.commits
    results, gate = in_one_batch(tb, community, calls)
    assert gate == "gate"
    assert tb.store.batches.commits == commits + 1
    assert all(not isinstance(r, Exception) for r in results), results
    assert len({r.entry_id for r in results}) == 8
    assert sorted(r.seq for r in results) == list(range(1, 9))
    for i, result in enumerate(results):  # each answer is its own award
        member = f"m{i % 5 + 1}"
        assert member in result.balances
        # a replay answers the answer stored in the request's own savepoint
        assert tb.ledger.award(community, member, 10 + i, key=f"a{i}",
                               reason="扫雪") == result
    posted = {f"m{j}": tb.ledger.balance(community, f"m{j}")["points"].posted
              for j in range(1, 6)}
    assert posted == {f"m{j}": sum(10 + i for i in range(8) if i % 5 + 1 == j)
                      for j in range(1, 6)}
    assert tb.verify().ok


def test_a_refused_write_in_a_batch_leaves_the_others_committed(grouped, community):
    tb = grouped
    tb.ledger.award(community, "m1", 5, key="seed")
    calls = [
        lambda: tb.ledger.award(community, "m2", 7, key="ok-1"),
        lambda: tb.ledger.spend(community, "m1", 50, key="too-much"),
        lambda: tb.ledger.award(community, "m3", 9, key="ok-2"),
        lambda: tb.ledger.spend(community, "m1", 5, key="fits"),
    ]
    results, _ = in_one_batch(tb, community, calls)
    assert isinstance(results[1], InsufficientPoints)
    assert not any(isinstance(r, Exception) for i, r in enumerate(results) if i != 1)
    balances = {m: tb.ledger.balance(community, m)["points"].posted for m in ("m1", "m2", "m3")}
    assert balances == {"m1": 0, "m2": 7, "m3": 9}
    # the refused request's key went with its savepoint: reused, it runs afresh
    tb.ledger.award(community, "m1", 50, key="seed-2")
    assert tb.ledger.spend(community, "m1", 50, key="too-much").balances == {"m1": 0}
    assert tb.verify().ok


def test_one_key_sent_several_times_in_a_batch_writes_once_and_answers_alike(
        grouped, community):
    tb = grouped
    calls = [lambda: tb.ledger.award(community, "m1", 4, key="twice") for _ in range(3)]
    calls.append(lambda: tb.ledger.award(community, "m1", 5, key="twice"))
    results, _ = in_one_batch(tb, community, calls)
    written = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    # whichever request came first is written; the same request replays it, another
    # request under the key is a conflict
    assert all(r == written[0] for r in written)
    assert len(written) in (1, 3) and len(refused) == 4 - len(written)
    assert all(isinstance(r, IdempotencyConflict) for r in refused), refused
    assert tb.ledger.balance(community, "m1")["points"].posted == written[0].balances["m1"]
    assert len(tb.statements.statement(community, "m1").lines) == 1
    report = tb.verify()
    assert report.ok and report.entries_checked == 1


def _deferred_trap(tb: Any) -> Callable[[UnitOfWork], None]:
    """A table whose foreign key is checked at COMMIT; the gate breaks it."""
    with tb.store.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE trap_target (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql(
            "CREATE TABLE trap (id INTEGER PRIMARY KEY, target INTEGER REFERENCES "
            "trap_target (id) DEFERRABLE INITIALLY DEFERRED)")

    def spring(uow: UnitOfWork) -> None:
        uow.conn.exec_driver_sql("INSERT INTO trap (id, target) VALUES (1, 999)")
    return spring


def test_a_failed_commit_fails_every_caller_of_the_batch_and_leaves_nothing(grouped,
                                                                           community):
    tb = grouped
    spring = _deferred_trap(tb)
    tb.ledger.award(community, "m1", 20, key="seed")
    calls = [
        lambda: tb.ledger.award(community, "m2", 7, key="lost-1"),
        lambda: tb.ledger.spend(community, "m1", 5, key="lost-2"),
        lambda: tb.ledger.spend(community, "m1", 500, key="lost-3"),  # refused, even so
    ]
    commits = tb.store.batches.commits
    results, gate = in_one_batch(tb, community, calls, gate_work=spring)
    assert all(isinstance(r, CommitFailed) for r in [*results, gate]), [*results, gate]
    assert results[0].code == "unavailable"
    assert tb.store.batches.commits == commits
    assert tb.ledger.balance(community, "m1")["points"].posted == 20
    assert "points" not in tb.ledger.balance(community, "m2")  # not even its account
    with tb.store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM trap").scalar() == 0
    # nothing was stored under the keys: sent again, they run afresh and are written
    assert tb.ledger.award(community, "m2", 7, key="lost-1").balances == {"m2": 7}
    assert tb.ledger.spend(community, "m1", 5, key="lost-2").balances == {"m1": 15}
    assert tb.verify().ok


def test_sixteen_racing_spends_in_batches_succeed_exactly_as_often_as_the_balance_allows(
        grouped, community):
    tb = grouped
    tb.ledger.award(community, "m1", 50, key="seed")
    outcomes = race([lambda i=i: tb.ledger.spend(community, "m1", 10, key=f"race-{i}")
                     for i in range(16)])
    assert outcomes == {"ok": 5, "InsufficientPoints": 11}
    balance = tb.ledger.balance(community, "m1")["points"]
    assert (balance.posted, balance.available) == (0, 0)
    report = tb.verify()
    assert report.ok, report


def test_racing_writes_of_two_communities_keep_both_chains_whole(grouped, community):
    tb = grouped
    tb.communities.create("west", "西区")
    for i in range(1, 4):
        tb.members.add("west", f"w{i}", f"西{i}")
    calls: list[Callable[[], Any]] = []
    for i in range(12):
        calls.append(lambda i=i: tb.ledger.award(community, f"m{i % 5 + 1}", 1, key=f"e{i}"))
        calls.append(lambda i=i: tb.ledger.award("west", f"w{i % 3 + 1}", 2, key=f"w{i}"))
    assert race(calls) == {"ok": 24}
    assert sum(tb.ledger.balance("west", f"w{i}")["points"].posted for i in (1, 2, 3)) == 24
    assert tb.verify().ok


def test_switched_off_each_write_is_its_own_transaction(tb, community):
    assert tb.store.batches is None
    spring = _deferred_trap(tb)
    with pytest.raises(sa.exc.IntegrityError):
        tb.store.transact(community, spring)  # fails alone, as a plain transaction does
    tb.ledger.award(community, "m1", 3, key="alone")
    assert tb.ledger.balance(community, "m1")["points"].posted == 3
    tb.store.group_commit(True)
    tb.store.group_commit(False)
    assert tb.store.batches is None
    outcomes = race([lambda i=i: tb.ledger.award(community, "m2", 1, key=f"off-{i}")
                     for i in range(8)])
    assert outcomes == {"ok": 8}
    assert tb.verify().ok


def test_a_batch_whose_connection_is_killed_before_commit_runs_each_write_again_alone(
        grouped, community):
    tb = grouped
    if tb.store.dialect != "postgresql":
        pytest.skip("an administrator's pg_terminate_backend is a PostgreSQL act")
    killed: list[int] = []

    def kill_once(uow: UnitOfWork) -> None:
        if killed:
            return
        pid = uow.conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        with tb.store.engine.connect() as admin:
            admin.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
        killed.append(pid)

    calls = [lambda i=i: tb.ledger.award(community, f"m{i + 1}", 3 + i, key=f"k{i}")
             for i in range(4)]
    commits = tb.store.batches.commits
    results, gate = in_one_batch(tb, community, calls, gate_work=kill_once)
    assert killed and gate == "gate"
    assert not any(isinstance(r, Exception) for r in results), results
    assert tb.store.batches.commits == commits  # the batch wrote nothing, each ran alone
    assert [tb.ledger.balance(community, f"m{i + 1}")["points"].posted
            for i in range(4)] == [3, 4, 5, 6]
    assert sorted(r.seq for r in results) == [1, 2, 3, 4]
    assert tb.verify().ok


def test_sixteen_racing_redemptions_in_batches_never_oversell(grouped, community):
    tb = grouped
    tb.gifts.create(community, "rice", name="大米", cost=44, stock=5)
    members = [f"r{i}" for i in range(16)]
    for code in members:
        tb.members.add(community, code, code)
        tb.ledger.award(community, code, 100, key=f"seed-{code}")
    outcomes = race([lambda code=code: tb.redemptions.redeem(
        community, code, [("rice", 1)], key=f"race-{code}") for code in members])
    assert outcomes == {"ok": 5, "OutOfStock": 11}
    assert tb.gifts.get(community, "rice").stock == 0
    assert all(check.ok for check in tb.gifts.check_stock(community))
    assert tb.verify(community).ok
