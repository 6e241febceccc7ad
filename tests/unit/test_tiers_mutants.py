"""Tiers as worked examples: the ``[tiers]`` table at its bounds and in the exact words of
its refusals, and tier histories whose grace deadlines meet other events, fall to a lower
tier rather than to none, or end exactly on ``until``."""

from datetime import date, datetime, timedelta

import pytest

from timebank.domain.tiers import (
    Award,
    Earnings,
    Tier,
    TierChange,
    TierPolicy,
    history,
    tier_at,
    year_starts_between,
)
from timebank.errors import TimebankError

BRONZE = {"code": "bronze", "name_zh": "铜牌", "name_en": "Bronze", "threshold": 100}
SILVER = {"code": "silver", "name_zh": "银牌", "name_en": "Silver", "threshold": 300}
GOLD = {"code": "gold", "name_zh": "金牌", "threshold": 600}
T0 = datetime(2025, 1, 10, 2, 0)


def refusal(call, *args, **kwargs):
    """(class name, message, details) of the error ``call`` raises."""
    with pytest.raises(TimebankError) as caught:
        call(*args, **kwargs)
    return type(caught.value).__name__, str(caught.value), caught.value.details


def refused(table, where="tiers"):
    return refusal(TierPolicy.from_mapping, table, where)


def policy(**extra):
    return TierPolicy.from_mapping({"levels": [BRONZE, SILVER, GOLD], **extra})


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def awards(*pairs: tuple[float, int]) -> list[Award]:
    return [Award(day(n), amount) for n, amount in pairs]


def changes(pol, given, until_day):
    return [((c.at - T0).days, c.previous, c.tier, c.earned)
            for c in history(pol, Earnings(pol, given), day(until_day))]


# -- the [tiers] table --------------------------------------------------------------------------


def test_a_table_of_levels_alone_takes_every_default():
    assert policy() == TierPolicy(
        (Tier("bronze", "铜牌", "Bronze", 100, (), 0), Tier("silver", "银牌", "Silver", 300, (), 1),
         Tier("gold", "金牌", "", 600, (), 2)),
        "lifetime", 365, "never", 30, "points")


def test_the_smallest_values_allowed_are_read_as_given():
    pol = TierPolicy.from_mapping({
        "levels": [{"code": "star", "name_zh": "星", "threshold": 0, "benefits": ["理发"]}],
        "basis": "window", "window_days": 1, "demotion": "grace", "grace_days": 0,
        "unit": "minutes"})
    assert pol == TierPolicy((Tier("star", "星", "", 0, ("理发",), 0),), "window", 1, "grace",
                             0, "minutes")


def test_a_table_that_is_not_a_table_is_refused_where_it_was_read():
    assert refused(["gold"], "red.toml [tiers]") == (
        "RulebookError", "red.toml [tiers]: tiers must be a table",
        {"field": "tiers", "where": "red.toml [tiers]"})
    assert refusal(TierPolicy.from_mapping, "gold")[1] == "tiers: tiers must be a table"


@pytest.mark.parametrize(("table", "field", "message"), [
    ({"basis": "weekly"}, "basis",
     "must be one of lifetime, window, calendar_year, got 'weekly'"),
    ({"demotion": "sometimes"}, "demotion",
     "must be one of never, automatic, grace, got 'sometimes'"),
    ({"unit": "hours"}, "unit", "must be one of points, minutes, got 'hours'"),
    ({"window_days": 0}, "window_days", "must be a whole number >= 1, got 0"),
    ({"window_days": True}, "window_days", "must be a whole number >= 1, got True"),
    ({"grace_days": -1}, "grace_days", "must be a whole number >= 0, got -1"),
    ({"grace_days": 1.5}, "grace_days", "must be a whole number >= 0, got 1.5"),
])
def test_a_bad_policy_field_is_refused_with_what_it_must_be(table, field, message):
    assert refused({"levels": [BRONZE], **table}) == (
        "RulebookError", f"tiers: {field} {message}", {"field": field, "where": "tiers"})


