"""The gift catalogue's values as worked examples: counts, texts and periods at their
bounds, price rounding, the exact words of each refusal, and receipts typed sloppily."""

from datetime import date

import pytest

from timebank.domain.catalogue import (
    ItemRequest,
    PriceRule,
    StockLine,
    check_count,
    check_period,
    check_quantity,
    check_text,
    item_requests,
    period_start,
    price_rules,
    receipt_code,
    receipt_id,
    stock_line,
)
from timebank.errors import TimebankError


def refusal(call, *args, **kwargs):
    """(class name, message, details) of the error ``call`` raises."""
    with pytest.raises(TimebankError) as caught:
        call(*args, **kwargs)
    return type(caught.value).__name__, str(caught.value), caught.value.details


# -- quantities, counts, texts, periods -------------------------------------------------------


def test_a_quantity_is_refused_as_not_whole_or_not_positive():
    assert check_quantity(1) == 1
    assert refusal(check_quantity, 1.0) == (
        "InvalidAmount", "quantity must be a whole number, got 1.0", {"field": "quantity"})
    assert refusal(check_quantity, 0, "price") == (
        "InvalidAmount", "price must be positive, got 0", {"field": "price"})


@pytest.mark.parametrize("count", [0, 1, 250])
def test_a_stock_count_may_be_zero_or_more(count):
    assert check_count(count, "opening") == count


@pytest.mark.parametrize(("count", "shown"), [(-1, "-1"), (True, "True"), (2.0, "2.0")])
def test_a_stock_count_below_zero_or_not_whole_is_refused(count, shown):
    assert refusal(check_count, count, "opening") == (
        "InvalidAmount", f"opening must be a whole number >= 0, got {shown}",
        {"field": "opening"})


def test_a_text_of_two_hundred_characters_is_the_longest_by_default():
    assert check_text("字" * 200, "name") == "字" * 200
    assert refusal(check_text, "字" * 201, "name") == (
        "ValidationError", "name must be non-empty text of at most 200 characters",
        {"field": "name"})


@pytest.mark.parametrize("value", ["", "   ", None, 7])
def test_a_required_text_must_have_something_in_it(value):
    assert refusal(check_text, value, "name")[1] == (
        "name must be non-empty text of at most 200 characters")


def test_an_optional_text_may_be_empty_but_not_too_long():
    assert check_text("", "note", 5, required=False) == ""
    assert check_text("  ", "note", 5, required=False) == "  "
    assert refusal(check_text, "abcdef", "note", 5, required=False) == (
        "ValidationError", "note must be text of at most 5 characters", {"field": "note"})


@pytest.mark.parametrize("period", ["day", "week", "month", "quarter", "year"])
def test_the_limit_periods_are_day_to_year(period):
    assert check_period(period) == period


def test_another_limit_period_is_refused_with_the_periods_there_are():
    assert refusal(check_period, "fortnight") == (
        "ValidationError",
        "limit_period must be one of day, week, month, quarter, year, got 'fortnight'",
        {"field": "limit_period"})


@pytest.mark.parametrize(("month", "first"), [
    (1, 1), (2, 1), (3, 1), (4, 4), (5, 4), (6, 4), (7, 7), (8, 7), (9, 7),
    (10, 10), (11, 10), (12, 10)])
def test_a_quarter_starts_in_january_april_july_or_october(month, first):
    assert period_start("quarter", date(2026, month, 15)) == date(2026, first, 1)


# -- prices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("cost", "percent_off", "price"), [
    (100, 10, 90), (44, 10, 40), (101, 51, 49), (15, 50, 8), (1, 99, 0)])
def test_a_percentage_off_is_rounded_half_up(cost, percent_off, price):
    # 101 at 51% off is 49.49: 49; 15 at 50% off is 7.5: 8.
    assert PriceRule("senior", percent_off=percent_off).apply(cost) == price


@pytest.mark.parametrize("percent_off", [1, 99])
def test_one_to_ninety_nine_percent_off_is_allowed(percent_off):
    assert PriceRule.from_mapping({"tag": "senior", "percent_off": percent_off}) == \
        PriceRule("senior", percent_off, None)


def test_a_fixed_price_rule_is_read_as_such():
    assert price_rules([{"tag": "a", "price": 1}, {"tag": "b", "percent_off": 5}]) == (
        PriceRule("a", None, 1), PriceRule("b", 5, None))
    assert price_rules(None) == ()


