"""The ledger's rules as worked examples, down to the boundaries and the exact words of
each refusal, and the entry hash pinned field by field."""

import hashlib
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from timebank.domain.ledger import (
    GENESIS_HASH,
    Entry,
    EntryKind,
    Posting,
    balanced,
    check_amount,
    check_unit,
    move,
)
from timebank.errors import TimebankError

LIMIT = 1_000_000_000_000  # the largest amount one movement may carry


def refusal(call, *args, **kwargs):
    """(class name, message, details) of the error ``call`` raises."""
    with pytest.raises(TimebankError) as caught:
        call(*args, **kwargs)
    return type(caught.value).__name__, str(caught.value), caught.value.details


def legs(*amounts: int, unit: str = "points") -> list[Posting]:
    return [Posting(i + 1, unit, amount) for i, amount in enumerate(amounts)]


# -- units and amounts ---------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["points", "minutes"])
def test_points_and_minutes_are_the_two_units(unit):
    assert check_unit(unit) == unit


def test_an_unknown_unit_is_refused_with_the_units_there_are():
    assert refusal(check_unit, "hours") == (
        "UnknownUnit", "unknown unit 'hours': expected one of points, minutes",
        {"field": "unit"})


@pytest.mark.parametrize("amount", [1, 2, 999_999_999_999, LIMIT])
def test_an_amount_from_one_to_a_trillion_is_accepted(amount):
    assert check_amount(amount) == amount


def test_one_point_above_a_trillion_is_refused_naming_the_range():
    assert refusal(check_amount, LIMIT + 1) == (
        "InvalidAmount", "amount must be between 1 and 1,000,000,000,000, got 1000000000001",
        {"field": "amount"})


def test_zero_is_refused_under_the_field_name_given():
    assert refusal(check_amount, 0, "cost") == (
        "InvalidAmount", "cost must be between 1 and 1,000,000,000,000, got 0",
        {"field": "cost"})


@pytest.mark.parametrize(("amount", "shown"), [(True, "True"), (2.0, "2.0"), ("3", "'3'")])
def test_an_amount_that_is_not_a_whole_number_is_refused_as_such(amount, shown):
    assert refusal(check_amount, amount) == (
        "InvalidAmount", f"amount must be a whole number, got {shown}", {"field": "amount"})


def test_a_move_checks_its_unit_and_amount():
    assert refusal(move, 1, 2, "hours", 5)[0] == "UnknownUnit"
    assert refusal(move, 1, 2, "points", LIMIT + 1)[0] == "InvalidAmount"
    assert move(1, 2, "points", LIMIT) == (Posting(1, "points", -LIMIT),
                                           Posting(2, "points", LIMIT))


# -- balanced entries -------------------------------------------------------------------------


def test_one_point_moved_is_a_balanced_entry():
    assert balanced(iter(legs(-1, 1))) == (Posting(1, "points", -1), Posting(2, "points", 1))


def test_a_trillion_moved_in_one_leg_is_a_balanced_entry():
    assert balanced(legs(-LIMIT, LIMIT)) == (Posting(1, "points", -LIMIT),
                                             Posting(2, "points", LIMIT))


def test_three_legs_may_balance_together():
    assert len(balanced(legs(-5, 2, 3))) == 3


def test_an_entry_of_one_posting_is_refused():
    assert refusal(balanced, legs(5)) == (
        "UnbalancedEntry", "an entry needs at least two postings", {"field": "postings"})


def test_a_leg_of_zero_is_refused_even_when_the_entry_balances():
    assert refusal(balanced, legs(0, 0)) == (
        "InvalidAmount", "a posting amount must be a non-zero whole number, got 0",
        {"field": "postings"})


@pytest.mark.parametrize(("amount", "shown"), [(True, "True"), (False, "False"), (1.0, "1.0")])
def test_a_leg_that_is_not_a_whole_number_is_refused_even_when_it_would_balance(amount, shown):
    postings = [Posting(1, "points", amount), Posting(2, "points", -1)]
    assert refusal(balanced, postings) == (
        "InvalidAmount", f"a posting amount must be a non-zero whole number, got {shown}",
        {"field": "postings"})


