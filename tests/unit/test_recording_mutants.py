"""The pure steps of recording, as worked examples: the shape of an input, when it
happened, its quantity in base units, resolving it against its member and the rule in
force, valuing a batch through caps and streaks, monthly totals and anomaly flags."""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from timebank.domain import rulebook
from timebank.domain.anomalies import DayMinutes, Flag, Span
from timebank.domain.contributions import ContributionInput, Earner, Resolved
from timebank.domain.recording import (
    MAX_BASE_QUANTITY,
    cap_usage,
    cap_window,
    check_shape,
    flag_window,
    flags,
    monthly_totals,
    quantity,
    resolve,
    streak_weeks,
    value,
    when,
)
from timebank.domain.rules import Claim, Valuation
from timebank.errors import TimebankError

TZ = "Asia/Shanghai"  # UTC+8, no daylight saving


def refusal(call, *args, **kwargs):
    """(class name, message, details) of the error ``call`` raises."""
    with pytest.raises(TimebankError) as caught:
        call(*args, **kwargs)
    return type(caught.value).__name__, str(caught.value), caught.value.details


def item(**fields):
    return ContributionInput(**{"member": "m1", "rule": "patrol", **fields})


# -- check_shape ------------------------------------------------------------------------


def test_an_input_with_every_optional_field_well_formed_passes_the_shape_check():
    assert check_shape(item()) is None
    assert check_shape(item(note="n" * 500, tags=("a.b-c_1", "x" * 32), period="2026-12",
                            scheduled_minutes=1)) is None
    assert check_shape(item(period="2026-01", scheduled_minutes=10**12)) is None


@pytest.mark.parametrize("member", ["", 5, None])
def test_an_input_names_a_member(member):
    assert refusal(check_shape, item(member=member)) == (
        "ValidationError", "a contribution names a member", {"field": "member"})


@pytest.mark.parametrize("rule", ["", 5, None])
def test_an_input_names_a_rule(rule):
    assert refusal(check_shape, item(rule=rule)) == (
        "ValidationError", "a contribution names a rule", {"field": "rule"})


@pytest.mark.parametrize("note", ["n" * 501, None, 5])
def test_a_note_is_text_of_at_most_500_characters(note):
    assert refusal(check_shape, item(note=note)) == (
        "ValidationError", "note is text of at most 500 characters", {"field": "note"})


@pytest.mark.parametrize("tags", ["blizzard", ("ok", ""), ("x" * 33,), ("a b",), ("ok", 5)])
def test_tags_are_short_names(tags):
    assert refusal(check_shape, item(tags=tags)) == (
        "ValidationError", "tags are short names such as 'blizzard'", {"field": "tags"})


@pytest.mark.parametrize("period", ["2026-13", "2026-00", "2026-3", "26-03", 202603,
                                    "2026-03-01"])
def test_a_period_is_a_month(period):
    assert refusal(check_shape, item(period=period)) == (
        "ValidationError", "period is a month 'YYYY-MM'", {"field": "period"})


def test_scheduled_minutes_are_a_positive_whole_number():
    assert refusal(check_shape, item(scheduled_minutes=0)) == (
        "InvalidAmount", "scheduled_minutes must be between 1 and 1,000,000,000,000, got 0",
        {"field": "scheduled_minutes"})


def test_the_shape_checks_run_in_order_member_first():
    assert refusal(check_shape, item(member="", rule="", note=None))[1] == \
        "a contribution names a member"
    assert refusal(check_shape, item(rule="", note=None))[1] == "a contribution names a rule"
    assert refusal(check_shape, item(note=None, tags="x"))[1] == \
        "note is text of at most 500 characters"


# -- when -------------------------------------------------------------------------------


def test_a_local_day_starts_at_its_midnight_in_utc_and_is_cached():
    midnights = {}
    assert when(item(occurred_on=date(2026, 3, 7)), TZ, midnights) == (
        datetime(2026, 3, 6, 16, 0), None, date(2026, 3, 7))
    assert midnights == {date(2026, 3, 7): datetime(2026, 3, 6, 16, 0)}


def test_a_cached_midnight_is_used_as_it_is():
    midnights = {date(2026, 3, 7): datetime(2000, 1, 1)}
    assert when(item(occurred_on="2026-03-07"), TZ, midnights) == (
        datetime(2000, 1, 1), None, date(2026, 3, 7))


