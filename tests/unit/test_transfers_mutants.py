"""Member transfer policies as worked examples: what a ``[transfers]`` table may hold, and
the exact limits a transfer meets (a limit reached exactly is still allowed)."""

import pytest

from timebank.domain.transfers import TransferPolicy
from timebank.errors import TimebankError


def refusal(call, *args, **kwargs):
    """(class name, message, details) of the error ``call`` raises."""
    with pytest.raises(TimebankError) as caught:
        call(*args, **kwargs)
    return type(caught.value).__name__, str(caught.value), caught.value.details


# -- the [transfers] table --------------------------------------------------------------------


def test_an_empty_table_lets_both_units_move_without_limits():
    assert TransferPolicy.from_mapping({}) == TransferPolicy(("points", "minutes"), None, None)


def test_a_full_table_is_read_field_by_field():
    table = {"units": ["minutes"], "yearly_max": 6000, "storage_cap": 90000}
    assert TransferPolicy.from_mapping(table) == TransferPolicy(("minutes",), 6000, 90000)


def test_a_limit_of_one_is_the_smallest_allowed():
    assert TransferPolicy.from_mapping({"yearly_max": 1, "storage_cap": 1}) == \
        TransferPolicy(("points", "minutes"), 1, 1)


def test_a_table_that_is_not_a_table_is_refused_where_it_was_read():
    assert refusal(TransferPolicy.from_mapping, ["points"]) == (
        "RulebookError", "transfers: transfers must be a table",
        {"field": "transfers", "where": "transfers"})
    assert refusal(TransferPolicy.from_mapping, "x", "red.toml: [transfers]") == (
        "RulebookError", "red.toml: [transfers]: transfers must be a table",
        {"field": "transfers", "where": "red.toml: [transfers]"})


@pytest.mark.parametrize(("units", "shown"), [
    ("", "''"), ("points", "'points'"), (["hours"], "['hours']"), (7, "7")])
def test_units_must_be_a_list_of_known_units(units, shown):
    assert refusal(TransferPolicy.from_mapping, {"units": units}) == (
        "RulebookError", f"transfers: units must be a list of points, minutes, got {shown}",
        {"field": "units", "where": "transfers"})


@pytest.mark.parametrize("field", ["yearly_max", "storage_cap"])
@pytest.mark.parametrize(("value", "shown"), [
    (0, "0"), (-5, "-5"), (True, "True"), (1.5, "1.5"), ("100", "'100'")])
def test_a_limit_must_be_a_positive_whole_number(field, value, shown):
    assert refusal(TransferPolicy.from_mapping, {field: value}, "t.toml") == (
        "RulebookError", f"t.toml: {field} must be a positive whole number, got {shown}",
        {"field": field, "where": "t.toml"})


# -- the checks -------------------------------------------------------------------------------


def test_a_unit_the_community_allows_may_move():
    assert TransferPolicy(("minutes",)).check_unit("minutes") is None


def test_a_unit_the_community_does_not_allow_is_refused_naming_those_it_does():
    assert refusal(TransferPolicy(("points",)).check_unit, "minutes") == (
        "ValidationError", "minutes cannot be transferred in this community (allowed: points)",
        {"field": "unit"})
    assert refusal(TransferPolicy(("points", "minutes")).check_unit, "hours")[1] == (
        "hours cannot be transferred in this community (allowed: points, minutes)")


def test_a_community_that_allows_no_unit_says_none():
    assert refusal(TransferPolicy(()).check_unit, "points")[1] == (
        "points cannot be transferred in this community (allowed: none)")


def test_a_member_may_send_exactly_the_yearly_maximum():
    assert TransferPolicy(yearly_max=100).check_yearly(90, 10) is None


def test_one_more_than_the_yearly_maximum_is_refused_with_what_was_sent():
    assert refusal(TransferPolicy(yearly_max=100).check_yearly, 91, 10) == (
        "LimitExceeded", "a member sends at most 100 a year: 91 sent, 10 more asked",
        {"field": "amount", "limit": 100, "used": 91})


def test_without_a_yearly_maximum_any_amount_may_be_sent():
    assert TransferPolicy().check_yearly(10**12, 10**12) is None


def test_a_member_may_be_filled_exactly_to_the_storage_cap():
    assert TransferPolicy(storage_cap=100).check_cap("m1", 95, 5) is None


def test_one_more_than_the_storage_cap_is_refused_with_what_the_member_would_hold():
    assert refusal(TransferPolicy(storage_cap=100).check_cap, "m1", 95, 6) == (
        "LimitExceeded", "member 'm1' would hold 101, above the storage cap of 100",
        {"field": "amount", "limit": 100, "balance": 95})


def test_without_a_storage_cap_any_balance_may_be_held():
    assert TransferPolicy().check_cap("m1", 10**12, 10**12) is None
