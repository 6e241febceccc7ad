"""``credit`` and ``clip`` called directly, as worked examples: the base units credited,
the notes, and whether the quantity was cut to the rule's maximum (never when nothing was
credited at all)."""

from datetime import date

from timebank.domain.rulebook import rule
from timebank.domain.rules import Claim, clip, credit

MONDAY = date(2024, 1, 8)


def hourly(**extra):
    return rule(code="patrol", basis="per_hour", rate=2, **extra)


def test_credit_is_the_quantity_cut_to_the_scheduled_length_with_its_note():
    # 150 minutes attended of 120 scheduled: 120 credited.
    assert credit(hourly(), Claim(150, MONDAY, scheduled=120)) == (
        120, ("credited at most the scheduled length",))


def test_credit_rounds_down_to_the_step_and_stops_at_the_maximum_without_the_clip_flag():
    # round_to 0.5 h = 30 min: 100 minutes round down to 90; max 1 h = 60 minutes.
    assert credit(hourly(round_to=0.5), Claim(100, MONDAY)) == (90, ())
    assert credit(hourly(max_quantity=1), Claim(100, MONDAY)) == (
        60, ("credited at most 60 per contribution",))


def test_too_short_an_attendance_credits_nothing_and_is_not_a_clip():
    # 71 of 120 minutes is 59%, below the 60% needed.
    assert clip(hourly(min_attendance=0.6), Claim(71, MONDAY, scheduled=120)) == (
        0, ("attended 71 of 120 scheduled minutes, below the 60% needed",), False)


def test_a_quantity_below_the_minimum_credits_nothing_and_is_not_a_clip():
    # min 1 h = 60 minutes; 59 minutes are below it, even with a maximum set.
    assert clip(hourly(min_quantity=1, max_quantity=2), Claim(59, MONDAY)) == (
        0, ("below the minimum of 60 per contribution",), False)


def test_a_quantity_above_the_maximum_is_a_clip_and_one_at_it_is_not():
    assert clip(hourly(max_quantity=2), Claim(121, MONDAY)) == (
        120, ("credited at most 120 per contribution",), True)
    assert clip(hourly(max_quantity=2), Claim(120, MONDAY)) == (120, (), False)
