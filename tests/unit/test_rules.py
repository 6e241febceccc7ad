"""Valuing one contribution under one rule version: every rule feature, no database."""

from __future__ import annotations

from datetime import date

import pytest

from timebank.domain.rulebook import rule
from timebank.domain.rules import Claim, evaluate, period_keys, streak_bonus

MONDAY = date(2024, 1, 8)
FRIDAY = date(2024, 1, 12)


def hourly(**extra):
    return rule(code="patrol", basis="per_hour", rate=2, **extra)


def test_an_hourly_rule_pays_its_rate_per_hour_of_minutes():
    assert evaluate(hourly(), Claim(90, MONDAY)).points == 3


def test_points_are_rounded_half_up():
    r = rule(code="r", basis="per_hour", rate=1)
    assert evaluate(r, Claim(30, MONDAY)).points == 1   # 0.5 → 1
    assert evaluate(r, Claim(29, MONDAY)).points == 0


def test_quantities_round_down_to_half_hours_by_default():
    value = evaluate(hourly(round_to=0.5), Claim(89, MONDAY))
    assert value.credited == 60 and value.points == 2


def test_quantities_can_round_to_the_nearest_or_up():
    assert evaluate(hourly(round_to=0.5, rounding="nearest"), Claim(75, MONDAY)).credited == 90
    assert evaluate(hourly(round_to=0.5, rounding="nearest"), Claim(74, MONDAY)).credited == 60
    assert evaluate(hourly(round_to=0.5, rounding="up"), Claim(61, MONDAY)).credited == 90


def test_a_quantity_below_the_minimum_earns_nothing_but_says_why():
    value = evaluate(hourly(min_quantity=1), Claim(45, MONDAY))
    assert value.points == 0 and "minimum" in value.notes[0]


def test_a_quantity_above_the_maximum_is_credited_at_the_maximum():
    value = evaluate(hourly(max_quantity=2), Claim(300, MONDAY))
    assert value.credited == 120 and value.points == 4


def test_a_quantity_cut_to_the_maximum_is_clipped_and_one_within_it_is_not():
    knives = rule(code="sharpen", basis="per_item", rate=1, max_quantity=30)
    clipped = evaluate(knives, Claim(45, MONDAY))
    assert (clipped.credited, clipped.points, clipped.clipped, clipped.capped) == \
        (30, 30, True, False)
    assert evaluate(knives, Claim(30, MONDAY)).clipped is False


def test_per_item_rules_pay_per_item():
    r = rule(code="sharpen", basis="per_item", rate=1, max_quantity=30)
    assert evaluate(r, Claim(12, MONDAY)).points == 12


def test_per_occurrence_rules_pay_per_occurrence():
    r = rule(code="study", basis="per_occurrence", rate=2)
    assert evaluate(r, Claim(1, MONDAY)).points == 2


def test_dues_paid_by_the_due_day_earn_the_rate_and_late_ones_the_late_rate():
    r = rule(code="dues", basis="per_period", rate=1, due_day=10, late_rate=0)
    assert evaluate(r, Claim(1, date(2024, 3, 10))).points == 1
    late = evaluate(r, Claim(1, date(2024, 3, 11)))
    assert late.points == 0 and "due day" in late.notes[0]


def test_dues_for_an_earlier_month_are_late():
    r = rule(code="dues", basis="per_period", rate=1, due_day=10)
    claim = Claim(1, date(2024, 4, 2), period_start=date(2024, 3, 1))
    assert evaluate(r, claim).points == 0


def test_a_tag_multiplier_applies_only_to_tagged_contributions():
    r = hourly(multipliers=[{"factor": 2, "tags": ["blizzard"]}])
    assert evaluate(r, Claim(60, MONDAY, ("blizzard",))).points == 4
    assert evaluate(r, Claim(60, MONDAY)).points == 2


def test_a_weekday_multiplier_applies_on_its_weekdays_only():
    r = hourly(multipliers=[{"factor": 1.5, "weekdays": ["sat", "sun"]}])
    assert evaluate(r, Claim(60, date(2024, 1, 13))).points == 3
    assert evaluate(r, Claim(60, MONDAY)).points == 2


def test_a_date_range_multiplier_applies_on_holidays():
    r = hourly(multipliers=[{"factor": 3, "dates": [["2024-02-10", "2024-02-17"]]}])
    assert evaluate(r, Claim(60, date(2024, 2, 17))).points == 6
    assert evaluate(r, Claim(60, date(2024, 2, 18))).points == 2


def test_a_role_multiplier_applies_to_members_with_the_role():
    r = hourly(multipliers=[{"factor": 2, "roles": ["party_member"]}])
    assert evaluate(r, Claim(60, MONDAY), ("party_member",)).points == 4
    assert evaluate(r, Claim(60, MONDAY), ("resident",)).points == 2


