"""Redemptions on both engines: at the desk, held first, returned, refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from timebank import Timebank
from timebank.errors import (
    IdempotencyConflict,
    InsufficientPoints,
    InvalidAmount,
    InvalidState,
    LimitExceeded,
    NotEligible,
    NotFound,
    OutOfStock,
    UnknownGift,
    UnknownMember,
    ValidationError,
)
from timebank.timeutil import utcnow

TIERS = {"basis": "lifetime", "levels": [
    {"code": "bronze", "name_zh": "铜", "name_en": "Bronze", "threshold": 100},
    {"code": "silver", "name_zh": "银", "name_en": "Silver", "threshold": 1000}]}


def written(tb: Timebank) -> tuple:
    """Everything a redemption could write, to show a refusal wrote nothing."""
    with tb.store.engine.connect() as conn:
        counts = tuple(conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                       for t in ("entries", "postings", "holds", "idempotency_keys",
                                 "redemptions", "redemption_items", "stock_movements"))
        stock = conn.execute(sa.text("SELECT COALESCE(SUM(stock), 0) FROM gifts")).scalar_one()
        money = conn.execute(sa.text("SELECT SUM(posted), SUM(held) FROM accounts "
                                     "WHERE member_id IS NOT NULL")).one()
    return (*counts, stock, *money)


@pytest.fixture
def shop(tb: Timebank, community: str) -> str:
    tb.communities.update_settings(community, {"tiers": TIERS})
    tb.ledger.award(community, "m1", 500, key="seed-m1")
    tb.ledger.award(community, "m2", 50, key="seed-m2")
    tb.gifts.create(community, "rice", name="大米", name_en="Rice", cost=44, stock=10,
                    limit_per_member=2, limit_period="month",
                    price_rules=[{"tag": "low_income", "percent_off": 10}])
    tb.gifts.create(community, "soap", name="肥皂", cost=10, stock=3)
    tb.gifts.create(community, "checkup", name="爱心体检", cost=100, stock=5,
                    min_tier="silver")
    return community


def test_a_desk_redemption_spends_points_and_stock_at_once(tb: Timebank, shop: str) -> None:
    done = tb.redemptions.redeem(shop, "m1", [{"gift": "rice", "quantity": 2},
                                              {"gift": "soap", "quantity": 1}], key="r1")
    assert (done.status, done.total, done.unit, done.balance_after) == \
        ("fulfilled", 98, "points", 402)
    assert [(i.gift, i.quantity, i.total) for i in done.items] == [("rice", 2, 88),
                                                                    ("soap", 1, 10)]
    assert tb.gifts.get(shop, "rice").stock == 8
    assert tb.ledger.balance(shop, "m1")["points"].posted == 402
    assert tb.redemptions.by_receipt(shop, done.receipt) == done
    assert all(check.ok for check in tb.gifts.check_stock(shop))
    assert tb.verify(shop).ok


def test_a_replayed_redemption_returns_the_first_result_and_writes_nothing(
        tb: Timebank, shop: str) -> None:
    first = tb.redemptions.redeem(shop, "m1", [("soap", 1)], key="r1")
    before = written(tb)
    assert tb.redemptions.redeem(shop, "m1", [("soap", 1)], key="r1") == first
    assert written(tb) == before
    with pytest.raises(IdempotencyConflict):
        tb.redemptions.redeem(shop, "m1", [("soap", 2)], key="r1")


def test_a_kiosk_names_the_member_by_card(tb: Timebank, shop: str) -> None:
    tb.members.add(shop, "m9", "老王", card="CARD-9")
    tb.ledger.award(shop, "m9", 20, key="seed-m9")
    done = tb.redemptions.redeem(shop, None, [("soap", 1)], card="CARD-9", key="k1")
    assert done.member == "m9"
    with pytest.raises(UnknownMember):
        tb.redemptions.redeem(shop, None, [("soap", 1)], card="NOPE", key="k2")


def test_a_held_redemption_reserves_points_and_stock_until_fulfilled(
        tb: Timebank, shop: str) -> None:
    held = tb.redemptions.redeem(shop, "m1", [("rice", 1)], key="h1", hold=True)
    assert (held.status, held.balance_after) == ("held", 456)
    balance = tb.ledger.balance(shop, "m1")["points"]
    assert (balance.posted, balance.held) == (500, 44)
    assert tb.gifts.get(shop, "rice").stock == 9
    done = tb.redemptions.fulfil(shop, held.id, key="f1")
    assert (done.status, done.balance_after, done.receipt) == ("fulfilled", 456, held.receipt)
    balance = tb.ledger.balance(shop, "m1")["points"]
    assert (balance.posted, balance.held) == (456, 0)
    with pytest.raises(InvalidState):
        tb.redemptions.fulfil(shop, held.id, key="f2")
    assert tb.verify(shop).ok


def test_a_cancelled_hold_gives_back_points_and_stock_and_cannot_be_fulfilled(
        tb: Timebank, shop: str) -> None:
    held = tb.redemptions.redeem(shop, "m1", [("rice", 2)], key="h1", hold=True)
    cancelled = tb.redemptions.cancel(shop, held.id, key="c1")
    assert (cancelled.status, cancelled.balance_after) == ("cancelled", 500)
    assert tb.gifts.get(shop, "rice").stock == 10
    before = written(tb)
    with pytest.raises(InvalidState):
        tb.redemptions.fulfil(shop, held.id, key="f1")
    with pytest.raises(InvalidState):
        tb.redemptions.cancel(shop, held.id, key="c2")
    assert written(tb) == before
    assert [m.kind for m in tb.gifts.movements(shop, "rice")] == ["initial", "reserve",
                                                                  "release"]


def test_a_returned_redemption_reverses_the_spend_and_restocks(tb: Timebank, shop: str) -> None:
    done = tb.redemptions.redeem(shop, "m1", [("rice", 2)], key="r1")
    back = tb.redemptions.return_redemption(shop, done.id, key="b1", reason="damaged bag")
    assert (back.status, back.balance_after) == ("returned", 500)
    assert tb.gifts.get(shop, "rice").stock == 10
    with pytest.raises(InvalidState):
        tb.redemptions.return_redemption(shop, done.id, key="b2")
    # returned items no longer count against the monthly limit
    assert tb.redemptions.redeem(shop, "m1", [("rice", 2)], key="r2").status == "fulfilled"
    assert tb.verify(shop).ok


def test_a_member_takes_at_most_the_limit_per_period(tb: Timebank, shop: str) -> None:
    tb.redemptions.redeem(shop, "m1", [("rice", 1)], key="r1")
    tb.redemptions.redeem(shop, "m1", [("rice", 1)], key="r2", hold=True)
    before = written(tb)
    with pytest.raises(LimitExceeded) as info:
        tb.redemptions.redeem(shop, "m1", [("rice", 1)], key="r3")
    assert info.value.details["field"] == "quantity"
    assert written(tb) == before


def test_a_low_income_household_pays_the_discounted_price(tb: Timebank, shop: str) -> None:
    tb.members.add(shop, "poor", "低保户", tags=["low_income"])
    tb.ledger.award(shop, "poor", 100, key="seed-poor")
    done = tb.redemptions.redeem(shop, "poor", [("rice", 2), ("soap", 1)], key="r1")
    assert [(i.gift, i.unit_price) for i in done.items] == [("rice", 40), ("soap", 10)]
    assert done.total == 90


def test_a_gift_needing_a_tier_the_member_lacks_is_refused_and_nothing_written(
        tb: Timebank, shop: str) -> None:
    before = written(tb)
    with pytest.raises(NotEligible):
        tb.redemptions.redeem(shop, "m1", [("checkup", 1)], key="r1")
    assert written(tb) == before
    tb.ledger.award(shop, "m1", 600, key="more")  # lifetime 1,100: silver
    assert tb.redemptions.redeem(shop, "m1", [("checkup", 1)], key="r2").total == 100


@pytest.mark.parametrize(("items", "error"), [
    ([("caviar", 1)], UnknownGift),
    ([("rice", 0)], InvalidAmount),
    ([("rice", -2)], InvalidAmount),
    ([("soap", 4)], OutOfStock),
    ([("rice", 1), ("soap", 1), ("rice", 9)], LimitExceeded),
])
def test_bad_items_raise_their_own_error_and_write_nothing(
        tb: Timebank, shop: str, items: list, error: type) -> None:
    before = written(tb)
    with pytest.raises(error):
        tb.redemptions.redeem(shop, "m1", items, key="bad")
    assert written(tb) == before


def test_a_member_without_enough_points_gets_nothing_and_the_stock_stays(
        tb: Timebank, shop: str) -> None:
    before = written(tb)
    with pytest.raises(InsufficientPoints):
        tb.redemptions.redeem(shop, "m2", [("rice", 2)], key="r1")
    assert written(tb) == before


def test_a_gift_outside_its_active_window_is_not_offered(tb: Timebank, shop: str) -> None:
    tomorrow = date.today() + timedelta(days=2)
    tb.gifts.update(shop, "soap", {"active_from": tomorrow})
    with pytest.raises(InvalidState):
        tb.redemptions.redeem(shop, "m1", [("soap", 1)], key="r1")
    assert [g.code for g in tb.gifts.catalogue(shop, active_on=date.today())] == \
        ["checkup", "rice"]


def test_items_priced_in_two_units_cannot_share_a_redemption(tb: Timebank, shop: str) -> None:
    tb.gifts.create(shop, "haircut", name="理发", cost=30, unit="minutes", stock=5)
    with pytest.raises(ValidationError):
        tb.redemptions.redeem(shop, "m1", [("soap", 1), ("haircut", 1)], key="r1")


def test_stale_holds_are_released_by_the_job_and_fresh_ones_kept(
        tb: Timebank, shop: str) -> None:
    old = tb.redemptions.redeem(shop, "m1", [("soap", 1)], key="h1", hold=True)
    released = tb.redemptions.release_stale(shop, now=utcnow() + timedelta(minutes=61))
    assert released == [old.id]
    fresh = tb.redemptions.redeem(shop, "m1", [("soap", 1)], key="h2", hold=True)
    assert tb.redemptions.release_stale(shop) == []
    assert tb.redemptions.get(shop, fresh.id).status == "held"
    assert tb.redemptions.get(shop, old.id).status == "cancelled"
    assert tb.gifts.get(shop, "soap").stock == 2


def test_redemptions_are_listed_by_member_and_status(tb: Timebank, shop: str) -> None:
    a = tb.redemptions.redeem(shop, "m1", [("soap", 1)], key="r1")
    b = tb.redemptions.redeem(shop, "m1", [("soap", 1)], key="r2", hold=True)
    assert [r.id for r in tb.redemptions.find(shop, member="m1")] == [b.id, a.id]
    assert [r.id for r in tb.redemptions.find(shop, status="held")] == [b.id]
    with pytest.raises(NotFound):
        tb.redemptions.get(shop, 999_999)


def test_a_gift_is_updated_field_by_field_and_stock_moves_only_with_a_reason(
        tb: Timebank, shop: str) -> None:
    gift = tb.gifts.update(shop, "soap", {"cost": 12, "name_en": "Soap"})
    assert (gift.cost, gift.name_en, gift.name, gift.stock) == (12, "Soap", "肥皂", 3)
    with pytest.raises(ValidationError) as info:
        tb.gifts.update(shop, "soap", {"stock": 100})
    assert info.value.details["field"] == "stock"
    with pytest.raises(ValidationError):
        tb.gifts.update(shop, "soap", {"min_tier": "platinum"})
    assert tb.gifts.restock(shop, "soap", 7, reason="delivery").stock_after == 10
    change = tb.gifts.correct(shop, "soap", 8, reason="stocktake: two broken")
    assert (change.quantity, change.stock_after) == (-2, 8)
    assert [(m.kind, m.quantity) for m in tb.gifts.movements(shop, "soap")] == \
        [("initial", 3), ("restock", 7), ("correction", -2)]
    assert all(check.ok for check in tb.gifts.check_stock(shop))
    with pytest.raises(UnknownGift):
        tb.gifts.restock(shop, "caviar", 1, reason="?")
