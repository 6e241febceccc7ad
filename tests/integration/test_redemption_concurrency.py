"""Racing redemptions, with real threads each on its own pooled connection: stock is
never oversold and a member's limit never exceeded, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.racing import race
from timebank import Timebank
from timebank.errors import InsufficientPoints, InvalidState, LimitExceeded, OutOfStock

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
