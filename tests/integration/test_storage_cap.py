"""One transfer path with the community's policy, and awards held to the storage cap
(both engines): a balance never passes the cap, and what the cap cut is said so."""

from __future__ import annotations

import pytest

from timebank import Timebank
from timebank.domain.access import Actor
from timebank.errors import LimitExceeded, ValidationError

CAP = {"units": ["points"], "storage_cap": 1000}


@pytest.fixture
def capped(tb: Timebank, community: str) -> str:
    tb.rules.install(community, "red_vest")
    tb.members.update(community, "m1", roles=["volunteer"])
    tb.communities.update_settings(community, {"transfers": CAP})
    tb.ledger.award(community, "m1", 990, key="seed")
    return community


def posted(tb: Timebank, community: str, member: str = "m1") -> int:
    return tb.ledger.balance(community, member)["points"].posted


def test_an_award_over_the_storage_cap_credits_what_fits_and_says_so(tb, capped):
    done = tb.contributions.record(capped, "m1", "sharpening", key="s1", quantity=20,
                                   occurred_on="2024-03-05")
    assert (done.status, done.points, done.capped, done.storage_capped) == (
        "approved", 10, True, True)
    assert posted(tb, capped) == 1000
    stored = tb.contributions.get(capped, done.id)
    assert stored.points == 10 and any("storage cap of 1000" in n for n in stored.notes)
    assert tb.reports.monthly(capped, "2024-03").total == 10
    assert tb.verify(capped).ok


def test_at_the_cap_a_contribution_is_kept_with_no_points(tb, capped):
    tb.ledger.award(capped, "m1", 10, key="fill")
    done = tb.contributions.record(capped, "m1", "sharpening", key="s1", quantity=3,
                                   occurred_on="2024-03-05")
    assert (done.points, done.storage_capped, done.entry_id) == (0, True, None)
    assert posted(tb, capped) == 1000


def test_an_award_under_the_cap_is_not_touched(tb, capped):
    done = tb.contributions.record(capped, "m1", "sharpening", key="s1", quantity=4,
                                   occurred_on="2024-03-05")
    assert (done.points, done.capped, done.storage_capped) == (4, False, False)


def test_two_awards_in_one_batch_share_what_is_left_to_the_cap(tb, capped):
    tb.members.update(capped, "m2", roles=["volunteer"])
    done = tb.contributions.record_batch(capped, "sharpening", ["m1", "m2"], key="b1",
                                         quantity=15, occurred_on="2024-03-05")
    assert [(c.member, c.points, c.storage_capped) for c in done.contributions] == [
        ("m1", 10, True), ("m2", 15, False)]


def test_approving_a_pending_contribution_caps_its_award_at_approval(tb, capped):
    pending = tb.contributions.record(capped, "m1", "elder_care", key="e1", quantity=4,
                                      occurred_on="2024-03-05", recorded_by="clerk")
    assert (pending.status, pending.points) == ("pending", 8)
    tb.ledger.award(capped, "m1", 5, key="more")  # 995 now: 5 left to the cap
    done = tb.contributions.approve(capped, pending.id, approver=Actor("director"), key="a1")
    assert (done.points, done.capped, done.storage_capped) == (5, True, True)
    assert posted(tb, capped) == 1000
    stored = tb.contributions.get(capped, pending.id)
    assert (stored.status, stored.points, stored.capped) == ("approved", 5, True)
    assert tb.reports.monthly(capped, "2024-03").total == 5
    assert tb.verify(capped).ok


def test_a_bulk_approval_caps_each_award_in_time_order(tb, capped):
    first = tb.contributions.record(capped, "m1", "elder_care", key="e1", quantity=3,
                                    occurred_on="2024-03-05", recorded_by="clerk")
    second = tb.contributions.record(capped, "m1", "elder_care", key="e2", quantity=3,
                                     occurred_on="2024-03-06", recorded_by="clerk")
    done = tb.approvals.approve_many(capped, approver=Actor("director"), key="bulk",
                                     ids=[first.id, second.id], include_flagged=True)
    assert (done.approved, done.points, done.capped) == (2, 10, (second.id,))
    assert [tb.contributions.get(capped, c.id).points for c in (first, second)] == [6, 4]
    assert posted(tb, capped) == 1000
    assert tb.verify(capped).ok


def test_a_plain_ledger_award_is_capped_and_refused_at_the_cap(tb, capped):
    done = tb.ledger.award(capped, "m1", 25, key="a1")
    assert done.capped_from == 25 and done.balances == {"m1": 1000}
    with pytest.raises(LimitExceeded) as refused:
        tb.ledger.award(capped, "m1", 1, key="a2")
    assert refused.value.details["limit"] == 1000
    assert tb.ledger.award(capped, "m1", 25, key="a1") == done  # a replay, not refused


def test_many_awards_at_once_are_capped_and_say_which(tb, capped):
    done = tb.ledger.award_many(capped, [{"member": "m1", "amount": 6, "key": "k1"},
                                         {"member": "m1", "amount": 6, "key": "k2"},
                                         {"member": "m2", "amount": 6, "key": "k3"}])
    assert done.capped == ["k2"] and posted(tb, capped) == 1000
    assert posted(tb, capped, "m2") == 6


def test_the_ledgers_transfer_keeps_the_storage_cap(tb, capped):
    tb.ledger.award(capped, "m2", 20, key="m2")
    with pytest.raises(LimitExceeded):
        tb.ledger.transfer(capped, "m2", "m1", 11, key="t1")
    done = tb.ledger.transfer(capped, "m2", "m1", 10, key="t2")
    assert done.balances == {"m2": 10, "m1": 1000}


def test_the_ledgers_transfer_keeps_the_units_and_yearly_maximum(tb, community):
    tb.communities.update_settings(community, {"transfers": {
        "units": ["minutes"], "yearly_max": 60}})
    tb.ledger.award(community, "m1", 100, unit="minutes", key="m")
    tb.ledger.award(community, "m1", 100, key="p")
    with pytest.raises(ValidationError) as refused:
        tb.ledger.transfer(community, "m1", "m2", 10, key="t1")  # points do not move
    assert refused.value.details["field"] == "unit"
    tb.ledger.transfer(community, "m1", "m2", 60, unit="minutes", key="t2")
    with pytest.raises(LimitExceeded):
        tb.ledger.transfer(community, "m1", "m2", 1, unit="minutes", key="t3")
    assert tb.transfers.sent_this_year(community, "m1") == 60


def test_without_a_storage_cap_awards_are_whole(tb, community):
    tb.ledger.award(community, "m1", 10**6, key="big")
    assert tb.ledger.award(community, "m1", 10**6, key="bigger").capped_from is None
