"""The ledger's pure rules: what a valid entry is and how it is hashed."""

from datetime import datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from timebank.domain.ledger import (
    GENESIS_HASH,
    MAX_AMOUNT,
    Balance,
    Entry,
    Posting,
    balanced,
    check_amount,
    move,
    negate,
)
from timebank.errors import InvalidAmount, UnbalancedEntry, UnknownUnit

AT = datetime(2026, 3, 15, 8, 30)


def entry(*legs: Posting, seq: int = 1, reason: str = "snow") -> Entry:
    return Entry("sjhy", seq, "award", legs, reason, "clerk", AT, AT)


def test_a_move_is_two_legs_that_cancel_out():
    assert move(1, 2, "points", 5) == (Posting(1, "points", -5), Posting(2, "points", 5))


@pytest.mark.parametrize("amount", [0, -3, 1.5, "7", True, None])
def test_amounts_are_positive_whole_numbers(amount):
    with pytest.raises(InvalidAmount):
        check_amount(amount)


def test_an_unknown_unit_is_refused_by_name():
    with pytest.raises(UnknownUnit, match="'hours'"):
        move(1, 2, "hours", 5)


def test_postings_that_do_not_sum_to_zero_are_refused_with_the_difference():
    with pytest.raises(UnbalancedEntry, match=r"points \+2"):
        balanced([Posting(1, "points", -3), Posting(2, "points", 5)])


def test_each_unit_balances_on_its_own():
    with pytest.raises(UnbalancedEntry):
        balanced([Posting(1, "points", -3), Posting(2, "minutes", 3)])


def test_an_entry_needs_two_postings():
    with pytest.raises(UnbalancedEntry):
        balanced([Posting(1, "points", 0)])


def test_a_zero_leg_is_refused():
    with pytest.raises(InvalidAmount):
        balanced([Posting(1, "points", 0), Posting(2, "points", 0)])


def test_a_reversal_flips_every_leg():
    legs = move(1, 2, "minutes", 60)
    assert sorted(negate(legs), key=lambda p: p.account_id) == [
        Posting(1, "minutes", 60), Posting(2, "minutes", -60)]


def test_the_hash_does_not_depend_on_the_order_of_postings():
    a, b = move(1, 2, "points", 5)
    assert entry(a, b).digest(GENESIS_HASH) == entry(b, a).digest(GENESIS_HASH)


def test_the_hash_changes_with_any_field_or_the_previous_hash():
    legs = move(1, 2, "points", 5)
    base = entry(*legs).digest(GENESIS_HASH)
    assert entry(*move(1, 2, "points", 6)).digest(GENESIS_HASH) != base
    assert entry(*legs, reason="patrol").digest(GENESIS_HASH) != base
    assert entry(*legs, seq=2).digest(GENESIS_HASH) != base
    assert entry(*legs).digest("f" * 64) != base


def test_available_is_posted_less_held():
    assert Balance(posted=10, held=4).available == 6


def _valid(legs: list[Posting]) -> bool:
    """What a valid entry is, written plainly: known units, amounts that are non-zero
    whole numbers within the bound, summing to zero per unit."""
    units = {leg.unit for leg in legs}
    return len(legs) >= 2 and units <= {"points", "minutes"} and all(
        isinstance(leg.amount, int) and not isinstance(leg.amount, bool)
        and 0 < abs(leg.amount) <= MAX_AMOUNT for leg in legs) and all(
        sum(leg.amount for leg in legs if leg.unit == unit) == 0 for unit in units)


@given(st.lists(st.builds(
    Posting, st.integers(1, 3), st.sampled_from(["points", "minutes", "hours"]),
    st.one_of(st.integers(-(MAX_AMOUNT + 2), MAX_AMOUNT + 2), st.integers(-3, 3),
              st.booleans(), st.just(2.0))), min_size=1, max_size=3))
@example([Posting(1, "points", -MAX_AMOUNT - 1), Posting(2, "points", MAX_AMOUNT + 1)])
@example([Posting(1, "points", -MAX_AMOUNT), Posting(2, "points", MAX_AMOUNT)])
@example([Posting(1, "hours", -5), Posting(2, "hours", 5)])
@example([Posting(1, "points", -1), Posting(2, "points", True)])
@example([Posting(1, "points", -2.0), Posting(2, "points", 2)])
def test_balanced_takes_exactly_the_valid_entries(legs: list[Posting]) -> None:
    if _valid(legs):
        assert balanced(legs) == tuple(legs)
    else:
        with pytest.raises((UnbalancedEntry, InvalidAmount, UnknownUnit)):
            balanced(legs)
