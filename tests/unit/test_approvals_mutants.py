"""Bulk approvals as worked examples: which filters are accepted (a limit or a date range
met exactly is still allowed), how a filter is bound to an idempotency key, which
contributions pass and which are skipped with what reason, and the monthly totals the
approvals add."""

from datetime import date, datetime

import pytest

from timebank.domain.approvals import (
    FLAGGED,
    MAX_IDS,
    NOT_PENDING,
    SELF_APPROVAL,
    UNKNOWN,
    ApprovalFilter,
    Candidate,
    Skipped,
    monthly_totals,
    sort_key,
    triage,
    unknown,
)
from timebank.errors import TimebankError


def refusal(call, *args, **kwargs):
    """(class name, message, details) of the error ``call`` raises."""
    with pytest.raises(TimebankError) as caught:
        call(*args, **kwargs)
    return type(caught.value).__name__, str(caught.value), caught.value.details


def candidate(id, *, member_id=1, rule="patrol", unit="/g1/", points=10, status="pending",
              recorded_by="clerk", at=datetime(2024, 3, 5, 9, 0), day=None, flags=()):
    return Candidate(id, member_id, rule, unit, points, status, recorded_by, at,
                     day or at.date(), "巡逻", "Patrol", flags)


# -- the filter ---------------------------------------------------------------------------


def test_the_reason_codes_and_the_limit_on_ids_are_fixed():
    assert (SELF_APPROVAL, FLAGGED, NOT_PENDING, UNKNOWN, MAX_IDS) == (
        "self_approval", "flagged", "not_pending", "unknown", 100_000)


def test_an_empty_filter_and_a_filter_of_ids_are_accepted_and_returned():
    empty = ApprovalFilter()
    assert empty.check() is empty
    ids = ApprovalFilter(ids=(1, 7))
    assert ids.check() is ids


def test_exactly_the_limit_of_ids_is_accepted_and_one_more_is_refused():
    at_limit = ApprovalFilter(ids=tuple(range(1, MAX_IDS + 1)))
    assert at_limit.check() is at_limit
    assert refusal(ApprovalFilter(ids=tuple(range(1, MAX_IDS + 2))).check) == (
        "ValidationError", "at most 100000 ids in one approval, got 100001",
        {"field": "ids", "limit": 100000})


@pytest.mark.parametrize("bad", [0, -3, True, 1.0, "2", None])
def test_ids_must_be_positive_whole_numbers(bad):
    assert refusal(ApprovalFilter(ids=(4, bad)).check) == (
        "ValidationError", "ids are positive whole numbers", {"field": "ids"})


def test_an_id_of_one_is_the_smallest_accepted():
    one = ApprovalFilter(ids=(1,))
    assert one.check() is one


@pytest.mark.parametrize("field", [
    {"import_id": 3}, {"rule": "patrol"}, {"unit": "/g1/"}, {"from_": date(2024, 3, 1)},
    {"to": date(2024, 3, 31)}, {"recorded_by": "clerk"}])
def test_ids_and_any_filter_field_together_are_refused(field):
    assert refusal(ApprovalFilter(ids=(2,), **field).check) == (
        "ValidationError", "give ids or a filter, not both", {"field": "ids"})


def test_a_date_range_may_be_one_day_but_not_backwards():
    one_day = ApprovalFilter(from_=date(2024, 3, 5), to=date(2024, 3, 5))
    assert one_day.check() is one_day
    assert refusal(ApprovalFilter(from_=date(2024, 3, 6), to=date(2024, 3, 5)).check) == (
        "ValidationError", "from is on or before to", {"field": "from"})


def test_a_range_open_at_either_end_is_accepted():
    since = ApprovalFilter(from_=date(2024, 3, 6))
    until = ApprovalFilter(to=date(2024, 3, 5))
    assert (since.check(), until.check()) == (since, until)


def test_a_filter_binds_the_key_with_every_field_and_dates_in_iso_form():
    full = ApprovalFilter(import_id=9, rule="patrol", unit="/g1/", from_=date(2024, 3, 1),
                          to=date(2024, 3, 31), recorded_by="clerk")
    assert full.request() == {"ids": None, "import": 9, "rule": "patrol", "unit": "/g1/",
                              "from": "2024-03-01", "to": "2024-03-31",
                              "recorded_by": "clerk"}