@pytest.mark.parametrize(("rule", "message"), [
    ("x", "price_rules must be an object"),
    ({"tag": "a", "price": 0}, "price_rules must be positive, got 0"),
    ({"tag": " "}, "price_rules.tag must be non-empty text"),
    ({"tag": 3, "price": 1}, "price_rules.tag must be non-empty text"),
    ({"tag": "a"}, "price_rules has a tag and exactly one of percent_off or price"),
    ({"tag": "a", "price": 1, "percent_off": 5},
     "price_rules has a tag and exactly one of percent_off or price"),
    ({"tag": "a", "price": 1, "note": "x"},
     "price_rules has a tag and exactly one of percent_off or price"),
    ({"tag": "a", "percent_off": 0}, "price_rules.percent_off must be a whole number from 1 to 99"),
    ({"tag": "a", "percent_off": 100},
     "price_rules.percent_off must be a whole number from 1 to 99"),
    ({"tag": "a", "percent_off": True},
     "price_rules.percent_off must be a whole number from 1 to 99"),
    ({"tag": "a", "percent_off": 9.5},
     "price_rules.percent_off must be a whole number from 1 to 99"),
])
def test_a_bad_price_rule_is_refused_under_price_rules(rule, message):
    # A price of zero is an InvalidAmount, which is a ValidationError too.
    assert refusal(PriceRule.from_mapping, rule)[1:] == (message, {"field": "price_rules"})


def test_a_bad_price_rule_in_a_list_is_named_by_its_index():
    assert refusal(price_rules, [{"tag": "a", "price": 1}, {"tag": ""}]) == (
        "ValidationError", "price_rules[1].tag must be non-empty text", {"field": "price_rules"})


@pytest.mark.parametrize("rules", ["senior", {"tag": "a", "price": 1}, 5])
def test_price_rules_must_be_a_list(rules):
    assert refusal(price_rules, rules) == (
        "ValidationError", "price_rules must be a list", {"field": "price_rules"})


# -- items ------------------------------------------------------------------------------------


def test_items_name_a_gift_and_a_quantity_one_by_default_and_merge_by_gift():
    items = [("soap", 2), {"gift": "soap"}, ["towel", 3], {"gift": "g" * 64, "quantity": 1}]
    assert item_requests(items) == (ItemRequest("soap", 3), ItemRequest("towel", 3),
                                    ItemRequest("g" * 64, 1))


@pytest.mark.parametrize("items", [[], "soap", None, {"gift": "soap"}])
def test_a_redemption_without_a_list_of_items_is_refused(items):
    assert refusal(item_requests, items) == (
        "ValidationError", "a redemption has at least one item", {"field": "items"})


@pytest.mark.parametrize("item", ["ab", "soap", 5, ("soap", 1, 2)])
def test_an_item_that_is_neither_a_table_nor_a_pair_is_refused_by_position(item):
    assert refusal(item_requests, [("towel", 1), item]) == (
        "ValidationError", "items[1] is {gift, quantity}", {"field": "items"})


def test_a_gift_name_is_at_most_sixty_four_characters():
    assert refusal(item_requests, [("g" * 65, 1)]) == (
        "ValidationError", "gift must be non-empty text of at most 64 characters",
        {"field": "gift"})


# -- receipts and stock -------------------------------------------------------------------------


def test_a_receipt_typed_in_lower_case_with_hyphens_and_look_alike_letters_is_read():
    code = receipt_code(75)
    assert "0" in code and "1" in code
    sloppy = code.replace("0", "o").replace("1", "l").lower()
    assert receipt_id(f" {sloppy[:4]}-{sloppy[4:]} ") == 75
    assert receipt_id(code.replace("1", "i").replace("0", "O")) == 75
    assert receipt_id(code.replace("1", "L")) == 75


@pytest.mark.parametrize("redemption", [0, 1, 75, 2**40 - 1])
def test_a_receipt_code_reads_back_as_its_redemption(redemption):
    assert receipt_id(receipt_code(redemption)) == redemption


@pytest.mark.parametrize("code", ["", "B90AJP1", "B90AJP1NN", "B90AJP1U", "B90A?P1N"])
def test_anything_but_eight_receipt_characters_is_not_a_receipt(code):
    assert receipt_id(code) is None


def test_a_stock_line_names_its_gift_and_balances_when_the_counts_agree():
    line = stock_line("soap", 10, {"restock": 5, "redeem": -3, "return": 1}, 13)
    assert line == StockLine("soap", 10, 5, 2, 13)
    assert line.balanced
