"""Valuing contributions as worked examples at the edges: limits reached exactly, caps on
periods with nothing earned yet, date ranges that start or end on the day, and weeks that
straddle New Year."""

from datetime import date
from fractions import Fraction

import pytest

from timebank.domain.rulebook import rule
from timebank.domain.rules import Claim, Valuation, evaluate, period_bounds

MONDAY = date(2024, 1, 8)


def hourly(**extra):
    return rule(code="patrol", basis="per_hour", rate=2, **extra)


# -- base units ---------------------------------------------------------------------------------


def test_an_hour_is_sixty_base_units_and_an_item_is_one():
    assert hourly().to_base(Fraction(3, 2)) == 90
    assert rule(code="knives", basis="per_item", rate=1).to_base(3) == 3
    assert hourly().to_base(None) is None


def test_base_units_are_rounded_half_away_from_zero_both_ways():
    items = rule(code="knives", basis="per_item", rate=1)
    assert [items.to_base(Fraction(n, 2)) for n in (5, 3, -3, -5)] == [3, 2, -2, -3]
    assert items.to_base(Fraction(-4, 3)) == -1


def test_per_item_rounding_and_limits_count_in_items():
    knives = rule(code="knives", basis="per_item", rate=1, round_to=2, min_quantity=2,
                  max_quantity=10)
    assert [evaluate(knives, Claim(n, MONDAY)).credited for n in (1, 2, 5, 10, 13)] == \
        [0, 2, 4, 10, 10]


# -- scheduled length, minimum and maximum ---------------------------------------------------------


def test_attending_the_whole_scheduled_length_is_credited_without_a_note():
    value = evaluate(hourly(min_attendance=0.6), Claim(120, MONDAY, scheduled=120))
    assert (value.credited, value.notes) == (120, ())


def test_attending_longer_than_scheduled_is_credited_at_the_scheduled_length():
    value = evaluate(hourly(), Claim(150, MONDAY, scheduled=120))
    assert (value.credited, value.points, value.notes) == (
        120, 4, ("credited at most the scheduled length",))


def test_attending_less_than_the_share_needed_earns_nothing_and_says_so():
    value = evaluate(hourly(min_attendance=0.6), Claim(71, MONDAY, scheduled=120))
    assert (value.credited, value.points, value.notes) == (
        0, 0, ("attended 71 of 120 scheduled minutes, below the 60% needed",))
    assert evaluate(hourly(min_attendance=0.6), Claim(72, MONDAY, scheduled=120)).credited == 72


def test_exactly_the_minimum_is_credited_and_one_minute_less_is_not():
    assert evaluate(hourly(min_quantity=1), Claim(60, MONDAY)).credited == 60
    value = evaluate(hourly(min_quantity=1), Claim(59, MONDAY))
    assert (value.credited, value.points, value.notes) == (
        0, 0, ("below the minimum of 60 per contribution",))


def test_exactly_the_maximum_is_credited_without_a_note_and_more_is_cut_with_one():
    assert evaluate(hourly(max_quantity=2), Claim(120, MONDAY)).notes == ()
    assert evaluate(hourly(max_quantity=2), Claim(121, MONDAY)).notes == (
        "credited at most 120 per contribution",)


# -- streaks, caps, dues -------------------------------------------------------------------------


def test_a_worked_example_with_a_streak_bonus_and_a_cap():
    duty = rule(code="duty", basis="per_occurrence", rate=3, streak={"every": 2, "bonus": 4},
                caps={"week": 10})
    last_week = date(2024, 1, 1)
    assert evaluate(duty, Claim(1, MONDAY), used={"week": 5}, weeks=[last_week]) == Valuation(
        credited=1, raw_points=7, points=5, capped=True, bonus=4, factor="1",
        notes=("capped from 7 to 5",))


def test_a_contribution_that_earns_nothing_earns_no_streak_bonus_either():
    duty = rule(code="duty", basis="per_hour", rate=2, min_quantity=1,
                streak={"every": 1, "bonus": 4})
    value = evaluate(duty, Claim(30, MONDAY))
    assert (value.credited, value.bonus, value.points) == (0, 0, 0)


def test_a_cap_on_a_period_with_nothing_earned_yet_allows_the_whole_cap():
    capped = rule(code="snow", basis="per_occurrence", rate=5, caps={"day": 5, "year": 100})
    value = evaluate(capped, Claim(1, MONDAY), used={"year": 0})
    assert (value.points, value.capped) == (5, False)
    assert evaluate(capped, Claim(1, MONDAY), used={"year": 96}).points == 4


def test_dues_without_a_due_day_are_paid_in_full_on_any_day():
    dues = rule(code="dues", basis="per_period", rate=5, late_rate=1)
    assert evaluate(dues, Claim(1, date(2024, 3, 31))).points == 5


def test_dues_are_late_after_the_due_day_of_the_period_they_pay_for():
    dues = rule(code="dues", basis="per_period", rate=5, late_rate=1, due_day=10)
    assert evaluate(dues, Claim(1, date(2024, 3, 10))).points == 5
    late = evaluate(dues, Claim(1, date(2024, 3, 11)))
    assert (late.points, late.notes) == (1, ("paid after the due day 10",))
    early = Claim(1, date(2024, 3, 11), period_start=date(2024, 4, 1))
    assert evaluate(dues, early).points == 5


# -- multipliers and periods -----------------------------------------------------------------------


@pytest.mark.parametrize(("day", "points"), [
    (date(2024, 2, 9), 2), (date(2024, 2, 10), 4), (date(2024, 2, 17), 4), (date(2024, 2, 18), 2)])
def test_a_multiplier_date_range_includes_its_first_and_last_day(day, points):
    festival = hourly(multipliers=[{"factor": 2, "dates": [["2024-02-10", "2024-02-17"]]}])
    assert evaluate(festival, Claim(60, day)).points == points


@pytest.mark.parametrize(("day", "bounds"), [
    (date(2026, 6, 17), (date(2026, 1, 1), date(2026, 12, 31))),
    (date(2024, 12, 31), (date(2024, 1, 1), date(2025, 1, 5))),
    (date(2027, 1, 1), (date(2026, 12, 28), date(2027, 12, 31))),
    (date(2024, 1, 1), (date(2024, 1, 1), date(2024, 12, 31))),
    (date(2023, 12, 31), (date(2023, 1, 1), date(2023, 12, 31))),
])
def test_the_capped_periods_of_a_day_span_its_year_and_its_iso_week(day, bounds):
    # 2024-12-31 is a Tuesday: its week runs to Sunday 2025-01-05.
    assert period_bounds(day) == bounds