def test_a_day_given_as_text_is_read_as_an_iso_date():
    assert when(item(occurred_on="2026-03-07"), "UTC", {}) == (
        datetime(2026, 3, 7), None, date(2026, 3, 7))


def test_a_day_that_is_not_an_iso_date_is_refused_quoted():
    assert refusal(when, item(occurred_on="yesterday"), TZ, {}) == (
        "ValidationError", "occurred_on is a date like 2024-03-15, got 'yesterday'",
        {"field": "occurred_on"})


@pytest.mark.parametrize("day", [None, 20260307, datetime(2026, 3, 7, 8, 0)])
def test_an_input_gives_a_day_or_a_start_and_an_end(day):
    assert refusal(when, item(occurred_on=day), TZ, {}) == (
        "ValidationError", "a contribution gives occurred_on or started_at and ended_at",
        {"field": "occurred_on"})


def test_a_start_and_an_end_are_kept_in_utc_and_the_day_is_the_local_one():
    start = datetime(2026, 3, 6, 17, 0)  # 01:00 on the 7th in Shanghai
    assert when(item(started_at=start, ended_at=start + timedelta(minutes=1)), TZ, {}) == (
        start, datetime(2026, 3, 6, 17, 1), date(2026, 3, 7))
    aware = datetime(2026, 3, 7, 1, 0, tzinfo=timezone(timedelta(hours=8)))
    assert when(item(started_at=aware, ended_at=aware + timedelta(hours=2)), "UTC", {}) == (
        datetime(2026, 3, 6, 17, 0), datetime(2026, 3, 6, 19, 0), date(2026, 3, 6))


def test_an_end_at_or_before_the_start_is_refused():
    start = datetime(2026, 3, 7, 8, 0, tzinfo=UTC)
    for end in (start, start - timedelta(minutes=1)):
        assert refusal(when, item(started_at=start, ended_at=end), TZ, {}) == (
            "ValidationError", "ended_at is after started_at", {"field": "ended_at"})


def test_a_day_and_a_start_are_not_given_together():
    start = datetime(2026, 3, 7, 8, 0)
    assert refusal(when, item(occurred_on="2026-03-07", started_at=start,
                              ended_at=start + timedelta(hours=1)), TZ, {}) == (
        "ValidationError", "give occurred_on or started_at/ended_at, not both",
        {"field": "occurred_on"})
    assert refusal(when, item(occurred_on="2026-03-07", ended_at=start), TZ, {})[1] == \
        "give occurred_on or started_at/ended_at, not both"


def test_a_start_without_an_end_or_given_as_text_is_refused_by_name():
    start = datetime(2026, 3, 7, 8, 0)
    assert refusal(when, item(started_at=start), TZ, {}) == (
        "ValidationError", "ended_at is a date and time", {"field": "ended_at"})
    assert refusal(when, item(ended_at=start), TZ, {}) == (
        "ValidationError", "started_at is a date and time", {"field": "started_at"})
    assert refusal(when, item(started_at="2026-03-07T08:00", ended_at=start), TZ, {}) == (
        "ValidationError", "started_at is a date and time", {"field": "started_at"})


# -- quantity ---------------------------------------------------------------------------

PATROL = rulebook.rule(code="patrol", basis="per_hour", rate=10)
BAKE = rulebook.rule(code="bake", basis="per_item", rate=3)
START = datetime(2026, 3, 7, 8, 0)


def base(raw, rule=PATROL, end=None):
    got = quantity(item(quantity=raw), rule, START, end)
    assert type(got) is int
    return got


def test_the_largest_base_quantity_is_ten_million():
    assert MAX_BASE_QUANTITY == 10_000_000


def test_whole_hours_are_minutes_and_whole_items_are_items():
    assert base(2) == 120
    assert base(1) == 60
    assert base(2, BAKE) == 2
    assert base(1, BAKE) == 1
    assert base(166_666) == 9_999_960
    assert base(166_667, BAKE) == 166_667
    assert base(10_000_000, BAKE) == 10_000_000


def test_hours_may_be_a_fraction_that_makes_whole_minutes():
    assert base(1.5) == 90
    assert base(0.25) == 15
    assert base("1.5") == 90
    assert base("1/3") == 20
    assert base(166_666.5) == 9_999_990
    assert base(2.0) == 120
    assert base(120.0) == 7200


