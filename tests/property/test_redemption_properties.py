"""Properties of redemptions, stock, expiry and transfers over random histories, on
both engines. Each example works in a community of its own in the same database."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings

from tests.strategies import (
    award_and_spend_history,
    expiry_run_days,
    hold_resolution_steps,
    stock_operations,
    storage_caps,
    transfer_moves,
)
from timebank import Timebank
from timebank.domain.expiry import fifo_expired
from timebank.errors import InvalidState, LimitExceeded, OutOfStock, TimebankError

SETTINGS = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
_names = itertools.count()


def fresh(tb: Timebank, members: int = 3, settings_: dict | None = None) -> str:
    code = f"p{next(_names)}"
    tb.communities.create(code, code, settings=settings_ or {})
    for i in range(members):
        tb.members.add(code, f"m{i}", f"m{i}")
    return code


@SETTINGS
@given(hold_resolution_steps())
def test_a_hold_resolves_exactly_once(tb: Timebank, steps: list[str]) -> None:
    code = fresh(tb)
    tb.ledger.award(code, "m0", 100, key="seed")
    tb.gifts.create(code, "rice", name="大米", cost=30, stock=2)
    held = tb.redemptions.redeem(code, "m0", [("rice", 1)], key="h", hold=True)
    resolved: list[str] = []
    for i, step in enumerate(steps):
        state = tb.redemptions.get(code, held.id).status
        allowed = {"fulfil": "held", "cancel": "held", "return": "fulfilled"}[step]
        call = {"fulfil": tb.redemptions.fulfil, "cancel": tb.redemptions.cancel,
                "return": tb.redemptions.return_redemption}[step]
        if state == allowed:
            call(code, held.id, key=f"s{i}")
            resolved.append(step)
        else:
            with pytest.raises(InvalidState):
                call(code, held.id, key=f"s{i}")
    final = tb.redemptions.get(code, held.id).status
    balance = tb.ledger.balance(code, "m0")["points"]
    spent = 30 if final == "fulfilled" else 0
    assert (balance.posted, balance.held) == (100 - spent, 0 if final != "held" else 30)
    assert tb.gifts.get(code, "rice").stock == (2 if final in ("cancelled", "returned") else 1)
    assert resolved[:1] in ([], ["fulfil"], ["cancel"])
    assert len([s for s in resolved if s in ("fulfil", "cancel")]) <= 1
    assert tb.verify(code).ok


@SETTINGS
@given(stock_operations())
def test_stock_always_equals_the_sum_of_its_movements(tb: Timebank, ops: list) -> None:
    code = fresh(tb)
    tb.ledger.award(code, "m0", 10_000, key="seed")
    tb.gifts.create(code, "soap", name="肥皂", cost=3, stock=4, limit_per_member=6,
                    limit_period="day")
    made: list[int] = []
    for i, (op, n, flag) in enumerate(ops):
        try:
            if op == "redeem":
                made.append(tb.redemptions.redeem(code, "m0", [("soap", n)], key=f"o{i}",
                                                  hold=flag).id)
            elif op == "restock":
                tb.gifts.restock(code, "soap", n, reason="delivery")
            elif op == "correct":
                tb.gifts.correct(code, "soap", n, reason="stocktake")
            elif op == "resolve" and made:
                target = made[n % len(made)]
                (tb.redemptions.fulfil if flag else tb.redemptions.cancel)(
                    code, target, key=f"o{i}")
            elif op == "return" and made:
                tb.redemptions.return_redemption(code, made[n % len(made)], key=f"o{i}")
        except (OutOfStock, LimitExceeded, InvalidState):
            pass
    [check] = tb.gifts.check_stock(code)
    assert check.ok and check.stock >= 0
    movements = tb.gifts.movements(code, "soap")
    assert sum(m.quantity for m in movements) == check.stock
    assert all(m.stock_after >= 0 for m in movements)
    assert tb.verify(code).ok


@SETTINGS
@given(award_and_spend_history(), expiry_run_days())
def test_fifo_expiry_takes_what_was_earned_before_the_cutoff_and_not_spent(
        tb: Timebank, events: list, as_of_day: int) -> None:
    code = fresh(tb, 1, {"expiry": {"policy": "months", "months": 6}})
    start = date(2024, 1, 1)
    lots: list[tuple[date, int]] = []
    debits = 0
    for i, (kind, day, amount) in enumerate(sorted(events, key=lambda e: e[1])):
        when = datetime.combine(start + timedelta(days=day), datetime.min.time()) \
            + timedelta(hours=4)
        if kind == "award":
            tb.ledger.award(code, "m0", amount, key=f"e{i}", occurred_at=when)
            lots.append((start + timedelta(days=day), amount))
        elif sum(a for _, a in lots) - debits >= amount:
            tb.ledger.spend(code, "m0", amount, key=f"e{i}")
            debits += amount
    as_of = start + timedelta(days=as_of_day)
    cutoff = tb.expiry.policy(code).cutoff(as_of)
    assert cutoff is not None
    expected = fifo_expired(lots, debits, cutoff)
    run = tb.expiry.expire(code, as_of=as_of)
    assert run.total == expected
    assert tb.expiry.expire(code, as_of=as_of).total == 0
    assert tb.verify(code).ok


@SETTINGS
@given(transfer_moves(), storage_caps())
def test_no_transfer_ever_breaks_the_storage_cap(tb: Timebank, moves: list, cap: int) -> None:
    code = fresh(tb, 4, {"transfers": {"units": ["minutes"], "storage_cap": cap}})
    for i in range(4):
        tb.ledger.award(code, f"m{i}", cap // (i + 1), unit="minutes", key=f"seed{i}")
    for n, (src, dst, amount) in enumerate(moves):
        try:
            if src == dst:
                tb.transfers.donate(code, f"m{src}", amount, key=f"t{n}")
                tb.transfers.grant(code, f"m{(src + 1) % 4}", amount, key=f"g{n}")
            else:
                tb.transfers.give(code, f"m{src}", f"m{dst}", amount, key=f"t{n}")
        except TimebankError:
            pass
        for i in range(4):
            assert tb.ledger.balance(code, f"m{i}")["minutes"].posted <= cap
    assert tb.verify(code).ok
