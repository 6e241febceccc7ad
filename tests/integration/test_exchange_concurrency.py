"""Sixteen volunteers racing to claim one request, real threads each on its own pooled
connection, on SQLite and PostgreSQL: exactly one wins, the others get invalid_state."""

from __future__ import annotations

from collections import Counter

from tests.racing import race
from timebank import Timebank
from timebank.errors import InvalidState

THREADS = 16


def test_sixteen_volunteers_racing_for_one_request_leave_exactly_one_claim(
        tb: Timebank, community: str) -> None:
    tb.ledger.award(community, "m1", 120, unit="minutes", key="seed")
    request = tb.requests.post(community, "m1", "陪诊", "clinic", 60, key="post")
    volunteers = [f"v{i}" for i in range(THREADS)]
    for code in volunteers:
        tb.members.add(community, code, code)

    outcomes = race([(lambda code=code: tb.requests.claim(community, request.id, code))
                     for code in volunteers])

    assert outcomes == Counter({"ok": 1, InvalidState.__name__: THREADS - 1})
    found = tb.requests.get(community, request.id)
    assert found.status == "claimed" and len(found.volunteers) == 1
    assert [e.kind for e in found.history].count("claimed") == 1


def test_racing_confirmations_pay_once(tb: Timebank, community: str) -> None:
    tb.ledger.award(community, "m1", 120, unit="minutes", key="seed")
    request = tb.requests.post(community, "m1", "陪诊", "clinic", 60, key="post")
    tb.requests.claim(community, request.id, "m2")

    outcomes = race([(lambda i=i: tb.requests.confirm(community, request.id, 60,
                                                      key=f"c{i}"))
                     for i in range(THREADS)])

    assert outcomes == Counter({"ok": 1, InvalidState.__name__: THREADS - 1})
    assert tb.ledger.balance(community, "m2")["minutes"].posted == 60
    assert tb.ledger.balance(community, "m1")["minutes"].posted == 60
    assert tb.verify(community).ok