def test_a_fraction_of_a_minute_is_rounded_half_up():
    assert base(0.01) == 1          # 0.6 minutes
    assert base("0.0125") == 1      # 0.75 minutes
    assert base(0.025) == 2         # 1.5 minutes


def test_items_given_as_a_whole_float_or_text_are_items():
    assert base(2.0, BAKE) == 2
    assert base("4", BAKE) == 4


def test_no_quantity_is_one_item_or_the_minutes_between_start_and_end():
    assert base(None, BAKE) == 1
    assert base(None, BAKE, START + timedelta(hours=3)) == 1
    assert base(None, PATROL, START + timedelta(minutes=90, seconds=59)) == 90
    assert base(None, PATROL, START + timedelta(minutes=1)) == 1


def test_a_timed_rule_needs_a_quantity_or_a_start_and_an_end():
    assert refusal(base, None) == (
        "ValidationError", "rule 'patrol' counts hours: give quantity or started_at and "
        "ended_at", {"field": "quantity"})


@pytest.mark.parametrize(("raw", "end"), [
    (None, START + timedelta(seconds=59)), (0.005, None), ("0.001", None)])
def test_less_than_a_minute_is_refused(raw, end):
    assert refusal(base, raw, PATROL, end) == (
        "InvalidAmount", "quantity must be at least one minute", {"field": "quantity"})


@pytest.mark.parametrize(("raw", "shown"), [
    (True, "True"), ([1], "[1]"), ("abc", "'abc'"), ("1/0", "'1/0'"), (b"1", "b'1'"),
    (Decimal("2"), "Decimal('2')")])
def test_a_quantity_is_a_number(raw, shown):
    assert refusal(base, raw) == (
        "InvalidAmount", f"quantity must be a number, got {shown}", {"field": "quantity"})


@pytest.mark.parametrize(("raw", "rule"), [
    (0, PATROL), (0, BAKE), (-3, PATROL), (0.0, PATROL), (-1.5, PATROL), ("0", BAKE),
    ("-2", BAKE)])
def test_a_quantity_is_positive(raw, rule):
    assert refusal(base, raw, rule) == (
        "InvalidAmount", f"quantity must be positive, got {raw}", {"field": "quantity"})


@pytest.mark.parametrize("raw", [2.5, "2.5", "1/2"])
def test_items_are_whole(raw):
    assert refusal(base, raw, BAKE) == (
        "InvalidAmount", f"rule 'bake' counts whole items, got {raw}", {"field": "quantity"})


@pytest.mark.parametrize(("raw", "rule"), [
    (166_667, PATROL), (166_666.75, PATROL), ("166667", PATROL), (10_000_001, BAKE),
    ("10000001", BAKE)])
def test_a_quantity_above_ten_million_base_units_is_out_of_range(raw, rule):
    assert refusal(base, raw, rule) == (
        "InvalidAmount", f"quantity {raw} is out of range", {"field": "quantity"})


# -- resolve ----------------------------------------------------------------------------

GUARD = rulebook.rule(code="guard", basis="per_hour", rate=10, eligible_roles=["volunteer"],
                      ineligible_tags=["under_discipline"])
DUES = rulebook.rule(code="dues", basis="per_period", rate=5)
VERSIONS = {"patrol": [(21, PATROL)], "bake": [(22, BAKE)], "guard": [(23, GUARD)],
            "dues": [(24, DUES)]}
PEOPLE = {"m1": Earner(4, ("volunteer", "resident"), ()),
          "m2": Earner(5, ("resident",), ()),
          "m3": Earner(6, ("volunteer",), ("under_discipline",))}
TODAY = date(2026, 3, 7)


def resolved(index, given, today=TODAY, midnights=None):
    return resolve(index, given, PEOPLE, VERSIONS, TZ, today, {} if midnights is None
                   else midnights)


def test_a_timed_input_resolves_to_its_member_rule_version_and_claim():
    given = item(quantity=1.5, occurred_on="2026-03-07", tags=("night",),
                 scheduled_minutes=120, note="cold")
    assert resolved(3, given) == Resolved(
        3, "m1", 4, ("volunteer", "resident"), 21, PATROL,
        Claim(90, date(2026, 3, 7), ("night",), 120, None),
        datetime(2026, 3, 6, 16, 0), None, None, "cold")


