"""Anomaly flags as worked examples, with the words a reviewer reads."""

from datetime import date, datetime, timedelta

from timebank.domain.anomalies import DayMinutes, Flag, Span, late, long_days, overlaps, unusual
from timebank.domain.rulebook import rule

T = datetime(2024, 3, 1, 8, 0)


def hours(start: float, end: float) -> tuple[datetime, datetime]:
    return T + timedelta(hours=start), T + timedelta(hours=end)


def test_a_contribution_recorded_31_days_later_says_how_late_it_was():
    assert late(T, T + timedelta(days=31)) == Flag("late", "recorded 31 days after it happened")


def test_a_contribution_recorded_30_days_later_is_not_late():
    assert late(T, T + timedelta(days=30)) is None
    assert late(T, T + timedelta(days=30, seconds=1)) == Flag(
        "late", "recorded 30 days after it happened")


def test_an_unusual_quantity_names_the_usual_maximum():
    snow = rule(code="snow", basis="per_hour", rate=10, usual_max=3)
    assert unusual(snow, 180) is None
    assert unusual(snow, 181) == Flag("unusual", "quantity 181 is above the usual maximum (180)")


def test_without_a_usual_maximum_three_times_the_maximum_is_unusual():
    knives = rule(code="knives", basis="per_item", rate=1, max_quantity=4)
    assert unusual(knives, 12) is None
    assert unusual(knives, 13) == Flag(
        "unusual", "quantity 13 is above three times the maximum (12)")


def test_a_rule_without_a_maximum_finds_nothing_unusual():
    assert unusual(rule(code="dues", basis="per_item", rate=1), 10**6) is None


def test_each_of_two_new_overlapping_spans_names_the_other():
    flags = overlaps([Span("a", 1, *hours(0, 2)), Span("b", 1, *hours(1, 3))])
    assert flags == {"a": Flag("overlap", "overlaps contribution b of the same member"),
                     "b": Flag("overlap", "overlaps contribution a of the same member")}


def test_a_span_is_compared_with_the_earliest_of_those_ending_latest_before_it():
    flags = overlaps([Span("a", 1, *hours(0, 2)), Span("b", 1, *hours(1, 2)),
                      Span("c", 1, *hours(1.5, 3))])
    assert flags == {"a": Flag("overlap", "overlaps contribution b of the same member"),
                     "b": Flag("overlap", "overlaps contribution a of the same member"),
                     "c": Flag("overlap", "overlaps contribution a of the same member")}


def test_an_existing_span_flags_the_new_one_but_is_not_flagged_itself():
    flags = overlaps([Span("new", 1, *hours(1, 3))], [Span(7, 1, *hours(0, 2)),
                                                     Span(8, 2, *hours(0, 2))])
    assert flags == {"new": Flag("overlap", "overlaps contribution 7 of the same member")}


def test_more_than_sixteen_hours_on_one_day_is_flagged_with_the_total():
    day = date(2024, 3, 1)
    new = [DayMinutes("a", 1, day, 600), DayMinutes("b", 1, day, 300)]
    flags = long_days(new, [DayMinutes(9, 1, day, 61), DayMinutes(10, 1, date(2024, 3, 2), 600)])
    assert flags == {"a": Flag("long_day", "16.0167 hours credited on 2024-03-01"),
                     "b": Flag("long_day", "16.0167 hours credited on 2024-03-01")}
    assert long_days(new, [DayMinutes(9, 1, day, 60)]) == {}
