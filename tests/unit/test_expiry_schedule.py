"""A member's expiry schedule (what goes on which day), without a database: its lots add
up, day by day, to the FIFO reference's expired amount."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given

from tests.strategies import earned_lots_and_debits, expiry_windows
from timebank.domain.expiry import ExpiringLot, ExpiryPolicy, fifo_expired, schedule

FIRST = date(2025, 1, 1)


def months(n: int) -> ExpiryPolicy:
    return ExpiryPolicy.from_mapping({"policy": "months", "months": n})


def test_each_lot_is_due_the_day_after_its_last_good_day() -> None:
    credits = {date(2025, 1, 10): 30, date(2025, 2, 3): 20}
    lots = schedule(months(1), "points", 50, 0, credits, date(2025, 2, 1), 60)
    assert lots == [ExpiringLot("points", 30, date(2025, 2, 11)),
                    ExpiringLot("points", 20, date(2025, 3, 4))]
    assert [lot.last_day for lot in lots] == [date(2025, 2, 10), date(2025, 3, 3)]


def test_spent_and_held_points_come_out_of_the_oldest_lot_first() -> None:
    credits = {date(2025, 1, 10): 30, date(2025, 2, 3): 20}
    assert schedule(months(1), "points", 40, 5, credits, date(2025, 2, 1), 60) == [
        ExpiringLot("points", 15, date(2025, 2, 11)),
        ExpiringLot("points", 20, date(2025, 3, 4))]
    assert schedule(months(1), "points", 20, 0, credits, date(2025, 2, 1), 60) == [
        ExpiringLot("points", 20, date(2025, 3, 4))]


def test_what_is_due_but_not_yet_expired_is_due_on_the_first_day() -> None:
    credits = {date(2024, 12, 1): 30}
    assert schedule(months(1), "points", 30, 0, credits, date(2025, 2, 1), 5) == [
        ExpiringLot("points", 30, date(2025, 2, 1))]


def test_nothing_is_scheduled_past_the_window_or_when_points_never_expire() -> None:
    credits = {date(2025, 1, 10): 30}
    assert schedule(months(1), "points", 30, 0, credits, date(2025, 1, 15), 26) == []
    assert schedule(months(1), "points", 30, 0, credits, date(2025, 1, 15), 27) == [
        ExpiringLot("points", 30, date(2025, 2, 11))]
    assert schedule(ExpiryPolicy(), "points", 30, 0, credits, date(2025, 1, 15), 900) == []


def test_a_yearly_reset_takes_every_lot_on_the_day_after_the_reset() -> None:
    reset = ExpiryPolicy.from_mapping({"policy": "yearly_reset", "reset_on": "12-31"})
    credits = {date(2025, 3, 1): 10, date(2025, 11, 30): 5, date(2026, 1, 1): 7}
    assert schedule(reset, "points", 22, 0, credits, date(2025, 12, 1), 60) == [
        ExpiringLot("points", 15, date(2026, 1, 1))]


@given(earned_lots_and_debits(), expiry_windows())
def test_the_schedule_adds_up_to_the_fifo_reference_on_every_day(
        history: tuple[list[tuple[int, int]], int], window: tuple[int, int, int]) -> None:
    lots, debits = history
    offset, days, n = window
    policy = months(n)
    credits: dict[date, int] = {}
    for day, amount in lots:
        credits[FIRST + timedelta(days=day)] = credits.get(FIRST + timedelta(days=day),
                                                           0) + amount
    posted = sum(amount for _, amount in lots) - debits
    start = FIRST + timedelta(days=offset)
    found = schedule(policy, "points", posted, 0, credits, start, days)
    assert all(lot.amount > 0 for lot in found)
    assert [lot.expires_on for lot in found] == sorted({lot.expires_on for lot in found})
    for step in range(days + 1):
        day = start + timedelta(days=step)
        cutoff = policy.cutoff(day)
        assert cutoff is not None
        reference = fifo_expired([(FIRST + timedelta(days=d), a) for d, a in lots], debits,
                                 cutoff)
        assert sum(lot.amount for lot in found if lot.expires_on <= day) == reference
