"""A writer killed between its entry's first statement and the chain step (issue 17).

On PostgreSQL a single award, spend or transfer is two statements (``store/fused.py``):
the first claims the key, moves the balances and draws the entry's id; the second, the
last before COMMIT, is the chain step with the entry itself. Here the server kills the
writer's connection after the first: the transaction is gone whole, ``Store.write``
runs the use case once more on a fresh connection, and ``verify`` finds every committed
entry in the chain and every balance equal to its postings.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from timebank import Timebank
from timebank.store import fused
from timebank.store.db import Store, create_engine


@pytest.fixture
def app_name() -> str:
    return f"tb-chain-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def bank(db_url: str, app_name: str) -> Iterator[Timebank]:
    if not db_url.startswith("postgresql"):
        pytest.skip("a killed connection between two statements is a PostgreSQL matter")
    store = Store(engine=create_engine(db_url, connect_args={"application_name": app_name}))
    tb = Timebank(store=store)
    tb.init()
    tb.communities.create("sjhy", "世纪花园社区")
    for code in ("m1", "m2"):
        tb.members.add("sjhy", code, code)
        tb.ledger.award("sjhy", code, 50, key=f"fund-{code}")
    yield tb
    store.dispose()


def _entries(db_url: str) -> int:
    admin = sa.create_engine(db_url)
    try:
        with admin.begin() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM entries")).scalar_one())
    finally:
        admin.dispose()


def _killing(db_url: str, app_name: str, times: int, monkeypatch: pytest.MonkeyPatch
             ) -> list[int]:
    """Make the chain step find its connection killed, ``times`` times; count the kills."""
    chain_step = fused._run
    killed: list[int] = []

    def kill_then_chain(conn: Any, sql: str, params: Any) -> Any:
        if sql is fused._WRITE and len(killed) < times:
            admin = sa.create_engine(db_url)
            try:
                with admin.begin() as other:
                    killed.append(len(other.execute(sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :name AND pid <> pg_backend_pid()"),
                        {"name": app_name}).all()))
            finally:
                admin.dispose()
        return chain_step(conn, sql, params)
    monkeypatch.setattr(fused, "_run", kill_then_chain)
    return killed


def test_a_writer_killed_before_its_chain_step_leaves_every_committed_entry_verified(
        bank: Timebank, db_url: str, app_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _entries(db_url)
    killed = _killing(db_url, app_name, 1, monkeypatch)
    done = bank.ledger.transfer("sjhy", "m1", "m2", 5, key="t1")
    assert killed == [1]
    # The killed attempt wrote nothing; the one run again wrote the entry once.
    assert _entries(db_url) == before + 1
    assert done.balances == {"m1": 45, "m2": 55}
    assert bank.ledger.transfer("sjhy", "m1", "m2", 5, key="t1") == done
    report = bank.verify("sjhy")
    assert report.ok, report.problems
    assert report.entries_checked == before + 1


def test_a_writer_killed_on_every_attempt_writes_nothing_and_the_chain_still_verifies(
        bank: Timebank, db_url: str, app_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _entries(db_url)
    killed = _killing(db_url, app_name, 100, monkeypatch)
    with pytest.raises(Exception):  # noqa: B017 - the driver's or SQLAlchemy's, as it falls
        bank.ledger.spend("sjhy", "m1", 7, key="s1")
    assert len(killed) >= 2
    monkeypatch.undo()
    assert _entries(db_url) == before
    assert bank.ledger.balance("sjhy", "m1")["points"].posted == 50
    report = bank.verify("sjhy")
    assert report.ok, report.problems
    assert report.entries_checked == before
    # The key was never claimed: the same spend goes through now, once.
    assert bank.ledger.spend("sjhy", "m1", 7, key="s1").balances == {"m1": 43}
    assert bank.verify("sjhy").entries_checked == before + 1
