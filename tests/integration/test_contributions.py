"""The contribution workflow on both engines: recording, caps, approval, rejection,
reversal, versioned rules, anomaly flags, bulk recording and idempotency."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from timebank.domain.access import Actor
from timebank.domain.rulebook import rule
from timebank.errors import (
    IdempotencyConflict,
    InvalidAmount,
    InvalidState,
    NotEligible,
    RulebookError,
    SelfApproval,
    UnknownContribution,
    UnknownMember,
    UnknownRule,
    ValidationError,
)
from timebank.services.contributions import ContributionInput
from timebank.store.tables import contributions, earnings_monthly

DAY = date(2024, 3, 1)  # a Friday


@pytest.fixture
def red(tb, community):
    tb.rules.install(community, "red_vest")
    tb.members.update(community, "m1", roles=["volunteer"])
    return community


def count(tb, table) -> int:
    with tb.store.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def balance(tb, community, member, unit="points") -> int:
    found = tb.ledger.balance(community, member)
    return found[unit].posted if unit in found else 0


def test_installing_a_rulebook_stores_its_rules_and_policies(tb, red):
    codes = [r.code for r in tb.rules.list(red)]
    assert "snow_clearing" in codes and "sharpening" in codes
    settings = tb.communities.get(red).settings
    assert settings["rulebook"] == "red_vest" and settings["allow_self_approval"] is False
    assert settings["tiers"]["levels"][0]["code"] == "bronze"
    assert settings["expiry"] == {"policy": "never"}


def test_installing_the_same_rulebook_twice_changes_nothing(tb, red):
    tb.rules.install(red, "red_vest")
    assert len(tb.rules.history(red, "patrol")) == 1


def test_an_auto_approved_contribution_posts_its_award_at_once(tb, red):
    done = tb.contributions.record(red, "m1", "sharpening", key="k1", quantity=5,
                                   occurred_on=DAY, recorded_by="clerk")
    assert done.status == "approved" and done.points == 5 and done.entry_id is not None
    assert balance(tb, red, "m1") == 5
    assert tb.verify(red).ok


def test_a_rule_needing_approval_waits_as_pending_without_points(tb, red):
    done = tb.contributions.record(red, "m1", "elder_care", key="k1", quantity=2,
                                   occurred_on=DAY, recorded_by="clerk")
    assert done.status == "pending" and done.points == 4 and done.entry_id is None
    assert balance(tb, red, "m1") == 0


def test_approval_posts_the_award_naming_rule_contribution_and_approver(tb, red):
    done = tb.contributions.record(red, "m1", "elder_care", key="k1", quantity=2,
                                   occurred_on=DAY, recorded_by="clerk")
    approved = tb.contributions.approve(red, done.id, approver=Actor("director"), key="a1")
    assert approved.status == "approved" and approved.entry_id is not None
    assert balance(tb, red, "m1") == 4
    line = tb.statements.statement(red, "m1").lines[-1]
    assert (line.rule, line.contribution, line.approver) == ("elder_care", done.id,
                                                             "director")
    assert tb.verify(red).ok


def test_approving_twice_is_refused_and_posts_once(tb, red):
    done = tb.contributions.record(red, "m1", "elder_care", key="k1", quantity=2,
                                   occurred_on=DAY, recorded_by="clerk")
    tb.contributions.approve(red, done.id, approver=Actor("director"), key="a1")
    with pytest.raises(InvalidState):
        tb.contributions.approve(red, done.id, approver=Actor("director"), key="a2")
    assert balance(tb, red, "m1") == 4


def test_a_replayed_approval_returns_the_first_result(tb, red):
    done = tb.contributions.record(red, "m1", "elder_care", key="k1", quantity=2,
                                   occurred_on=DAY, recorded_by="clerk")
    first = tb.contributions.approve(red, done.id, approver=Actor("director"), key="a1")
    assert tb.contributions.approve(red, done.id, approver=Actor("director"), key="a1") == first
    assert balance(tb, red, "m1") == 4


def test_the_recorder_may_not_approve_unless_the_community_allows_it(tb, red):
    done = tb.contributions.record(red, "m1", "elder_care", key="k1", quantity=2,
                                   occurred_on=DAY, recorded_by="clerk")
    with pytest.raises(SelfApproval):
        tb.contributions.approve(red, done.id, approver=Actor("clerk"), key="a1")
    assert tb.contributions.get(red, done.id).status == "pending"
    tb.communities.update_settings(red, {"allow_self_approval": True})
    assert tb.contributions.approve(red, done.id, approver=Actor("clerk"), key="a2").status == \
        "approved"


def test_a_rejection_needs_a_reason_happens_once_and_frees_the_cap(tb, red):
    first = tb.contributions.record(red, "m1", "errand", key="k1", quantity=3,
                                    occurred_on=DAY, recorded_by="clerk")
    assert first.points == 6  # the day cap of 6 is now reserved
    with pytest.raises(ValidationError):
        tb.contributions.reject(red, first.id, approver=Actor("director"), reason=" ", key="r0")
    rejected = tb.contributions.reject(red, first.id, approver=Actor("director"),
                                       reason="not on the rota", key="r1")
    assert rejected.status == "rejected"
    assert tb.contributions.get(red, first.id).reason == "not on the rota"
    with pytest.raises(InvalidState):
        tb.contributions.approve(red, first.id, approver=Actor("director"), key="a1")
    again = tb.contributions.record(red, "m1", "errand", key="k2", quantity=1,
                                    occurred_on=DAY, recorded_by="clerk")
    assert again.points == 2 and not again.capped


def test_a_cap_cuts_points_and_marks_the_contribution_capped_never_rejecting(tb, red):
    tb.contributions.record(red, "m1", "errand", key="k1", quantity=2, occurred_on=DAY)
    capped = tb.contributions.record(red, "m1", "errand", key="k2", quantity=2,
                                     occurred_on=DAY)
    assert capped.capped and capped.points == 2
    stored = tb.contributions.get(red, capped.id)
    assert stored.raw_points == 4 and any("capped" in n for n in stored.notes)
    zero = tb.contributions.record(red, "m1", "errand", key="k3", quantity=1,
                                   occurred_on=DAY)
    assert zero.capped and zero.points == 0
    nextday = tb.contributions.record(red, "m1", "errand", key="k4", quantity=1,
                                      occurred_on=DAY + timedelta(days=1))
    assert nextday.points == 2 and not nextday.capped


def test_approving_a_zero_point_contribution_posts_nothing(tb, red):
    tb.contributions.record(red, "m1", "errand", key="k1", quantity=3, occurred_on=DAY)
    zero = tb.contributions.record(red, "m1", "errand", key="k2", quantity=1,
                                   occurred_on=DAY)
    approved = tb.contributions.approve(red, zero.id, approver=Actor("director"), key="a1")
    assert approved.status == "approved" and approved.entry_id is None


def test_caps_are_counted_in_the_communitys_time_zone(tb, red):
    # 23:30 Shanghai on 1 March is 15:30 UTC; 00:30 on 2 March is 16:30 UTC on 1 March.
    late = datetime(2024, 3, 1, 15, 0, tzinfo=UTC)
    early = datetime(2024, 3, 1, 16, 30, tzinfo=UTC)
    tb.rules.put(red, "night", rule(code="night", basis="per_hour", rate=1,
                                    caps={"day": 1}))
    one = tb.contributions.record(red, "m1", "night", key="k1", started_at=late,
                                  ended_at=late + timedelta(minutes=60))
    two = tb.contributions.record(red, "m1", "night", key="k2", started_at=early,
                                  ended_at=early + timedelta(minutes=60))
    assert (one.points, two.points) == (1, 1)
    assert tb.contributions.get(red, two.id).occurred_on == date(2024, 3, 2)


def test_a_batch_records_one_activity_for_many_members_under_one_key(tb, red):
    batch = tb.contributions.record_batch(red, "snow_clearing", ["m1", "m2", "m3"],
                                          key="b1", quantity=2, occurred_on=DAY,
                                          tags=["blizzard"], recorded_by="clerk")
    assert [c.member for c in batch.contributions] == ["m1", "m2", "m3"]
    assert {c.points for c in batch.contributions} == {12}
    again = tb.contributions.record_batch(red, "snow_clearing", ["m1", "m2", "m3"],
                                          key="b1", quantity=2, occurred_on=DAY,
                                          tags=["blizzard"], recorded_by="clerk")
    assert again == batch and count(tb, contributions) == 3


def test_a_batch_with_an_unknown_member_writes_nothing(tb, red):
    with pytest.raises(UnknownMember):
        tb.contributions.record_batch(red, "sharpening", ["m1", "ghost"], key="b1",
                                      quantity=1, occurred_on=DAY)
    assert count(tb, contributions) == 0 and balance(tb, red, "m1") == 0


def test_a_replay_returns_the_first_result_and_a_changed_body_conflicts(tb, red):
    first = tb.contributions.record(red, "m1", "sharpening", key="k1", quantity=5,
                                    occurred_on=DAY)
    assert tb.contributions.record(red, "m1", "sharpening", key="k1", quantity=5,
                                   occurred_on=DAY) == first
    with pytest.raises(IdempotencyConflict) as err:
        tb.contributions.record(red, "m1", "sharpening", key="k1", quantity=6,
                                occurred_on=DAY)
    assert err.value.details["field"] == "quantity"
    assert balance(tb, red, "m1") == 5


@pytest.mark.parametrize(("kwargs", "error", "field"), [
    ({"rule": "nope"}, UnknownRule, "rule"),
    ({"member": "ghost"}, UnknownMember, "member"),
    ({"quantity": 0}, InvalidAmount, "quantity"),
    ({"quantity": -2}, InvalidAmount, "quantity"),
    ({"quantity": 1.5}, InvalidAmount, "quantity"),   # knives come whole
    ({"quantity": "lots"}, InvalidAmount, "quantity"),
    ({"occurred_on": date(2999, 1, 1)}, ValidationError, "occurred_on"),
    ({"occurred_on": "yesterday"}, ValidationError, "occurred_on"),
    ({"tags": ["not a tag"]}, ValidationError, "tags"),
])
def test_bad_input_raises_a_specific_error_and_writes_nothing(tb, red, kwargs, error, field):
    args = {"member": "m1", "rule": "sharpening", "quantity": 2, "occurred_on": DAY,
            **kwargs}
    with pytest.raises(error) as err:
        tb.contributions.record(red, args.pop("member"), args.pop("rule"), key="k1", **args)
    assert err.value.details["field"] == field
    assert count(tb, contributions) == 0


def test_a_member_without_an_eligible_role_is_refused(tb, community):
    tb.rules.install(community, "party_member")
    with pytest.raises(NotEligible):
        tb.contributions.record(community, "m1", "study_day", key="k1", occurred_on=DAY)
    tb.members.update(community, "m1", roles=["party_member"])
    assert tb.contributions.record(community, "m1", "study_day", key="k2",
                                   occurred_on=DAY).points == 2


def test_study_is_capped_at_twelve_points_a_year(tb, community):
    tb.rules.install(community, "party_member")
    tb.members.update(community, "m1", roles=["party_member"])
    points = [tb.contributions.record(community, "m1", "study_day", key=f"s{month}",
                                      occurred_on=date(2023, month, 15)).points
              for month in range(1, 13)]
    assert points == [2] * 6 + [0] * 6


def test_an_hourly_contribution_can_be_given_by_check_in_and_check_out(tb, red):
    start = datetime(2024, 3, 1, 1, 0)
    done = tb.contributions.record(red, "m1", "patrol", key="k1", started_at=start,
                                   ended_at=start + timedelta(minutes=100),
                                   scheduled_minutes=120)
    stored = tb.contributions.get(red, done.id)
    assert stored.quantity == 100 and stored.credited == 90 and done.points == 2
    short = tb.contributions.record(red, "m2", "patrol", key="k2", started_at=start,
                                    ended_at=start + timedelta(minutes=60),
                                    scheduled_minutes=120)
    assert short.points == 0  # 50% of the shift, 60% needed


def test_a_rule_change_values_only_what_happens_from_its_date(tb, red):
    before = tb.contributions.record(red, "m1", "sharpening", key="k1", quantity=4,
                                     occurred_on=date(2024, 1, 10))
    tb.rules.put(red, "sharpening", {"basis": "per_item", "rate": 2, "max_quantity": 30},
                 effective_from=date(2024, 2, 1))
    after = tb.contributions.record(red, "m1", "sharpening", key="k2", quantity=4,
                                    occurred_on=date(2024, 2, 1))
    old_day = tb.contributions.record(red, "m1", "sharpening", key="k3", quantity=4,
                                      occurred_on=date(2024, 1, 31))
    assert (before.points, after.points, old_day.points) == (4, 8, 4)
    assert tb.contributions.get(red, before.id).points == 4
    assert [r.rate for r in tb.rules.history(red, "sharpening")] == [1, 2]
    assert tb.rules.get(red, "sharpening", on=date(2024, 1, 31)).rate == 1


def test_a_rule_change_cannot_be_dated_before_the_newest_version(tb, red):
    tb.rules.put(red, "sharpening", {"basis": "per_item", "rate": 2},
                 effective_from=date(2024, 2, 1))
    with pytest.raises(ValidationError) as err:
        tb.rules.put(red, "sharpening", {"basis": "per_item", "rate": 3},
                     effective_from=date(2024, 1, 1))
    assert err.value.details["field"] == "effective_from"


def test_a_version_that_valued_contributions_cannot_be_replaced(tb, red):
    tb.rules.put(red, "sharpening", {"basis": "per_item", "rate": 2},
                 effective_from=date(2024, 2, 1))
    tb.contributions.record(red, "m1", "sharpening", key="k1", quantity=1,
                            occurred_on=date(2024, 2, 2))
    with pytest.raises(InvalidState):
        tb.rules.put(red, "sharpening", {"basis": "per_item", "rate": 5},
                     effective_from=date(2024, 2, 1))


def test_a_bad_rule_definition_is_refused_naming_the_field(tb, red):
    with pytest.raises(RulebookError) as err:
        tb.rules.put(red, "sharpening", {"basis": "per_item", "rate": -1})
    assert err.value.details["field"] == "rate"


def test_reversing_an_approved_contribution_reverses_its_award(tb, red):
    done = tb.contributions.record(red, "m1", "sharpening", key="k1", quantity=5,
                                   occurred_on=DAY)
    reversed_ = tb.contributions.reverse(red, done.id, actor="admin", reason="duplicate",
                                         key="r1")
    assert reversed_.status == "reversed" and balance(tb, red, "m1") == 0
    stored = tb.contributions.get(red, done.id)
    assert stored.reversal_id is not None and stored.reason == "duplicate"
    with pytest.raises(InvalidState):
        tb.contributions.reverse(red, done.id, actor="admin", reason="again", key="r2")
    assert tb.verify(red).ok


def test_earnings_monthly_follow_awards_and_reversals(tb, red):
    one = tb.contributions.record(red, "m1", "sharpening", key="k1", quantity=5,
                                  occurred_on=DAY)
    tb.contributions.record(red, "m1", "sharpening", key="k2", quantity=3,
                            occurred_on=DAY + timedelta(days=1))
    pending = tb.contributions.record(red, "m1", "repair", key="k3", occurred_on=DAY)
    tb.contributions.approve(red, pending.id, approver=Actor("director"), key="a1")
    tb.contributions.reverse(red, one.id, actor="admin", reason="typo", key="r1")
    with tb.store.read() as conn:
        rows = {(r.rule, r.month): (r.points, r.contributions) for r in conn.execute(
            sa.select(earnings_monthly))}
    assert rows == {("sharpening", "2024-03"): (3, 1), ("repair", "2024-03"): (3, 1)}


def test_anomalies_are_flagged_and_listed_with_the_contribution(tb, red):
    start = datetime(2024, 3, 1, 0, 0)
    tb.contributions.record(red, "m1", "patrol", key="k1", started_at=start,
                            ended_at=start + timedelta(hours=2))
    overlap = tb.contributions.record(red, "m1", "patrol", key="k2",
                                      started_at=start + timedelta(hours=1),
                                      ended_at=start + timedelta(hours=3))
    assert "overlap" in overlap.flags and "late" in overlap.flags
    unusual = tb.contributions.record(red, "m2", "sharpening", key="k3", quantity=30,
                                      occurred_on=DAY)
    assert "unusual" not in unusual.flags
    unusual = tb.contributions.record(red, "m3", "sharpening", key="k4", quantity=100,
                                      occurred_on=DAY)
    assert "unusual" in unusual.flags and unusual.points == 30  # kept, at the maximum
    listed = tb.contributions.get(red, overlap.id)
    assert {f.kind for f in listed.flags} == {"overlap", "late"}
    assert overlap.id in [c.id for c in tb.contributions.list(red, flagged=True)]


def test_more_than_sixteen_hours_in_a_day_is_flagged(tb, red):
    tb.rules.put(red, "long", rule(code="long", basis="per_hour", rate=1))
    tb.contributions.record(red, "m1", "long", key="k1", quantity=10, occurred_on=DAY)
    second = tb.contributions.record(red, "m1", "long", key="k2", quantity=7,
                                     occurred_on=DAY)
    assert "long_day" in second.flags


def test_listing_filters_by_status_member_rule_and_days(tb, red):
    tb.contributions.record(red, "m1", "sharpening", key="k1", quantity=1, occurred_on=DAY)
    tb.contributions.record(red, "m2", "repair", key="k2", occurred_on=DAY)
    tb.contributions.record(red, "m2", "sharpening", key="k3", quantity=1,
                            occurred_on=DAY + timedelta(days=3))
    assert len(tb.contributions.list(red, status="pending")) == 1
    assert len(tb.contributions.list(red, member="m2")) == 2
    assert len(tb.contributions.list(red, rule="sharpening", to=DAY)) == 1
    assert len(tb.contributions.list(red, from_=DAY + timedelta(days=1))) == 1
    with pytest.raises(UnknownContribution):
        tb.contributions.get(red, 999)


def test_record_many_values_writes_and_replays_in_bulk(tb, red):
    items = [ContributionInput(f"m{1 + i % 5}", "sharpening", 1 + i % 3,
                               date(2024, 2, 1) + timedelta(days=i % 20), key=f"c{i}")
             for i in range(300)]
    result = tb.contributions.record_many(red, items, recorded_by="import")
    assert result.recorded == 300 and result.approved == 300 and result.replayed == 0
    assert result.points == sum(1 + i % 3 for i in range(300))
    assert sum(balance(tb, red, f"m{i}") for i in range(1, 6)) == result.points
    fresh = ContributionInput("m1", "sharpening", 1, DAY, key="new")
    again = tb.contributions.record_many(red, [*items[:10], fresh], recorded_by="import")
    assert again.recorded == 1 and again.replayed == 10
    assert again.ids[:10] == result.ids[:10]
    report = tb.verify(red)
    assert report.ok and report.entries_checked == 301


def test_record_many_applies_caps_across_the_batch_and_stored_history(tb, red):
    tb.contributions.record(red, "m1", "sharpening", key="k0", quantity=20, occurred_on=DAY)
    items = [ContributionInput("m1", "sharpening", 5, DAY, key=f"c{i}") for i in range(4)]
    tb.contributions.record_many(red, items)
    points = [c.points for c in tb.contributions.list(red, member="m1")]
    assert points == [20, 5, 5, 0, 0] and sum(points) == 30


def test_record_many_interleaves_with_single_posts_on_one_chain(tb, red):
    tb.ledger.award(red, "m2", 7, key="gift")
    tb.contributions.record_many(red, [ContributionInput("m2", "sharpening", 2, DAY,
                                                         key=f"c{i}") for i in range(3)])
    tb.ledger.award(red, "m2", 1, key="gift2")
    lines = tb.statements.statement(red, "m2").lines
    assert [line.balance_after for line in lines] == [7, 9, 11, 13, 14]
    assert tb.verify(red).ok


def test_record_many_refuses_a_key_reused_for_different_items(tb, red):
    tb.contributions.record(red, "m1", "sharpening", key="k1", quantity=1, occurred_on=DAY)
    with pytest.raises(IdempotencyConflict):
        tb.contributions.record_many(red, [ContributionInput("m1", "sharpening", 2, DAY,
                                                             key="k1")])
    with pytest.raises(ValidationError):
        tb.contributions.record_many(red, [
            ContributionInput("m1", "sharpening", 2, DAY, key="x"),
            ContributionInput("m2", "sharpening", 2, DAY, key="x")])
    assert count(tb, contributions) == 1


def test_a_streak_bonus_is_paid_on_the_fourth_friday_in_a_row(tb, community):
    tb.rules.install(community, "party_member")
    points = []
    for week in range(5):
        day = date(2024, 3, 1) + timedelta(weeks=week)
        done = tb.contributions.record(community, "m1", "friday_duty", key=f"f{week}",
                                       occurred_on=day, recorded_by="clerk")
        points.append(done.points)
    assert points == [2, 2, 2, 7, 2]


def test_dues_paid_late_earn_nothing(tb, community):
    tb.rules.install(community, "party_member")
    tb.members.update(community, "m1", roles=["party_member"])
    on_time = tb.contributions.record(community, "m1", "dues", key="d1",
                                      occurred_on=date(2024, 3, 5))
    late = tb.contributions.record(community, "m1", "dues", key="d2",
                                   occurred_on=date(2024, 4, 20))
    assert (on_time.points, late.points) == (1, 0)
    assert tb.contributions.get(community, on_time.id).period == "2024-03"


def test_a_time_bank_credits_minutes(tb, community):
    tb.rules.install(community, "time_bank")
    done = tb.contributions.record(community, "m1", "elder_companion", key="t1",
                                   quantity=1.5, occurred_on=DAY, recorded_by="clerk")
    tb.contributions.approve(community, done.id, approver=Actor("director"), key="a1")
    assert done.unit == "minutes" and balance(tb, community, "m1", "minutes") == 90
    assert tb.communities.get(community).settings["transfers"]["storage_cap"] == 90000


def test_two_racing_approvals_post_one_award(tb, red):
    from concurrent.futures import ThreadPoolExecutor

    done = tb.contributions.record(red, "m1", "elder_care", key="k1", quantity=2,
                                   occurred_on=DAY, recorded_by="clerk")

    def approve(n: int) -> str:
        try:
            tb.contributions.approve(red, done.id, approver=Actor(f"director{n}"), key=f"a{n}")
            return "approved"
        except InvalidState:
            return "refused"

    with ThreadPoolExecutor(4) as pool:
        outcomes = sorted(pool.map(approve, range(4)))
    assert outcomes == ["approved", "refused", "refused", "refused"]
    assert balance(tb, red, "m1") == 4 and tb.verify(red).ok