def test_a_start_and_an_end_are_kept_on_the_resolved_input():
    start = datetime(2026, 3, 6, 17, 0)
    given = item(member="m2", started_at=start, ended_at=start + timedelta(minutes=45))
    assert resolved(0, given) == Resolved(
        0, "m2", 5, ("resident",), 21, PATROL, Claim(45, date(2026, 3, 7), (), None, None),
        start, start + timedelta(minutes=45), None, "")


def test_an_untimed_rule_drops_the_scheduled_minutes():
    given = item(rule="bake", quantity=2, occurred_on="2026-03-01", scheduled_minutes=60)
    assert resolved(1, given).claim == Claim(2, date(2026, 3, 1), (), None, None)


def test_a_period_rule_pays_the_month_given_or_else_the_month_of_the_day():
    given = item(rule="dues", occurred_on="2026-03-07", period="2026-02")
    found = resolved(0, given)
    assert (found.claim, found.period, found.version_id) == (
        Claim(1, date(2026, 3, 7), (), None, date(2026, 2, 1)), "2026-02", 24)
    found = resolved(0, item(rule="dues", occurred_on="2026-03-07"))
    assert (found.claim.period_start, found.period) == (date(2026, 3, 1), "2026-03")


def test_a_period_is_refused_for_a_rule_not_paid_per_period():
    assert refusal(resolved, 0, item(occurred_on="2026-03-07", quantity=1,
                                     period="2026-02")) == (
        "ValidationError", "rule 'patrol' is not paid per period", {"field": "period"})


def test_an_unknown_member_is_refused():
    assert refusal(resolved, 0, item(member="zz", quantity=1, occurred_on="2026-03-07")) == (
        "UnknownMember", "unknown member 'zz'", {"field": "member"})


def test_a_contribution_may_happen_today_but_not_tomorrow():
    assert resolved(0, item(quantity=1, occurred_on="2026-03-07")).claim.day == TODAY
    assert refusal(resolved, 0, item(quantity=1, occurred_on="2026-03-08")) == (
        "ValidationError", "a contribution cannot happen in the future (2026-03-08)",
        {"field": "occurred_on"})


def test_an_unknown_rule_is_refused():
    assert refusal(resolved, 0, item(rule="sweep", quantity=1, occurred_on="2026-03-07")) \
        == ("UnknownRule", "unknown rule 'sweep'", {"field": "rule"})


def test_a_member_without_the_role_or_with_an_excluding_tag_may_not_earn():
    assert resolved(0, item(rule="guard", quantity=1, occurred_on="2026-03-07")).rule == GUARD
    assert refusal(resolved, 0, item(member="m2", rule="guard", quantity=1,
                                     occurred_on="2026-03-07")) == (
        "NotEligible", "member 'm2' may not earn from rule 'guard'",
        {"field": "member", "rule": "guard"})
    assert refusal(resolved, 0, item(member="m3", rule="guard", quantity=1,
                                     occurred_on="2026-03-07"))[1] == \
        "member 'm3' may not earn from rule 'guard'"


def test_the_midnights_cache_is_shared_across_inputs():
    midnights = {}
    resolved(0, item(quantity=1, occurred_on="2026-03-07"), midnights=midnights)
    assert midnights == {date(2026, 3, 7): datetime(2026, 3, 6, 16, 0)}


# -- caps, streaks and valuing ----------------------------------------------------------


def claim_of(day, quantity=60, member_id=4, roles=(), rule=PATROL, index=0):
    return Resolved(index, f"m{member_id}", member_id, roles, 1, rule,
                    Claim(quantity, day), datetime.combine(day, datetime.min.time()), None,
                    None, "")


def test_the_cap_window_spans_the_years_and_weeks_of_the_first_and_last_days():
    # 2025-12-31 is a Wednesday: its year starts on 2025-01-01, its week ends 2026-01-04.
    items = [claim_of(date(2026, 3, 7)), claim_of(date(2025, 12, 31)), claim_of(date(2025, 6, 1))]
    assert cap_window(items) == (date(2025, 1, 1), date(2026, 12, 31))
    # 2026-01-01 is a Thursday: its week starts on Monday 2025-12-29.
    assert cap_window([claim_of(date(2026, 1, 1))]) == (date(2025, 12, 29), date(2026, 12, 31))
    assert cap_window([claim_of(date(2025, 12, 31))]) == (date(2025, 1, 1), date(2026, 1, 4))


