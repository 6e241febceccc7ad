"""Catalogue values: price rules, items, periods, receipts, stock reconciliation."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given

from tests.strategies import redemption_ids
from timebank.domain.catalogue import (
    PriceRule,
    item_requests,
    period_start,
    price_rules,
    receipt_code,
    receipt_id,
    stock_line,
    unit_price,
)
from timebank.errors import InvalidAmount, ValidationError


def test_a_low_income_household_pays_ten_percent_less_rounded_half_up() -> None:
    rules = price_rules([{"tag": "low_income", "percent_off": 10}])
    assert unit_price(44, rules, ["low_income"]) == 40
    assert unit_price(44, rules, ["party_member"]) == 44


def test_the_lowest_matching_price_wins_and_is_never_below_one() -> None:
    rules = price_rules([{"tag": "a", "percent_off": 50}, {"tag": "b", "price": 3},
                         {"tag": "c", "percent_off": 99}])
    assert unit_price(10, rules, ["a", "b"]) == 3
    assert unit_price(1, rules, ["c"]) == 1


@pytest.mark.parametrize("rule", [
    {"tag": "x"}, {"tag": "x", "percent_off": 10, "price": 5}, {"tag": "x", "percent_off": 0},
    {"tag": "x", "percent_off": 100}, {"tag": "", "price": 5}, {"tag": "x", "price": 0},
    {"tag": "x", "price": 5, "colour": "red"},
])
def test_a_malformed_price_rule_is_refused(rule: dict) -> None:
    with pytest.raises(ValidationError):
        PriceRule.from_mapping(rule)


def test_items_naming_one_gift_twice_are_merged() -> None:
    items = item_requests([{"gift": "rice", "quantity": 1}, ("rice", 2), {"gift": "soap"}])
    assert [(i.gift, i.quantity) for i in items] == [("rice", 3), ("soap", 1)]


@pytest.mark.parametrize("quantity", [0, -1, 1.5, True, "2"])
def test_a_quantity_that_is_not_a_positive_whole_number_is_refused(quantity: object) -> None:
    with pytest.raises(InvalidAmount) as info:
        item_requests([{"gift": "rice", "quantity": quantity}])
    assert info.value.details["field"] == "quantity"


def test_a_redemption_without_items_is_refused() -> None:
    with pytest.raises(ValidationError):
        item_requests([])


@pytest.mark.parametrize(("period", "start"), [
    ("day", date(2025, 5, 14)), ("week", date(2025, 5, 12)), ("month", date(2025, 5, 1)),
    ("quarter", date(2025, 4, 1)), ("year", date(2025, 1, 1)),
])
def test_a_limit_period_starts_on_its_first_local_day(period: str, start: date) -> None:
    assert period_start(period, date(2025, 5, 14)) == start


@given(redemption_ids())
def test_a_receipt_code_names_its_redemption_and_nothing_else(redemption_id: int) -> None:
    code = receipt_code(redemption_id)
    assert len(code) == 8
    assert receipt_id(code) == redemption_id
    assert receipt_id(code.lower()) == redemption_id


def test_text_that_is_not_a_receipt_code_names_no_redemption() -> None:
    assert receipt_id("hello") is None
    assert receipt_id("UUUUUUUU") is None


def test_a_stock_line_balances_only_when_the_counts_agree_with_the_movements() -> None:
    moves = {"restock": 5, "redeem": -3, "reserve": -2, "release": 1}
    assert stock_line("rice", 10, moves, 11).balanced
    line = stock_line("rice", 10, moves, 12)
    assert (line.restocked, line.handed_out, line.balanced) == (5, 4, False)
