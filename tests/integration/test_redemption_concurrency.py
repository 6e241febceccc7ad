"""Racing redemptions, with real threads each on its own pooled connection: stock is
never oversold and a member's limit never exceeded, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import pytest

from tests.racing import race
from timebank import Timebank
from timebank.errors import InsufficientPoints, InvalidState, LimitExceeded, OutOfStock
from timebank.services.redemptions import redeem

THREADS = 16


@pytest.mark.parametrize("hold", [False, True])
def test_sixteen_members_racing_for_k_items_get_exactly_k(
        tb: Timebank, community: str, hold: bool) -> None:
    stock = 5
    tb.gifts.create(community, "rice", name="大米", cost=44, stock=stock)
    members = [f"r{i}" for i in range(THREADS)]
    for code in members:
        tb.members.add(community, code, code)
        tb.ledger.award(community, code, 100, key=f"seed-{code}")

    outcomes = race([
        (lambda code=code: tb.redemptions.redeem(community, code, [("rice", 1)],
                                                 key=f"race-{code}", hold=hold))
        for code in members])

    assert outcomes == Counter({"ok": stock, OutOfStock.__name__: THREADS - stock})
    assert tb.gifts.get(community, "rice").stock == 0
    assert len(tb.redemptions.find(community, limit=100)) == stock
    assert all(check.ok for check in tb.gifts.check_stock(community))
    assert tb.verify(community).ok


@pytest.mark.parametrize("hold", [False, True])
def test_one_member_racing_never_exceeds_the_limit(tb: Timebank, community: str,
                                                   hold: bool) -> None:
    limit = 3
    tb.gifts.create(community, "oil", name="食用油", cost=10, stock=100,
                    limit_per_member=limit, limit_period="month")
    tb.ledger.award(community, "m1", 1000, key="seed")

    outcomes = race([
        (lambda i=i: tb.redemptions.redeem(community, "m1", [("oil", 1)], key=f"race-{i}",
                                           hold=hold))
        for i in range(THREADS)])

    assert outcomes == Counter({"ok": limit, LimitExceeded.__name__: THREADS - limit})
    assert tb.gifts.get(community, "oil").stock == 100 - limit
    balance = tb.ledger.balance(community, "m1")["points"]
    assert (balance.posted, balance.held) == ((1000, 10 * limit) if hold
                                              else (1000 - 10 * limit, 0))
    assert tb.verify(community).ok


@pytest.mark.parametrize("hold", [False, True])
def test_one_member_racing_gets_exactly_what_the_points_pay_for(
        tb: Timebank, community: str, hold: bool) -> None:
    paid_for = 4
    tb.gifts.create(community, "soap", name="肥皂", cost=10, stock=100)
    tb.members.update(community, "m2", card="C-M2")
    tb.ledger.award(community, "m2", 10 * paid_for + 5, key="seed")

    outcomes = race([  # by card, as a kiosk desk names the member
        (lambda i=i: tb.redemptions.redeem(community, None, [("soap", 1)], card="C-M2",
                                           key=f"race-{i}", hold=hold))
        for i in range(THREADS)])

    assert outcomes == Counter({"ok": paid_for,
                                InsufficientPoints.__name__: THREADS - paid_for})
    assert tb.gifts.get(community, "soap").stock == 100 - paid_for
    balance = tb.ledger.balance(community, "m2")["points"]
    assert balance.posted - balance.held == 5
    assert tb.verify(community).ok


def test_sixteen_desks_handing_over_one_held_redemption_hand_it_over_once(
        tb: Timebank, community: str) -> None:
    tb.gifts.create(community, "rice", name="大米", cost=44, stock=5)
    tb.ledger.award(community, "m3", 100, key="seed")
    held = tb.redemptions.redeem(community, "m3", [("rice", 1)], key="hold", hold=True)

    outcomes = race([  # half hand it over, half cancel it, each with a key of its own
        (lambda i=i: (tb.redemptions.fulfil if i % 2 else tb.redemptions.cancel)(
            community, held.id, key=f"race-{i}"))
        for i in range(THREADS)])

    assert outcomes == Counter({"ok": 1, InvalidState.__name__: THREADS - 1})
    final = tb.redemptions.get(community, held.id)
    balance = tb.ledger.balance(community, "m3")["points"]
    assert balance.held == 0
    assert (balance.posted, tb.gifts.get(community, "rice").stock) == (
        (56, 4) if final.status == "fulfilled" else (100, 5))
    assert tb.verify(community).ok


def test_a_cancellation_waiting_for_a_redemption_of_its_gift_records_the_stock_after_it(
        tb: Timebank, community: str) -> None:
    """The cancellation's snapshot is older than the redemption it waits for: the stock
    it puts back, and the movement it records, start from the stock as committed."""
    tb.gifts.create(community, "rice", name="大米", cost=10, stock=10)
    for member in ("m3", "m4"):
        tb.ledger.award(community, member, 100, key=f"seed-{member}")
    held = tb.redemptions.redeem(community, "m3", [("rice", 1)], key="hold", hold=True)
    taken, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def desk() -> None:
        def work(uow: Any) -> Any:
            done = redeem(uow, "m4", [("rice", 2)], key="desk", actor="desk")
            taken.set()  # the gift row stays locked until this transaction commits
            assert release.wait(30)
            return done
        tb.store.transact(community, work)

    def cancel() -> None:
        outcome["done"] = tb.redemptions.cancel(community, held.id, key="cancel")

    redeeming = threading.Thread(target=desk)
    redeeming.start()
    assert taken.wait(30)
    cancelling = threading.Thread(target=cancel)
    cancelling.start()
    time.sleep(0.5)  # the cancellation has read its snapshot and waits for the gift row
    release.set()
    redeeming.join(30)
    cancelling.join(30)

    assert outcome["done"].status == "cancelled"
    assert tb.gifts.get(community, "rice").stock == 10 - 2
    assert [m.stock_after for m in tb.gifts.movements(community, "rice")][-1] == 8
    assert all(check.ok for check in tb.gifts.check_stock(community))
    assert tb.verify(community).ok
