"""Service days: redemptions at the desk, the day's summary, and the stock count."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from timebank import Timebank
from timebank.errors import AlreadyExists, InvalidState, NotFound

DAY = date(2025, 6, 6)


@pytest.fixture
def day(tb: Timebank, community: str) -> str:
    for member in ("m1", "m2"):
        tb.ledger.award(community, member, 300, key=f"seed-{member}")
    tb.gifts.create(community, "rice", name="大米", cost=44, stock=10)
    tb.gifts.create(community, "soap", name="肥皂", cost=10, stock=20)
    tb.service_days.open(community, "fri-23", name="周五兑换日", day=DAY)
    return "fri-23"


def test_a_service_day_summary_counts_redemptions_items_points_and_stock(
        tb: Timebank, community: str, day: str) -> None:
    tb.redemptions.redeem(community, "m1", [("rice", 2), ("soap", 1)], key="a",
                          service_day=day)
    tb.redemptions.redeem(community, "m2", [("soap", 3)], key="b", service_day=day)
    tb.redemptions.redeem(community, "m2", [("rice", 1)], key="c")  # not at the desk
    tb.gifts.restock(community, "rice", 5, reason="delivery during the day")

    summary = tb.service_days.summary(community, day)
    assert summary.day.status == "open"
    assert summary.redemptions == {"fulfilled": 2}
    assert [(h.gift, h.quantity, h.points) for h in summary.handed_out] == \
        [("rice", 2, 88), ("soap", 4, 40)]
    assert summary.spent == {"points": 128}
    lines = {line.gift: line for line in summary.stock}
    assert (lines["rice"].opening, lines["rice"].restocked, lines["rice"].handed_out,
            lines["rice"].closing) == (10, 5, 3, 12)
    assert summary.balanced


def test_closing_a_day_releases_its_holds_and_counts_the_closing_stock(
        tb: Timebank, community: str, day: str) -> None:
    held = tb.redemptions.redeem(community, "m1", [("rice", 3)], key="a", hold=True,
                                 service_day=day)
    tb.redemptions.redeem(community, "m2", [("rice", 1)], key="b", service_day=day)
    summary = tb.service_days.close(community, day)
    assert summary.day.status == "closed"
    assert tb.redemptions.get(community, held.id).status == "cancelled"
    assert tb.ledger.balance(community, "m1")["points"].held == 0
    rice = next(line for line in summary.stock if line.gift == "rice")
    assert (rice.opening, rice.handed_out, rice.closing) == (10, 1, 9)
    assert summary.balanced
    # what happens after closing is not the closed day's business
    tb.redemptions.redeem(community, "m2", [("rice", 1)], key="c")
    assert tb.service_days.summary(community, day) == summary


def test_a_closed_day_takes_no_redemptions_and_closes_once(
        tb: Timebank, community: str, day: str) -> None:
    tb.service_days.close(community, day)
    with pytest.raises(InvalidState):
        tb.redemptions.redeem(community, "m1", [("soap", 1)], key="a", service_day=day)
    with pytest.raises(InvalidState):
        tb.service_days.close(community, day)
    with pytest.raises(NotFound):
        tb.redemptions.redeem(community, "m1", [("soap", 1)], key="b", service_day="nope")
    with pytest.raises(AlreadyExists):
        tb.service_days.open(community, day, name="again", day=DAY)


def test_stock_changed_behind_the_books_unbalances_the_day(
        tb: Timebank, community: str, day: str) -> None:
    with tb.store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE gifts SET stock = stock - 1 WHERE code = 'soap'"))
    summary = tb.service_days.close(community, day)
    assert not summary.balanced
    assert [line.gift for line in summary.stock if not line.balanced] == ["soap"]