def test_ids_bind_the_key_as_a_list_and_missing_fields_as_none():
    assert ApprovalFilter(ids=(5, 2)).request() == {
        "ids": [5, 2], "import": None, "rule": None, "unit": None, "from": None,
        "to": None, "recorded_by": None}


# -- triage -------------------------------------------------------------------------------


def test_candidates_are_ordered_by_when_they_happened_then_by_id():
    early = candidate(9, at=datetime(2024, 3, 5, 8, 0))
    first = candidate(3, at=datetime(2024, 3, 5, 9, 0))
    second = candidate(4, at=datetime(2024, 3, 5, 9, 0))
    assert sort_key(first) == (datetime(2024, 3, 5, 9, 0), 3)
    passing, skipped = triage([second, first, early], "boss", allow_self=False,
                              include_flagged=False)
    assert (passing, skipped) == ([early, first, second], [])


def test_a_contribution_no_longer_pending_is_skipped_saying_what_it_is():
    assert triage([candidate(5, status="approved")], "boss", allow_self=True,
                  include_flagged=True) == (
        [], [Skipped(5, "not_pending", "already approved")])


def test_the_recorder_may_not_approve_unless_self_approval_is_allowed():
    mine = candidate(6, recorded_by="boss")
    assert triage([mine], "boss", allow_self=False, include_flagged=False) == (
        [], [Skipped(6, "self_approval", "boss recorded it and may not approve it")])
    assert triage([mine], "boss", allow_self=True, include_flagged=False) == ([mine], [])
    assert triage([mine], "other", allow_self=False, include_flagged=False) == ([mine], [])


def test_a_flagged_contribution_is_skipped_with_its_flags_unless_flags_are_included():
    flagged = candidate(7, flags=("long_day", "usual_max"))
    assert triage([flagged], "boss", allow_self=False, include_flagged=False) == (
        [], [Skipped(7, "flagged", "long_day, usual_max")])
    assert triage([flagged], "boss", allow_self=False, include_flagged=True) == (
        [flagged], [])


def test_a_pending_self_recorded_flagged_one_is_skipped_for_self_approval_first():
    both = candidate(8, recorded_by="boss", flags=("long_day",))
    assert triage([both], "boss", allow_self=False, include_flagged=False)[1] == [
        Skipped(8, "self_approval", "boss recorded it and may not approve it")]
    done = candidate(9, status="rejected", recorded_by="boss", flags=("long_day",))
    assert triage([done], "boss", allow_self=False, include_flagged=False)[1] == [
        Skipped(9, "not_pending", "already rejected")]


def test_skipped_ones_keep_the_order_they_were_looked_at():
    a, b = candidate(2, status="approved"), candidate(1, flags=("x",))
    c = candidate(3)
    assert triage([a, c, b], "boss", allow_self=False, include_flagged=False) == (
        [c], [Skipped(2, "not_pending", "already approved"), Skipped(1, "flagged", "x")])


# -- unknown ids and monthly totals ---------------------------------------------------------


def test_named_ids_not_found_are_skipped_once_each_in_the_order_named():
    assert unknown([4, 2, 9, 4, 7, 9], [2, 7]) == [
        Skipped(4, "unknown", "no such contribution"),
        Skipped(9, "unknown", "no such contribution")]
    assert unknown([1, 2], iter([2, 1])) == []


def test_monthly_totals_add_points_and_count_per_member_rule_unit_and_month():
    march = datetime(2024, 3, 5, 9, 0)
    approved = [
        candidate(1, points=10, at=march),
        candidate(2, points=15, at=march, day=date(2024, 3, 31)),
        candidate(3, points=7, at=march, day=date(2024, 4, 1)),
        candidate(4, points=4, member_id=2, at=march),
        candidate(5, points=3, rule="knives", at=march),
        candidate(6, points=2, unit="/g2/", at=march),
    ]
    assert monthly_totals(approved) == [
        (1, "patrol", "/g1/", "2024-03", 25, 2),
        (1, "patrol", "/g1/", "2024-04", 7, 1),
        (2, "patrol", "/g1/", "2024-03", 4, 1),
        (1, "knives", "/g1/", "2024-03", 3, 1),
        (1, "patrol", "/g2/", "2024-03", 2, 1),
    ]
    assert monthly_totals([]) == []