@pytest.mark.parametrize("levels", [None, [], "gold", {"code": "gold"}])
def test_levels_must_be_a_non_empty_list(levels):
    assert refused({"levels": levels}) == (
        "RulebookError", "tiers: levels must be a non-empty list of tiers",
        {"field": "levels", "where": "tiers"})


@pytest.mark.parametrize(("level", "field", "message"), [
    ("gold", "level", "must be a table"),
    ({**BRONZE, "benefits": "温馨家政"}, "benefits", "must be a list of text"),
    ({**BRONZE, "benefits": [1]}, "benefits", "must be a list of text"),
    ({**BRONZE, "benefits": 1}, "benefits", "must be a list of text"),
    ({"name_zh": "铜牌", "threshold": 1}, "code", "must be non-empty text, got None"),
    ({**BRONZE, "code": " "}, "code", "must be non-empty text, got ' '"),
    ({"code": "bronze", "threshold": 1}, "name_zh", "must be non-empty text, got None"),
    ({**BRONZE, "name_en": 5}, "name_en", "must be non-empty text, got 5"),
    ({**BRONZE, "threshold": -1}, "threshold", "must be a whole number >= 0, got -1"),
    ({**BRONZE, "threshold": True}, "threshold", "must be a whole number >= 0, got True"),
    ({**BRONZE, "threshold": None}, "threshold", "must be a whole number >= 0, got None"),
])
def test_a_bad_level_is_refused_naming_its_place_and_field(level, field, message):
    assert refused({"levels": [SILVER, level]}, "t") == (
        "RulebookError", f"t.levels[1]: {field} {message}",
        {"field": field, "where": "t.levels[1]"})


def test_each_threshold_must_be_above_the_previous_one():
    same = {**SILVER, "code": "silver2"}
    assert refused({"levels": [SILVER, same]}) == (
        "RulebookError", "tiers.levels[1]: threshold must be greater than the previous level's",
        {"field": "threshold", "where": "tiers.levels[1]"})


def test_a_code_used_twice_is_refused():
    assert refused({"levels": [BRONZE, {**SILVER, "code": "bronze"}]}) == (
        "RulebookError", "tiers.levels[1]: code 'bronze' is used twice",
        {"field": "code", "where": "tiers.levels[1]"})


# -- levels --------------------------------------------------------------------------------------


def test_the_level_after_each_level_is_the_next_one_up():
    pol = policy()
    assert [pol.next_after(t) for t in (None, *pol.levels)] == [*pol.levels, None]


def test_an_unknown_level_is_refused_as_a_minimum_tier():
    assert refusal(policy().level, "platinum") == (
        "NotEligible", "unknown tier 'platinum'", {"field": "min_tier"})


# -- histories -----------------------------------------------------------------------------------


def test_lifetime_changes_record_the_tier_before_and_the_points_earned():
    assert changes(policy(), awards((0, 150), (3, 10), (5, 200)), 1000) == [
        (0, None, "bronze", 150), (5, "bronze", "silver", 360)]


def test_a_lifetime_tier_follows_points_taken_back_at_once_whatever_the_demotion():
    pol = policy(demotion="grace", grace_days=10)
    assert changes(pol, awards((0, 350), (5, -100)), 1000) == [
        (0, None, "silver", 350), (5, "silver", "bronze", 250)]


def test_an_automatic_fall_to_a_lower_tier_records_both_tiers_and_the_points():
    pol = policy(basis="window", window_days=30, demotion="automatic")
    assert changes(pol, awards((0, 200), (10, 150)), 100) == [
        (0, None, "bronze", 200), (10, "bronze", "silver", 350), (30, "silver", "bronze", 150),
        (40, "bronze", None, 0)]


def test_a_grace_fall_to_a_lower_tier_records_the_points_at_the_deadline():
    pol = policy(basis="window", window_days=30, demotion="grace", grace_days=10)
    assert changes(pol, awards((0, 300), (25, 150)), 100) == [
        (0, None, "silver", 300), (40, "silver", "bronze", 150), (65, "bronze", None, 0)]


