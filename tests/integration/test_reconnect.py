"""Connections the server kills (a restart, an administrator's ``pg_terminate_backend``).

The pool does not ping a connection before each transaction (a round trip every time);
SQLAlchemy notices a dead one when it is used, invalidates it with every older pooled
connection, and ``Store.write`` runs a transaction that lost its connection before COMMIT
once more on a fresh one: nothing was written, and use cases touch nothing outside the
database. A read is not run again: it raises once (``unavailable``: a 503), the next works.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from timebank import Timebank
from timebank.domain.rulebook import rule
from timebank.store.db import Store, create_engine, unavailable


@pytest.fixture
def app_name() -> str:
    return f"tb-reconnect-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def killable(db_url: str, app_name: str) -> Iterator[Store]:
    """A store on PostgreSQL whose connections carry their own application name."""
    if not db_url.startswith("postgresql"):
        pytest.skip("the server killing a connection is a PostgreSQL matter")
    store = Store(engine=create_engine(db_url, connect_args={"application_name": app_name}))
    yield store
    store.dispose()


def _kill(db_url: str, app_name: str) -> int:
    """Terminate every backend of the store under test; how many there were."""
    admin = sa.create_engine(db_url)
    try:
        with admin.begin() as conn:
            return len(conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = :name AND pid <> pg_backend_pid()"),
                {"name": app_name}).all())
    finally:
        admin.dispose()


def _bank(store: Store) -> Timebank:
    tb = Timebank(store=store)
    tb.init()
    tb.communities.create("sjhy", "世纪花园社区")
    tb.members.add("sjhy", "m1", "居民1")
    tb.rules.put("sjhy", "study", rule(code="study", name_zh="学习", name_en="Study",
                                       basis="per_occurrence", rate=3))
    return tb


def test_a_write_after_the_server_killed_the_idle_pooled_connection_just_works(
        killable: Store, db_url: str, app_name: str) -> None:
    tb = _bank(killable)
    assert _kill(db_url, app_name) >= 1

    tb.members.add("sjhy", "m2", "居民2")  # SQLAlchemy statements
    assert _kill(db_url, app_name) >= 1
    done = tb.contributions.record("sjhy", "m2", "study", key="k1",  # the raw-cursor path
                                   occurred_on="2024-03-01")

    assert done.points == 3
    assert tb.ledger.balance("sjhy", "m2")["points"].posted == 3


def test_a_transaction_whose_connection_is_killed_in_flight_runs_once_more_and_writes_once(
        killable: Store, db_url: str, app_name: str) -> None:
    tb = _bank(killable)
    runs = []

    def work(conn: sa.Connection) -> int:
        runs.append(1)
        conn.exec_driver_sql("INSERT INTO units (community_id, code, name, kind, path) "
                             "SELECT id, 'g1', '1网格', 'grid', '/g1/' FROM communities")
        if len(runs) == 1:
            _kill(db_url, app_name)
        return int(conn.exec_driver_sql("SELECT count(*) FROM units").scalar_one())

    assert killable.write(work) == 1
    assert len(runs) == 2
    with killable.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM units").scalar_one() == 1
    assert tb.members.add("sjhy", "m3", "居民3") is not None


def test_a_read_on_a_killed_connection_fails_once_as_unavailable_then_reads_again(
        killable: Store, db_url: str, app_name: str) -> None:
    _bank(killable)
    _kill(db_url, app_name)

    with pytest.raises(sa.exc.OperationalError) as failed, killable.read() as conn:
        conn.exec_driver_sql("SELECT 1").scalar_one()
    assert unavailable(failed.value)

    with killable.read() as conn:
        assert conn.exec_driver_sql("SELECT 1").scalar_one() == 1


def test_a_statement_on_the_driver_cursor_that_finds_its_connection_killed_runs_again(
        killable: Store, db_url: str, app_name: str) -> None:
    _bank(killable)
    runs = []

    def work(conn: sa.Connection) -> int:
        runs.append(1)
        conn.exec_driver_sql("SELECT 1")
        if len(runs) == 1:
            _kill(db_url, app_name)
        cur = conn.connection.driver_connection.cursor()  # as the store's fast path does
        cur.execute("SELECT count(*) FROM members")
        return int(cur.fetchone()[0])

    assert killable.write(work) == 1
    assert len(runs) == 2
