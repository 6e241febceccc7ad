"""Anomaly flags: for review, never rejection."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from timebank.domain import anomalies
from timebank.domain.anomalies import DayMinutes, Span
from timebank.domain.rulebook import rule

T = datetime(2024, 3, 1, 8, 0)
DAY = date(2024, 3, 1)


def test_overlapping_ranges_of_one_member_are_flagged_both_ways():
    flags = anomalies.overlaps([Span("a", 1, T, T + timedelta(hours=2)),
                                Span("b", 1, T + timedelta(hours=1), T + timedelta(hours=3))])
    assert set(flags) == {"a", "b"} and flags["b"].kind == "overlap"


def test_touching_ranges_do_not_overlap():
    flags = anomalies.overlaps([Span("a", 1, T, T + timedelta(hours=2)),
                                Span("b", 1, T + timedelta(hours=2), T + timedelta(hours=3))])
    assert flags == {}


def test_different_members_may_overlap():
    assert anomalies.overlaps([Span("a", 1, T, T + timedelta(hours=2)),
                               Span("b", 2, T, T + timedelta(hours=2))]) == {}


def test_a_new_range_inside_a_stored_one_is_flagged_and_the_stored_one_is_not():
    flags = anomalies.overlaps([Span("new", 1, T + timedelta(hours=1), T + timedelta(hours=2))],
                               [Span(7, 1, T, T + timedelta(hours=5))])
    assert set(flags) == {"new"} and "7" in flags["new"].detail


def test_more_than_sixteen_hours_in_a_day_is_flagged():
    flags = anomalies.long_days([DayMinutes("a", 1, DAY, 10 * 60)],
                                [DayMinutes(3, 1, DAY, 7 * 60)])
    assert flags["a"].kind == "long_day" and "17" in flags["a"].detail


def test_sixteen_hours_exactly_is_not_flagged():
    assert anomalies.long_days([DayMinutes("a", 1, DAY, 16 * 60)]) == {}


def test_a_record_more_than_thirty_days_late_is_flagged():
    assert anomalies.late(T, T + timedelta(days=31)).kind == "late"
    assert anomalies.late(T, T + timedelta(days=30)) is None


def test_a_quantity_above_three_times_the_maximum_is_unusual():
    r = rule(code="p", basis="per_hour", rate=1, max_quantity=2)
    assert anomalies.unusual(r, 6 * 60 + 1).kind == "unusual"
    assert anomalies.unusual(r, 6 * 60) is None


def test_a_configured_usual_maximum_takes_precedence():
    r = rule(code="k", basis="per_item", rate=1, max_quantity=30, usual_max=10)
    assert anomalies.unusual(r, 11) is not None and anomalies.unusual(r, 10) is None


def test_a_rule_without_limits_flags_no_quantity():
    assert anomalies.unusual(rule(code="k", basis="per_item", rate=1), 10**6) is None