def test_a_grace_deadline_exactly_on_until_is_part_of_the_history():
    pol = policy(basis="window", window_days=30, demotion="grace", grace_days=10)
    assert changes(pol, awards((0, 350)), 40) == [(0, None, "silver", 350),
                                                 (40, "silver", None, 0)]
    assert changes(pol, awards((0, 350)), 39.9) == [(0, None, "silver", 350)]


def test_a_grace_deadline_on_the_same_instant_as_another_event_is_taken_once():
    # Silver on day 0; on day 30 the first award leaves the window (bronze points), and
    # on day 40, the grace deadline, the second leaves too; a new award on day 45.
    pol = policy(basis="window", window_days=30, demotion="grace", grace_days=10)
    assert changes(pol, awards((0, 300), (10, 150), (45, 120)), 100) == [
        (0, None, "silver", 300), (40, "silver", None, 0), (45, None, "bronze", 120),
        (85, "bronze", None, 0)]


def test_an_award_at_the_very_instant_of_the_deadline_keeps_the_tier_without_a_change():
    pol = policy(basis="window", window_days=30, demotion="grace", grace_days=10)
    assert changes(pol, awards((0, 350), (40, 300)), 60) == [(0, None, "silver", 350)]


def test_an_event_right_after_a_grace_deadline_is_not_skipped():
    pol = policy(basis="window", window_days=30, demotion="grace", grace_days=10)
    assert changes(pol, awards((0, 350), (50, 320)), 60) == [
        (0, None, "silver", 350), (40, "silver", None, 0), (50, None, "silver", 320)]


def test_a_grace_period_of_zero_days_falls_at_the_drop_itself():
    pol = policy(basis="window", window_days=30, demotion="grace", grace_days=0)
    assert changes(pol, awards((0, 350)), 100) == [(0, None, "silver", 350),
                                                  (30, "silver", None, 0)]


def test_a_window_of_one_day_counts_awards_of_the_last_twenty_four_hours():
    pol = policy(basis="window", window_days=1, demotion="automatic")
    assert changes(pol, awards((0, 150), (0.5, 200)), 3) == [
        (0, None, "bronze", 150), (0, "bronze", "silver", 350), (1, "silver", "bronze", 200),
        (1, "bronze", None, 0)]


# -- events, tiers at an instant, year starts ------------------------------------------------------


def test_basis_events_reach_up_to_until_inclusive():
    pol = policy(basis="window", window_days=30)
    earnings = Earnings(pol, awards((0, 100), (10, 100)))
    assert earnings.events(day(30)) == [day(0), day(10), day(30)]
    assert earnings.events(day(29)) == [day(0), day(10)]


def test_year_starts_are_events_up_to_until_inclusive():
    pol = policy(basis="calendar_year")
    earnings = Earnings(pol, awards((0, 100)), lambda t: datetime(t.year, 1, 1))
    starts = [datetime(2026, 1, 1), datetime(2027, 1, 1)]
    assert earnings.events(datetime(2026, 1, 1), starts) == [day(0), datetime(2026, 1, 1)]


def test_the_tier_at_an_instant_is_the_last_change_at_or_before_it():
    pol = policy()
    found = [TierChange(day(0), None, "bronze", 150), TierChange(day(5), "bronze", "silver", 360),
             TierChange(day(9), "silver", None, 0)]
    assert [tier_at(pol, found, day(n)) for n in (-1, 0, 4, 5, 8, 9)] == [
        None, pol.levels[0], pol.levels[0], pol.levels[1], pol.levels[1], None]


@pytest.mark.parametrize(("first", "last", "starts"), [
    (date(2024, 5, 1), date(2026, 2, 1), [date(2025, 1, 1), date(2026, 1, 1)]),
    (date(2024, 12, 31), date(2025, 1, 1), [date(2025, 1, 1)]),
    (date(2024, 1, 1), date(2024, 12, 31), []),
])
def test_year_starts_between_two_days_are_the_first_of_january_after_the_first(
        first, last, starts):
    assert year_starts_between(first, last) == starts