def test_cap_usage_sums_points_per_member_rule_period_and_key():
    rows = [(4, "patrol", date(2026, 3, 7), 30),   # a Saturday
            (4, "patrol", date(2026, 3, 8), 20),   # the Sunday after
            (4, "patrol", date(2026, 3, 9), None),  # the next Monday, no points
            (5, "patrol", date(2026, 3, 7), 7)]
    assert cap_usage(rows) == {
        (4, "patrol", "day", "2026-03-07"): 30, (4, "patrol", "day", "2026-03-08"): 20,
        (4, "patrol", "day", "2026-03-09"): 0,
        (4, "patrol", "week", "2026-03-02"): 50, (4, "patrol", "week", "2026-03-09"): 0,
        (4, "patrol", "month", "2026-03"): 50, (4, "patrol", "year", "2026"): 50,
        (5, "patrol", "day", "2026-03-07"): 7, (5, "patrol", "week", "2026-03-02"): 7,
        (5, "patrol", "month", "2026-03"): 7, (5, "patrol", "year", "2026"): 7}
    assert cap_usage(rows)[9, "patrol", "day", "2026-03-07"] == 0


def test_streak_weeks_are_the_mondays_with_a_contribution_per_member_and_rule():
    rows = [(4, "patrol", date(2026, 3, 7)), (4, "patrol", date(2026, 3, 3)),
            (4, "patrol", date(2026, 3, 9)), (4, "bake", date(2026, 3, 1)),
            (5, "patrol", date(2026, 3, 7))]
    assert streak_weeks(rows) == {
        (4, "patrol"): {date(2026, 3, 2), date(2026, 3, 9)}, (4, "bake"): {date(2026, 2, 23)},
        (5, "patrol"): {date(2026, 3, 2)}}
    assert streak_weeks(rows)[9, "patrol"] == set()


STREAKY = rulebook.rule(code="patrol", basis="per_hour", rate=10, caps={"day": 25},
                        streak={"every": 2, "bonus": 5},
                        multipliers=[{"factor": 2, "roles": ["captain"]}])


def test_a_batch_is_valued_in_order_each_item_counting_toward_the_next():
    saturday = date(2026, 3, 7)
    used = defaultdict(int, {(4, "patrol", "day", "2026-03-07"): 10})
    weeks = defaultdict(set, {(4, "patrol"): {date(2026, 2, 23)}})
    items = [claim_of(saturday, 60, rule=STREAKY),                    # 10 + bonus 5
             claim_of(saturday, 120, rule=STREAKY),                   # 20, day cap used up
             claim_of(saturday, 60, 5, ("captain",), rule=STREAKY)]   # 10 x 2, first week
    found = value(items, used, weeks)
    assert [(v.credited, v.raw_points, v.points, v.capped, v.bonus, v.factor)
            for v in found] == [(60, 15, 15, False, 5, "1"), (120, 20, 0, True, 0, "1"),
                                (60, 20, 20, False, 0, "2")]
    assert found[1] == Valuation(120, 20, 0, True, 0, "1", ("capped from 20 to 0",))
    assert used == {
        (4, "patrol", "day", "2026-03-07"): 25, (4, "patrol", "week", "2026-03-02"): 15,
        (4, "patrol", "month", "2026-03"): 15, (4, "patrol", "year", "2026"): 15,
        (5, "patrol", "day", "2026-03-07"): 20, (5, "patrol", "week", "2026-03-02"): 20,
        (5, "patrol", "month", "2026-03"): 20, (5, "patrol", "year", "2026"): 20}
    assert weeks == {(4, "patrol"): {date(2026, 2, 23), date(2026, 3, 2)},
                     (5, "patrol"): {date(2026, 3, 2)}}


def test_a_cap_counts_what_was_used_in_every_period():
    used = defaultdict(int, {(4, "patrol", "day", "2026-03-07"): 24})
    found = value([claim_of(date(2026, 3, 7), 60, rule=STREAKY)], used, defaultdict(set))
    assert [(v.raw_points, v.points, v.capped) for v in found] == [(10, 1, True)]


