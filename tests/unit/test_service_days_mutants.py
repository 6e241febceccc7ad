"""Service days as worked examples: which gifts a day's stock reconciliation lists, and
with which counts."""

from datetime import date

from timebank.domain.catalogue import StockLine
from timebank.domain.service_days import ServiceDay, ServiceDayRecord, reconcile

DAY = ServiceDay("sd1", "Saturday market", date(2026, 3, 7), "open")


def record(opening, closing=None):
    return ServiceDayRecord(5, DAY, 100, None if closing is None else 120, opening, closing)


def test_an_open_day_closes_at_the_stock_now():
    # rice: 10 at opening, 3 redeemed (-3), restocked 5 -> 12 now.
    lines = reconcile(record({"1": 10}), [(1, "rice", 12)], {1: {"redeem": -3, "restock": 5}})
    assert lines == (StockLine("rice", 10, 5, 3, 12),)
    assert lines[0].balanced


def test_a_closed_day_closes_at_its_closing_count_not_the_stock_now():
    lines = reconcile(record({"1": 10}, {"1": 7}), [(1, "rice", 2)], {1: {"redeem": -3}})
    assert lines == (StockLine("rice", 10, 0, 3, 7),)


def test_a_gift_missing_from_the_closing_count_closed_at_zero():
    lines = reconcile(record({"1": 4}, {}), [(1, "rice", 9)], {1: {"redeem": -4}})
    assert lines == (StockLine("rice", 4, 0, 4, 0),)


def test_counts_stored_as_text_are_read_as_numbers():
    lines = reconcile(record({"1": "6"}, {"1": "2"}), [(1, "rice", "9")], {})
    assert lines == (StockLine("rice", 6, 0, 0, 2),)
    assert reconcile(record({}), [(1, "rice", "9")], {}) == (StockLine("rice", 0, 0, 0, 9),)


def test_a_gift_is_listed_if_it_had_stock_at_either_end_or_moved():
    stock = [(1, "rice", 0), (2, "oil", 5), (3, "soap", 0), (4, "tea", 0)]
    # rice had stock at opening only; oil has stock now only; soap moved in and out to
    # zero; tea neither had stock nor moved.
    lines = reconcile(record({"1": 2, "4": 0}), stock,
                      {1: {"redeem": -2}, 3: {"restock": 1, "redeem": -1}})
    assert lines == (StockLine("rice", 2, 0, 2, 0), StockLine("oil", 0, 0, 0, 5),
                     StockLine("soap", 0, 1, 1, 0))


def test_a_closed_day_lists_a_gift_that_only_had_stock_at_closing():
    lines = reconcile(record({}, {"2": 3}), [(2, "oil", 0), (3, "tea", 8)], {})
    assert lines == (StockLine("oil", 0, 0, 0, 3),)
