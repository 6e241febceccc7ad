"""Group commit over HTTP: the setting switches it on and off, requests sent at once each
get their own answer and idempotency record, and a failed shared COMMIT answers every
request of the batch 503 ``unavailable`` (try again), never a false 201."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.api.conftest import PREFIX, Api, make_api
from timebank import Timebank
from timebank.store.uow import UnitOfWork
from webapi import create_app, init_app

WAIT = 60


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "the batch never filled"
        time.sleep(0.002)


def _posts_in_one_batch(api: Api, bodies: list[dict[str, Any]], keys: list[str],
                        gate_work: Callable[[UnitOfWork], None] | None = None) -> list[Any]:
    """POST /adjustments once per body (own thread and client) inside one batch, which a
    gate write holds open until all of them have joined."""
    batches = api.bank.store.batches
    assert batches is not None

    def gate(uow: UnitOfWork) -> None:
        _until(lambda: batches.joined("sjhy") >= len(bodies) + 1)
        if gate_work is not None:
            gate_work(uow)

    answers: list[Any] = [None] * len(bodies)

    def post(i: int) -> None:
        client = api.app.test_client()
        answers[i] = client.post(PREFIX + "/adjustments", json=bodies[i],
                                 headers=api.headers(idem=keys[i]))

    opener = threading.Thread(target=lambda: _swallow(
        lambda: api.bank.store.transact("sjhy", gate)))
    opener.start()
    _until(lambda: batches.joined("sjhy") >= 1)
    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in [*threads, opener]:
        thread.join()
    return answers


def _swallow(call: Callable[[], Any]) -> None:
    # the gate's own outcome is the test's to check through the others
    with contextlib.suppress(Exception):
        call()


@pytest.fixture
def grouped_api(tb: Timebank, community: str) -> Api:
    tb.ledger.award(community, "m1", 100, key="seed-m1", reason="seed")
    api = make_api(tb, community)
    tb.store.group_commit(True)
    return api


def test_the_setting_switches_group_commit_on_and_off(tb, monkeypatch):
    create_app(timebank=tb)
    assert tb.store.batches is None  # off by default
    create_app({"TIMEBANK_GROUP_COMMIT": True}, timebank=tb)
    assert tb.store.batches is not None
    monkeypatch.setenv("TIMEBANK_GROUP_COMMIT", "off")
    create_app(timebank=tb)
    assert tb.store.batches is None
    init_app(Flask("host"), timebank=tb, group_commit=True)
    assert tb.store.batches is not None
    monkeypatch.setenv("TIMEBANK_GROUP_COMMIT", "perhaps")
    with pytest.raises(ValueError, match="TIMEBANK_GROUP_COMMIT"):
        create_app(timebank=tb)
    tb.store.group_commit(False)


def test_adjustments_sent_at_once_each_get_their_own_entry_and_replay(grouped_api):
    api = grouped_api
    bodies = [{"member": f"m{i % 5 + 1}", "amount": 3 + i, "reason": "扫雪"}
              for i in range(6)]
    bodies.append({"member": "m1", "amount": -1000, "reason": "too much"})
    keys = [f"http-{i}" for i in range(len(bodies))]
    commits = api.bank.store.batches.commits
    answers = _posts_in_one_batch(api, bodies, keys)
    assert api.bank.store.batches.commits == commits + 1
    assert [a.status_code for a in answers] == [201] * 6 + [409]
    assert answers[-1].get_json()["code"] == "insufficient_points"
    assert len({a.get_json()["entry_id"] for a in answers[:6]}) == 6
    for body, key, answer in zip(bodies, keys, answers, strict=True):
        again = api.post("/adjustments", json=body, idem=key)
        if answer.status_code == 201:
            assert (again.status_code, again.get_json()) == (201, answer.get_json())
    assert api.get("/audit/verify").get_json()["ok"] is True


def test_a_failed_shared_commit_answers_every_request_503_and_writes_nothing(grouped_api):
    api = grouped_api
    with api.bank.store.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE trap_target (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql(
            "CREATE TABLE trap (id INTEGER PRIMARY KEY, target INTEGER REFERENCES "
            "trap_target (id) DEFERRABLE INITIALLY DEFERRED)")

    def spring(uow: UnitOfWork) -> None:
        uow.conn.exec_driver_sql("INSERT INTO trap (id, target) VALUES (1, 999)")

    bodies = [{"member": "m2", "amount": 5 + i, "reason": "扫雪"} for i in range(3)]
    keys = [f"lost-{i}" for i in range(3)]
    answers = _posts_in_one_batch(api, bodies, keys, gate_work=spring)
    assert [a.status_code for a in answers] == [503] * 3
    assert all(a.headers["Retry-After"] == "1" for a in answers)
    assert {a.get_json()["code"] for a in answers} == {"unavailable"}
    assert "points" not in api.bank.ledger.balance("sjhy", "m2")
    again = api.post("/adjustments", json=bodies[0], idem=keys[0])  # the key is free
    assert again.status_code == 201 and again.get_json()["balances"] == {"m2": 5}