def test_monthly_totals_sum_points_and_count_contributions_per_member_rule_and_month():
    def valued(points):
        return Valuation(60, points, points, False)
    pairs = [(claim_of(date(2026, 3, 7)), valued(10)),
             (claim_of(date(2026, 3, 31)), valued(7)),
             (claim_of(date(2026, 4, 1)), valued(3)),
             (claim_of(date(2026, 3, 7), member_id=5), valued(0)),
             (claim_of(date(2026, 3, 8), rule=BAKE), valued(6))]
    assert monthly_totals(pairs) == [
        (4, "patrol", "points", "2026-03", 17, 2), (4, "patrol", "points", "2026-04", 3, 1),
        (5, "patrol", "points", "2026-03", 0, 1), (4, "bake", "points", "2026-03", 6, 1)]
    assert monthly_totals([]) == []


# -- anomalies --------------------------------------------------------------------------


def test_the_flag_window_reaches_a_day_beyond_the_first_and_last_days():
    items = [claim_of(date(2026, 3, 7)), claim_of(date(2026, 3, 1)), claim_of(date(2026, 3, 4))]
    assert flag_window(items) == (date(2026, 2, 28), date(2026, 3, 8))


USUAL = rulebook.rule(code="patrol", basis="per_hour", rate=10, usual_max=8)
FEW = rulebook.rule(code="bake", basis="per_item", rate=3, usual_max=5)


def spanned(index, member_id, start, minutes, rule=USUAL):
    day = (start + timedelta(hours=8)).date()
    return Resolved(index, f"m{member_id}", member_id, (), 1, rule, Claim(minutes, day),
                    start, start + timedelta(minutes=minutes), None, "")


def test_flags_name_late_unusual_overlapping_and_long_contributions_by_index():
    now = datetime(2026, 3, 8, 0, 0)
    items = [spanned(0, 4, datetime(2026, 3, 7, 1, 0), 120),
             spanned(1, 4, datetime(2026, 3, 7, 2, 0), 120),
             Resolved(2, "m5", 5, (), 1, USUAL, Claim(600, date(2026, 2, 2)),
                      datetime(2026, 2, 1, 16, 0), None, None, ""),
             Resolved(3, "m4", 4, (), 1, FEW, Claim(6, date(2026, 3, 7)),
                      datetime(2026, 3, 6, 16, 0), None, None, "")]
    stored = ([Span(901, 5, datetime(2026, 2, 1, 16, 0), datetime(2026, 2, 1, 17, 0))],
              [DayMinutes(902, 5, date(2026, 2, 2), 400)])
    assert flags(items, now, stored) == {
        0: [Flag("overlap", "overlaps contribution 1 of the same member")],
        1: [Flag("overlap", "overlaps contribution 0 of the same member")],
        2: [Flag("late", "recorded 34 days after it happened"),
            Flag("unusual", "quantity 600 is above the usual maximum (480)"),
            Flag("long_day", "16.6667 hours credited on 2026-02-02")],
        3: [Flag("unusual", "quantity 6 is above the usual maximum (5)")]}


def test_a_span_overlapping_a_stored_one_is_flagged():
    items = [spanned(0, 4, datetime(2026, 3, 7, 1, 0), 60),
             spanned(1, 5, datetime(2026, 3, 7, 1, 0), 60)]
    stored = ([Span(77, 4, datetime(2026, 3, 7, 1, 30), datetime(2026, 3, 7, 3, 0))], [])
    assert flags(items, datetime(2026, 3, 7, 4, 0), stored) == {
        0: [Flag("overlap", "overlaps contribution 77 of the same member")]}


def test_new_timed_contributions_alone_can_make_a_long_day():
    items = [spanned(0, 4, datetime(2026, 3, 7, 0, 0), 500, PATROL),
             spanned(1, 4, datetime(2026, 3, 7, 9, 0), 470, PATROL)]
    assert flags(items, datetime(2026, 3, 7, 18, 0)) == {
        0: [Flag("long_day", "16.1667 hours credited on 2026-03-07")],
        1: [Flag("long_day", "16.1667 hours credited on 2026-03-07")]}


def test_untimed_contributions_get_only_the_late_and_unusual_flags():
    items = [Resolved(0, "m4", 4, (), 1, FEW, Claim(2000, date(2026, 3, 7)),
                      datetime(2026, 1, 1), None, None, "")]
    stored = ([], [DayMinutes(902, 4, date(2026, 3, 7), 2000)])
    assert flags(items, datetime(2026, 3, 8), stored) == {
        0: [Flag("late", "recorded 66 days after it happened"),
            Flag("unusual", "quantity 2000 is above the usual maximum (5)")]}
    assert flags([], datetime(2026, 3, 8)) == {}