def test_matching_multipliers_multiply_together():
    r = hourly(multipliers=[{"factor": 2, "tags": ["blizzard"]},
                            {"factor": 1.5, "weekdays": [1]}])
    value = evaluate(r, Claim(60, MONDAY, ("blizzard",)))
    assert value.points == 6 and value.factor == "3"


def test_caps_cut_points_to_what_is_left_and_mark_them_capped():
    r = hourly(caps={"day": 8, "month": 20})
    value = evaluate(r, Claim(180, MONDAY), used={"day": 5, "month": 5})
    assert value.points == 3 and value.capped and value.raw_points == 6


def test_the_tightest_cap_wins():
    r = hourly(caps={"day": 8, "week": 10, "year": 100})
    assert evaluate(r, Claim(240, MONDAY), used={"day": 0, "week": 7}).points == 3


def test_a_full_cap_gives_zero_points_but_the_contribution_stands():
    r = rule(code="study", basis="per_occurrence", rate=2, caps={"year": 12})
    value = evaluate(r, Claim(1, MONDAY), used={"year": 12})
    assert value.points == 0 and value.capped and value.credited == 1


def test_an_uncapped_contribution_is_not_marked_capped():
    assert not evaluate(hourly(caps={"day": 8}), Claim(60, MONDAY)).capped


def test_eligibility_by_role_and_by_tag():
    r = rule(code="study", basis="per_occurrence", rate=2, eligible_roles=["party_member"],
             ineligible_tags=["under_discipline"])
    assert r.eligible(["party_member"])
    assert not r.eligible(["resident"])
    assert not r.eligible(["party_member"], ["under_discipline"])
    assert rule(code="open", basis="per_item", rate=1).eligible([])


def test_attendance_below_the_minimum_share_earns_nothing():
    r = hourly(min_attendance=0.6)
    short = evaluate(r, Claim(70, MONDAY, scheduled=120))
    assert short.points == 0 and "60%" in short.notes[0]
    assert evaluate(r, Claim(72, MONDAY, scheduled=120)).points == 2


def test_time_beyond_the_scheduled_length_is_not_credited():
    value = evaluate(hourly(), Claim(200, MONDAY, scheduled=120))
    assert value.credited == 120 and value.points == 4


def test_the_streak_bonus_comes_every_n_consecutive_weeks_on_the_weeks_first_contribution():
    r = rule(code="friday", basis="per_occurrence", rate=2,
             streak={"every": 4, "bonus": 5})
    weeks = {date(2023, 12, 18), date(2023, 12, 25), date(2024, 1, 1)}
    assert streak_bonus(r, FRIDAY, weeks) == 5
    assert evaluate(r, Claim(1, FRIDAY), weeks=weeks).points == 7
    assert streak_bonus(r, FRIDAY, weeks | {date(2024, 1, 8)}) == 0  # second this week
    assert streak_bonus(r, FRIDAY, {date(2023, 12, 25), date(2024, 1, 1)}) == 0


def test_a_broken_streak_starts_again():
    r = rule(code="friday", basis="per_occurrence", rate=2, streak={"every": 2, "bonus": 1})
    assert streak_bonus(r, FRIDAY, {date(2023, 12, 25)}) == 0  # gap on Jan 1
    assert streak_bonus(r, FRIDAY, {date(2024, 1, 1)}) == 1


def test_minutes_rules_credit_one_minute_per_minute_of_service():
    r = rule(code="service", unit="minutes", basis="per_hour", rate=60)
    assert evaluate(r, Claim(135, MONDAY)).points == 135


def test_period_keys_count_weeks_from_monday():
    keys = period_keys(date(2024, 1, 14))  # a Sunday
    assert keys == {"day": "2024-01-14", "week": "2024-01-08", "month": "2024-01",
                    "year": "2024"}


@pytest.mark.parametrize(("quantity", "credited", "points"), [
    (1, 0, 0),      # under half an hour: rounds down to nothing
    (7, 0, 0),
    (61, 60, 3),    # 1 h x 2 points x 1.5
    (90, 90, 5),    # 1.5 h x 2 x 1.5 = 4.5, rounded half up
    (600, 600, 30),  # 10 h x 2 x 1.5
])
def test_a_tagged_hourly_claim_is_rounded_down_to_half_hours_then_multiplied(
        quantity, credited, points):
    r = hourly(round_to=0.5, multipliers=[{"factor": 1.5, "tags": ["x"]}])
    value = evaluate(r, Claim(quantity, MONDAY, ("x",)))
    assert (value.credited, value.points, value.factor) == (credited, points, "3/2")
