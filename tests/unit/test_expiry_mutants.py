"""Expiry policies as worked examples: what an ``[expiry]`` table may hold, the exact words
of each refusal, and the month arithmetic at the ends of months."""

from datetime import date

import pytest

from timebank.domain.expiry import ExpiryPolicy, add_months, expiring
from timebank.errors import TimebankError


def refusal(call, *args, **kwargs):
    """(class name, message, details) of the error ``call`` raises."""
    with pytest.raises(TimebankError) as caught:
        call(*args, **kwargs)
    return type(caught.value).__name__, str(caught.value), caught.value.details


def refused(table, where="expiry"):
    return refusal(ExpiryPolicy.from_mapping, table, where)


def test_an_empty_table_means_points_never_expire():
    assert ExpiryPolicy.from_mapping({}) == ExpiryPolicy("never", 12, (12, 31), ("points",))


def test_a_full_table_is_read_field_by_field():
    table = {"policy": "yearly_reset", "months": 3, "reset_on": "06-30",
             "units": ["points", "minutes"]}
    assert ExpiryPolicy.from_mapping(table) == ExpiryPolicy(
        "yearly_reset", 3, (6, 30), ("points", "minutes"))


@pytest.mark.parametrize("months", [1, 600])
def test_one_to_six_hundred_months_are_allowed(months):
    policy = ExpiryPolicy.from_mapping({"policy": "months", "months": months})
    assert policy.months == months


def test_a_table_that_is_not_a_table_is_refused_where_it_was_read():
    assert refused(["never"], "red.toml: [expiry]") == (
        "RulebookError", "red.toml: [expiry]: expiry must be a table",
        {"field": "expiry", "where": "red.toml: [expiry]"})
    assert refusal(ExpiryPolicy.from_mapping, "never")[1] == "expiry: expiry must be a table"


def test_an_unknown_policy_is_refused_with_the_policies_there_are():
    assert refused({"policy": "weekly"}) == (
        "RulebookError", "expiry: policy must be one of never, months, yearly_reset, "
                         "got 'weekly'", {"field": "policy", "where": "expiry"})


@pytest.mark.parametrize(("months", "shown"), [
    (0, "0"), (601, "601"), (True, "True"), (1.5, "1.5"), ("12", "'12'")])
def test_months_outside_one_to_six_hundred_are_refused(months, shown):
    assert refused({"policy": "months", "months": months}) == (
        "RulebookError", f"expiry: months must be a whole number from 1 to 600, got {shown}",
        {"field": "months", "where": "expiry"})


def test_policy_months_needs_its_months():
    assert refused({"policy": "months"}) == (
        "RulebookError", "expiry: months is required by policy 'months'",
        {"field": "months", "where": "expiry"})


@pytest.mark.parametrize(("reset", "shown"), [
    ("02-29", "'02-29'"), ("12/31", "'12/31'"), ("1-31", "'1-31'"), (1231, "1231"),
    ("13-01", "'13-01'"), ("ab-cd", "'ab-cd'")])
def test_a_reset_day_is_a_real_month_and_day(reset, shown):
    assert refused({"policy": "yearly_reset", "reset_on": reset}) == (
        "RulebookError", f"expiry: reset_on must be a day MM-DD (not 02-29), got {shown}",
        {"field": "reset_on", "where": "expiry"})


@pytest.mark.parametrize("units", [[], ["hours"], "points", "", 5])
def test_units_are_a_non_empty_list_of_known_units(units):
    assert refused({"units": units}) == (
        "RulebookError", "expiry: units must be a non-empty list of points, minutes",
        {"field": "units", "where": "expiry"})


@pytest.mark.parametrize(("day", "months", "moved"), [
    (date(2025, 3, 31), 1, date(2025, 4, 30)),
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2025, 5, 31), -1, date(2025, 4, 30)),
    (date(2025, 3, 30), -1, date(2025, 2, 28)),
    (date(2025, 1, 15), -13, date(2023, 12, 15)),
    (date(2025, 12, 31), 1, date(2026, 1, 31)),
])
def test_moving_by_months_keeps_the_day_or_the_last_day_of_a_shorter_month(day, months, moved):
    assert add_months(day, months) == moved


def test_what_expires_is_posted_less_held_less_recent_credits_never_below_zero():
    assert expiring(posted=100, held=30, recent_credits=50) == 20
    assert expiring(posted=100, held=30, recent_credits=70) == 0
    assert expiring(posted=100, held=30, recent_credits=71) == 0
