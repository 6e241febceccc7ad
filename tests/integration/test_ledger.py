"""The ledger on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from timebank import Timebank
from timebank.errors import (
    AlreadyReversed,
    IdempotencyConflict,
    InsufficientPoints,
    InvalidAmount,
    InvalidState,
    ReversalOfReversal,
    UnbalancedEntry,
    UnknownCommunity,
    UnknownEntry,
    UnknownMember,
    UnknownUnit,
    ValidationError,
)
from timebank.services.ledger import Leg
from timebank.store.tables import entries, idempotency_keys, postings


def counts(tb: Timebank) -> tuple[int, int, int]:
    with tb.store.read() as conn:
        return tuple(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                     for t in (entries, postings, idempotency_keys))


def points(tb: Timebank, member: str) -> tuple[int, int, int]:
    bal = tb.ledger.balance("sjhy", member).get("points")
    return (bal.posted, bal.held, bal.lifetime_earned) if bal else (0, 0, 0)


def test_an_award_credits_the_member_and_counts_as_earned(tb, community):
    result = tb.ledger.award(community, "m1", 40, key="a1", reason="扫雪")
    assert result.balances == {"m1": 40}
    assert points(tb, "m1") == (40, 0, 40)


def test_spending_lowers_posted_but_never_lifetime_earned(tb, community):
    tb.ledger.award(community, "m1", 40, key="a1")
    result = tb.ledger.spend(community, "m1", 15, key="s1", reason="rice")
    assert result.balances == {"m1": 25}
    assert points(tb, "m1") == (25, 0, 40)


def test_a_spend_beyond_the_available_balance_is_refused_and_writes_nothing(tb, community):
    tb.ledger.award(community, "m1", 10, key="a1")
    before = counts(tb)
    with pytest.raises(InsufficientPoints, match="10 points available, 11 needed"):
        tb.ledger.spend(community, "m1", 11, key="s1")
    assert counts(tb) == before
    assert points(tb, "m1") == (10, 0, 10)


def test_a_replayed_key_returns_the_first_result_and_writes_nothing(tb, community):
    first = tb.ledger.award(community, "m1", 5, key="same")
    before = counts(tb)
    assert tb.ledger.award(community, "m1", 5, key="same") == first
    assert counts(tb) == before
    assert points(tb, "m1") == (5, 0, 5)


def test_a_key_reused_for_a_different_request_names_the_differing_field(tb, community):
    tb.ledger.award(community, "m1", 5, key="same")
    with pytest.raises(IdempotencyConflict, match="'amount'") as info:
        tb.ledger.award(community, "m1", 6, key="same")
    assert info.value.details["field"] == "amount"
    with pytest.raises(IdempotencyConflict, match="'op'"):
        tb.ledger.spend(community, "m1", 5, key="same")


def test_a_failed_write_does_not_use_up_its_key(tb, community):
    with pytest.raises(InsufficientPoints):
        tb.ledger.spend(community, "m1", 5, key="k")
    tb.ledger.award(community, "m1", 5, key="a")
    assert tb.ledger.spend(community, "m1", 5, key="k").balances == {"m1": 0}


def test_a_hold_reserves_points_until_captured(tb, community):
    tb.ledger.award(community, "m1", 30, key="a")
    hold = tb.ledger.hold(community, "m1", 20, key="h")
    assert hold.available == 10
    assert points(tb, "m1") == (30, 20, 30)
    with pytest.raises(InsufficientPoints):
        tb.ledger.spend(community, "m1", 11, key="s")
    tb.ledger.capture(community, hold.hold_id, key="c")
    assert points(tb, "m1") == (10, 0, 30)


def test_a_released_hold_gives_the_points_back(tb, community):
    tb.ledger.award(community, "m1", 30, key="a")
    hold = tb.ledger.hold(community, "m1", 20, key="h")
    assert tb.ledger.release(community, hold.hold_id, key="r").available == 30
    assert points(tb, "m1") == (30, 0, 30)


def test_a_hold_resolves_exactly_once(tb, community):
    tb.ledger.award(community, "m1", 30, key="a")
    hold = tb.ledger.hold(community, "m1", 20, key="h")
    tb.ledger.release(community, hold.hold_id, key="r")
    with pytest.raises(InvalidState, match="already released"):
        tb.ledger.capture(community, hold.hold_id, key="c")
    with pytest.raises(InvalidState):
        tb.ledger.release(community, hold.hold_id, key="r2")
    with pytest.raises(UnknownEntry):
        tb.ledger.release(community, 999, key="r3")


def test_a_hold_beyond_the_available_balance_is_refused(tb, community):
    tb.ledger.award(community, "m1", 5, key="a")
    with pytest.raises(InsufficientPoints):
        tb.ledger.hold(community, "m1", 6, key="h")
    assert points(tb, "m1") == (5, 0, 5)


def test_a_transfer_moves_minutes_between_members(tb, community):
    tb.ledger.award(community, "m1", 120, key="a", unit="minutes")
    result = tb.ledger.transfer(community, "m1", "m2", 60, key="t", unit="minutes")
    assert result.balances == {"m1": 60, "m2": 60}
    assert tb.ledger.balance(community, "m2")["minutes"].lifetime_earned == 0


def test_a_transfer_to_oneself_is_refused(tb, community):
    with pytest.raises(ValidationError):
        tb.ledger.transfer(community, "m1", "m1", 1, key="t")


def test_a_reversal_restores_the_balances_and_points_at_the_original(tb, community):
    award = tb.ledger.award(community, "m1", 40, key="a")
    reversal = tb.ledger.reverse(community, award.entry_id, key="r", reason="typo",
                                 actor="admin")
    assert reversal.balances == {"m1": 0}
    assert points(tb, "m1") == (0, 0, 0)
    with tb.store.read() as conn:
        row = conn.execute(sa.select(entries.c.kind, entries.c.reverses_id)
                           .where(entries.c.id == reversal.entry_id)).one()
        assert tuple(row) == ("reversal", award.entry_id)
        # The original is still there, untouched.
        assert conn.execute(sa.select(entries.c.kind)
                            .where(entries.c.id == award.entry_id)).scalar_one() == "award"


def test_an_entry_is_reversed_at_most_once(tb, community):
    award = tb.ledger.award(community, "m1", 40, key="a")
    tb.ledger.reverse(community, award.entry_id, key="r1", reason="x", actor="admin")
    with pytest.raises(AlreadyReversed):
        tb.ledger.reverse(community, award.entry_id, key="r2", reason="x", actor="admin")


def test_a_reversal_cannot_be_reversed(tb, community):
    award = tb.ledger.award(community, "m1", 40, key="a")
    reversal = tb.ledger.reverse(community, award.entry_id, key="r1", reason="x",
                                 actor="admin")
    with pytest.raises(ReversalOfReversal):
        tb.ledger.reverse(community, reversal.entry_id, key="r2", reason="x", actor="admin")


def test_reversing_an_award_already_spent_takes_it_back_and_the_member_owes(tb, community):
    award = tb.ledger.award(community, "m1", 40, key="a")
    tb.ledger.spend(community, "m1", 30, key="s")
    tb.ledger.reverse(community, award.entry_id, key="r", reason="x", actor="admin")
    assert points(tb, "m1") == (-30, 0, 0)
    assert tb.ledger.balance(community, "m1")["points"].owed == 30


def test_an_adjustment_can_go_either_way_but_never_below_zero(tb, community):
    tb.ledger.adjust(community, "m1", 10, key="up", reason="paper records", actor="admin")
    tb.ledger.adjust(community, "m1", -4, key="down", reason="duplicate", actor="admin")
    assert points(tb, "m1") == (6, 0, 0)
    with pytest.raises(InsufficientPoints):
        tb.ledger.adjust(community, "m1", -7, key="down2", reason="x", actor="admin")


def test_a_generic_post_moves_points_through_the_donation_pool(tb, community):
    tb.ledger.award(community, "m1", 50, key="a")
    tb.ledger.post(community, [Leg(-20, member="m1"), Leg(20, system="donation_pool")],
                   key="p1", reason="donation", actor="m1")
    tb.ledger.post(community, [Leg(-15, system="donation_pool"), Leg(15, member="m2")],
                   key="p2", reason="grant", actor="admin")
    assert points(tb, "m1")[0] == 30 and points(tb, "m2")[0] == 15


def test_an_unbalanced_generic_post_is_refused_and_writes_nothing(tb, community):
    before = counts(tb)
    with pytest.raises(UnbalancedEntry):
        tb.ledger.post(community, [Leg(-20, member="m1"), Leg(19, system="issuance")],
                       key="p", reason="x", actor="admin")
    with pytest.raises(ValidationError, match="unknown system account"):
        tb.ledger.post(community, [Leg(-1, member="m1"), Leg(1, system="vault")],
                       key="p", reason="x", actor="admin")
    assert counts(tb) == before


@pytest.mark.parametrize(("call", "error"), [
    (lambda tb: tb.ledger.award("nowhere", "m1", 1, key="k"), UnknownCommunity),
    (lambda tb: tb.ledger.award("sjhy", "ghost", 1, key="k"), UnknownMember),
    (lambda tb: tb.ledger.award("sjhy", "m1", 0, key="k"), InvalidAmount),
    (lambda tb: tb.ledger.award("sjhy", "m1", -5, key="k"), InvalidAmount),
    (lambda tb: tb.ledger.award("sjhy", "m1", 5, key="k", unit="hours"), UnknownUnit),
    (lambda tb: tb.ledger.award("sjhy", "m1", 5, key=""), ValidationError),
    (lambda tb: tb.ledger.transfer("sjhy", "m1", "ghost", 1, key="k"), UnknownMember),
    (lambda tb: tb.ledger.reverse("sjhy", 12345, key="k", reason="x", actor="a"),
     UnknownEntry),
])
def test_bad_input_raises_its_own_error_and_writes_nothing(tb, community, call, error):
    before = counts(tb)
    with pytest.raises(error):
        call(tb)
    assert counts(tb) == before


def test_each_posting_keeps_the_balance_after_it(tb, community):
    tb.ledger.award(community, "m1", 10, key="a")
    tb.ledger.award(community, "m1", 5, key="b")
    tb.ledger.spend(community, "m1", 12, key="c")
    with tb.store.read() as conn:
        rows = conn.execute(sa.text(
            "SELECT p.amount, p.balance_after FROM postings p JOIN accounts a "
            "ON a.id = p.account_id JOIN members m ON m.id = a.member_id "
            "WHERE m.code = 'm1' ORDER BY p.id")).all()
    assert [tuple(r) for r in rows] == [(10, 10), (5, 15), (-12, 3)]


def test_verify_passes_on_untouched_books(tb, community):
    tb.ledger.award(community, "m1", 10, key="a")
    tb.ledger.transfer(community, "m1", "m2", 3, key="t")
    hold = tb.ledger.hold(community, "m2", 2, key="h")
    tb.ledger.capture(community, hold.hold_id, key="c")
    report = tb.verify()
    assert report.ok, report.problems
    assert report.entries_checked == 3


def test_a_bulk_award_writes_what_single_awards_would_and_replays_nothing(tb, community):
    awards = [{"member": f"m{1 + i % 3}", "amount": 1 + i, "key": f"b{i}"} for i in range(30)]
    first = tb.ledger.award_many(community, awards, reason="paper records")
    assert len(first.entry_ids) == 30 and first.replayed == 0
    m1_total = sum(1 + i for i in range(0, 30, 3))
    assert points(tb, "m1") == (m1_total, 0, m1_total)
    again = tb.ledger.award_many(community, awards, reason="paper records")
    assert (again.entry_ids, again.replayed) == ([], 30)
    # A bulk-written key is a key like any other.
    with pytest.raises(IdempotencyConflict):
        tb.ledger.award(community, "m1", 999, key="b0")
    tb.ledger.award(community, "m4", 2, key="single")
    report = tb.verify()
    assert report.ok, report.problems
    assert report.entries_checked == 31


def test_a_bulk_award_with_an_unknown_member_writes_nothing(tb, community):
    before = counts(tb)
    with pytest.raises(UnknownMember, match="'ghost'"):
        tb.ledger.award_many(community, [{"member": "m1", "amount": 1, "key": "x"},
                                         {"member": "ghost", "amount": 1, "key": "y"}])
    with pytest.raises(IdempotencyConflict):
        tb.ledger.award_many(community, [{"member": "m1", "amount": 1, "key": "x"},
                                         {"member": "m1", "amount": 2, "key": "x"}])
    assert counts(tb) == before


def test_an_entry_owned_by_a_contribution_is_reversed_through_the_contribution(tb, community):
    tb.ledger.award(community, "m1", 5, key="a", meta={"contribution": 7})
    entry = tb.ledger.award(community, "m1", 5, key="b", meta={"contribution": 8})
    before = counts(tb)
    with pytest.raises(InvalidState, match="reverse the contribution"):
        tb.ledger.reverse(community, entry.entry_id, key="r", reason="x", actor="admin")
    assert counts(tb) == before


def test_a_community_created_with_a_bad_rulebook_is_not_created(tb, tmp_path):
    from timebank.errors import RulebookError, UnknownCommunity

    bad = tmp_path / "bad.toml"
    bad.write_text('[[rules]]\ncode = "x"\nbasis = "per_hour"\nrate = 1\n'
                   '[expiry]\npolicy = "sometimes"\n', encoding="utf-8")
    with pytest.raises(RulebookError, match=r"bad.toml: \[expiry\]"):
        tb.communities.create("c1", "c1", rulebook=bad)
    with pytest.raises(UnknownCommunity):
        tb.communities.get("c1")
    made = tb.communities.create("c1", "c1", rulebook="time_bank")
    assert made.settings["rulebook"] == "time_bank" and "transfers" in made.settings
