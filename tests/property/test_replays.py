"""Idempotent replays: a key answers only the request it was first used with. For every
write of the ledger facade, a replay with any one field changed is refused with
``IdempotencyConflict`` naming that field, and writes nothing; on both engines."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings

from tests.strategies import REPLAY_MEMBERS, replay_changes
from timebank import Timebank
from timebank.errors import IdempotencyConflict

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
# The request field each keyword argument is stored (and named in the conflict) as.
REQUEST_FIELD = {"sender": "from", "receiver": "to"}
_names = itertools.count()


def funded(tb: Timebank) -> str:
    """A community of its own with members a, b, c holding 1000 points and minutes."""
    code = f"r{next(_names)}"
    tb.communities.create(code, code)
    for member in REPLAY_MEMBERS:
        tb.members.add(code, member, member)
        for unit in ("points", "minutes"):
            tb.ledger.award(code, member, 1000, unit=unit, key=f"seed-{member}-{unit}")
    return code


def write(tb: Timebank, op: str, code: str, kwargs: dict[str, Any]) -> Any:
    return getattr(tb.ledger, op)(code, **kwargs, key="the-click")


def books(tb: Timebank, code: str) -> dict:
    return {m: tb.ledger.balance(code, m) for m in REPLAY_MEMBERS}


ADJUST = {"member": "a", "unit": "points", "reason": "r", "actor": "admin"}


@SETTINGS
@given(replay_changes())
@example(("adjust", {**ADJUST, "amount": 7}, "amount", -7))  # the sign flips of issue 10
@example(("adjust", {**ADJUST, "amount": -7}, "amount", 7))
def test_a_replay_with_any_one_field_changed_is_a_conflict_and_writes_nothing(
        tb: Timebank, change: tuple[str, dict, str, object]) -> None:
    op, kwargs, name, value = change
    code = funded(tb)
    first = write(tb, op, code, kwargs)
    assert write(tb, op, code, kwargs) == first  # the same request is answered again
    before = books(tb, code)
    with pytest.raises(IdempotencyConflict) as raised:
        write(tb, op, code, {**kwargs, name: value})
    assert raised.value.details["field"] == REQUEST_FIELD.get(name, name)
    assert books(tb, code) == before


@pytest.mark.parametrize("amount", [7, -7])
def test_a_replayed_adjustment_with_its_sign_flipped_is_a_conflict(
        tb: Timebank, amount: int) -> None:
    code = funded(tb)
    first = tb.ledger.adjust(code, "a", amount, key="fix", reason="r", actor="admin")
    with pytest.raises(IdempotencyConflict):
        tb.ledger.adjust(code, "a", -amount, key="fix", reason="r", actor="admin")
    assert tb.ledger.balance(code, "a")["points"].posted == 1000 + amount
    assert first.balances == {"a": 1000 + amount}