def test_a_leg_above_a_trillion_is_refused_naming_the_postings():
    assert refusal(balanced, legs(LIMIT + 1, -LIMIT - 1)) == (
        "InvalidAmount",
        "postings must be between 1 and 1,000,000,000,000, got 1000000000001",
        {"field": "postings"})


def test_a_leg_in_an_unknown_unit_is_refused():
    assert refusal(balanced, legs(-1, 1, unit="hours"))[0] == "UnknownUnit"


def test_the_refusal_of_an_unbalanced_entry_lists_each_unit_off_in_order():
    postings = [Posting(1, "points", 5), Posting(2, "points", -3),
                Posting(3, "minutes", -60), Posting(4, "minutes", 57)]
    assert refusal(balanced, postings) == (
        "UnbalancedEntry", "postings do not sum to zero: minutes -3, points +2",
        {"field": "postings"})


# -- the entry hash ---------------------------------------------------------------------------

AT = datetime(2026, 1, 12, 7, 30)
ENTRY = Entry("sjhy", 7, EntryKind.AWARD, tuple(legs(-5, 5)), "扫雪", "clerk", AT,
              AT + timedelta(hours=1, microseconds=250), None, {"rule": "snow"})


def test_the_hash_is_sha256_of_the_previous_hash_and_a_canonical_json_of_the_entry():
    # The format is a contract: chains written by earlier versions must still verify.
    canonical = ('{"a":"clerk","c":"sjhy","k":"award","m":{"rule":"snow"},'
                 '"o":"2026-01-12T07:30:00.000000","p":[[1,"points",-5],[2,"points",5]],'
                 '"r":"扫雪","s":7,"t":"2026-01-12T08:30:00.000250","v":null}')
    expected = hashlib.sha256((GENESIS_HASH + canonical).encode()).hexdigest()
    assert ENTRY.digest(GENESIS_HASH) == expected


@pytest.mark.parametrize(("field", "value"), [
    ("community", "jyhy"),
    ("seq", 8),
    ("kind", EntryKind.ADJUSTMENT),
    ("postings", tuple(legs(-6, 6))),
    ("postings", tuple(legs(-5, 5, unit="minutes"))),
    ("postings", (Posting(3, "points", -5), Posting(2, "points", 5))),
    ("reason", "扫雪 "),
    ("actor", "admin"),
    ("occurred_at", AT + timedelta(microseconds=1)),
    ("occurred_at", AT - timedelta(days=1)),
    ("recorded_at", AT + timedelta(hours=1, microseconds=251)),
    ("reverses", 3),
    ("meta", {"rule": "patrol"}),
    ("meta", {}),
])
def test_rewriting_any_hashed_field_of_an_entry_changes_its_hash(field, value):
    rewritten = attrs.evolve(ENTRY, **{field: value})
    assert rewritten.digest(GENESIS_HASH) != ENTRY.digest(GENESIS_HASH)


def test_the_hash_chains_on_the_previous_hash():
    assert ENTRY.digest("f" * 64) != ENTRY.digest(GENESIS_HASH)


def test_a_time_read_back_with_its_utc_zone_hashes_as_the_naive_utc_time():
    aware = attrs.evolve(ENTRY, occurred_at=AT.replace(tzinfo=UTC),
                         recorded_at=ENTRY.recorded_at.replace(tzinfo=UTC))
    assert aware.digest(GENESIS_HASH) == ENTRY.digest(GENESIS_HASH)


def test_the_order_of_meta_keys_does_not_change_the_hash():
    one = attrs.evolve(ENTRY, meta={"rule": "snow", "day": "2026-01-12"})
    other = attrs.evolve(ENTRY, meta={"day": "2026-01-12", "rule": "snow"})
    assert one.digest(GENESIS_HASH) == other.digest(GENESIS_HASH)
