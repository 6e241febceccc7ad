"""Contributions as worked examples: what an idempotency key is bound to, the answer a
decision gives, and an award's reason and meta."""

from datetime import date, datetime

from timebank.domain.contributions import (
    LIVE,
    ContributionInput,
    ContributionRef,
    ContributionResult,
    award_meta,
    award_reason,
)


def test_pending_and_approved_contributions_are_the_live_ones():
    assert LIVE == ("pending", "approved")


def test_a_key_is_bound_to_every_field_dates_and_times_as_text():
    item = ContributionInput(
        "m1", "patrol", 1.5, date(2026, 3, 7), datetime(2026, 3, 7, 8, 0),
        datetime(2026, 3, 7, 9, 30), 90, ("blizzard", "night"), "cold", "2026-03", "k1")
    assert item.request("clerk") == {
        "op": "contribution", "member": "m1", "rule": "patrol", "quantity": 1.5,
        "occurred_on": "2026-03-07", "started_at": "2026-03-07 08:00:00",
        "ended_at": "2026-03-07 09:30:00", "scheduled_minutes": 90,
        "tags": ["blizzard", "night"], "note": "cold", "period": "2026-03",
        "recorded_by": "clerk"}


def test_a_key_keeps_absent_fields_as_none_and_text_and_numbers_as_they_are():
    item = ContributionInput("m2", "bake", "3", "2026-03-07")
    assert item.request("api") == {
        "op": "contribution", "member": "m2", "rule": "bake", "quantity": "3",
        "occurred_on": "2026-03-07", "started_at": None, "ended_at": None,
        "scheduled_minutes": None, "tags": [], "note": "", "period": None,
        "recorded_by": "api"}
    assert ContributionInput("m2", "bake", 2).request("api")["quantity"] == 2


def ref(local_day=date(2026, 3, 7)):
    return ContributionRef(9, 4, "m1", "patrol", "points", 30, True, "pending", "clerk",
                           datetime(2026, 3, 7, 1, 0), local_day, None, "巡逻", "Patrol")


def test_a_decision_answers_with_the_contribution_in_its_new_status():
    assert ref().result("approved", 77) == ContributionResult(
        9, "m1", "patrol", "approved", 30, "points", True, 77)
    assert ref().result("rejected", None) == ContributionResult(
        9, "m1", "patrol", "rejected", 30, "points", True, None)


def test_a_stored_contribution_counts_toward_its_local_month():
    assert ref(date(2026, 1, 31)).month == "2026-01"


def test_an_award_reason_names_the_rule_in_both_languages():
    assert award_reason("巡逻", "Patrol") == "巡逻 / Patrol"


def test_an_award_reason_is_cut_to_500_characters():
    reason = award_reason("长" * 300, "x" * 300)
    assert reason == "长" * 300 + " / " + "x" * 197
    assert len(reason) == 500


def test_an_award_meta_names_the_approver_only_when_there_is_one():
    assert award_meta(9, "patrol", "lee") == {"contribution": 9, "rule": "patrol",
                                              "approver": "lee"}
    assert award_meta(9, "patrol", None) == {"contribution": 9, "rule": "patrol"}
    assert award_meta(9, "patrol", "") == {"contribution": 9, "rule": "patrol",
                                           "approver": ""}
