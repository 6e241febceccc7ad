"""Member transfers on both engines: to family, to the pool, from the pool; caps hold."""

from __future__ import annotations

import pytest

from timebank import Timebank
from timebank.errors import (
    InsufficientPoints,
    LimitExceeded,
    RulebookError,
    UnknownMember,
    ValidationError,
)

POLICY = {"units": ["minutes"], "yearly_max": 600, "storage_cap": 900}


@pytest.fixture
def bank(tb: Timebank, community: str) -> str:
    tb.communities.update_settings(community, {"transfers": POLICY})
    tb.ledger.award(community, "m1", 800, unit="minutes", key="seed-m1")
    tb.ledger.award(community, "m2", 700, unit="minutes", key="seed-m2")
    tb.ledger.award(community, "m1", 100, key="seed-points")
    return community


def test_a_member_gives_minutes_to_a_relative(tb: Timebank, bank: str) -> None:
    done = tb.transfers.give(bank, "m1", "m3", 120, key="t1", reason="给父母")
    assert (done.kind, done.sender, done.receiver) == ("transfer", "m1", "m3")
    assert done.balances == {"m1": 680, "m3": 120}
    assert tb.transfers.give(bank, "m1", "m3", 120, key="t1", reason="给父母") == done
    assert tb.transfers.sent_this_year(bank, "m1") == 120
    assert tb.verify(bank).ok


def test_the_pool_takes_donations_and_grants_them_to_members_in_need(
        tb: Timebank, bank: str) -> None:
    tb.transfers.donate(bank, "m1", 200, key="d1")
    granted = tb.transfers.grant(bank, "m4", 150, key="g1", reason="独居老人")
    assert (granted.kind, granted.sender, granted.balances) == ("grant", "donation_pool",
                                                                {"m4": 150})
    with pytest.raises(InsufficientPoints):
        tb.transfers.grant(bank, "m4", 100, key="g2")


def test_a_member_sends_at_most_the_yearly_maximum(tb: Timebank, bank: str) -> None:
    tb.transfers.give(bank, "m1", "m3", 400, key="t1")
    tb.transfers.donate(bank, "m1", 150, key="d1")
    with pytest.raises(LimitExceeded) as info:
        tb.transfers.give(bank, "m1", "m3", 51, key="t2")
    assert info.value.details["field"] == "amount"
    tb.transfers.give(bank, "m1", "m3", 50, key="t3")


def test_no_transfer_lifts_a_balance_above_the_storage_cap(tb: Timebank, bank: str) -> None:
    with pytest.raises(LimitExceeded):
        tb.transfers.give(bank, "m1", "m2", 201, key="t1")
    tb.transfers.give(bank, "m1", "m2", 200, key="t2")
    assert tb.ledger.balance(bank, "m2")["minutes"].posted == 900


def test_units_the_policy_does_not_allow_do_not_move(tb: Timebank, bank: str) -> None:
    with pytest.raises(ValidationError) as info:
        tb.transfers.give(bank, "m1", "m2", 10, unit="points", key="t1")
    assert info.value.details["field"] == "unit"


def test_bad_transfers_are_refused(tb: Timebank, bank: str) -> None:
    with pytest.raises(ValidationError):
        tb.transfers.give(bank, "m1", "m1", 10, key="t1")
    with pytest.raises(ValidationError):
        tb.transfers.give(bank, "m1", "m2", 0, key="t2")
    with pytest.raises(UnknownMember):
        tb.transfers.give(bank, "m1", "ghost", 10, key="t3")
    with pytest.raises(InsufficientPoints):
        tb.transfers.give(bank, "m3", "m1", 10, key="t4")


def test_a_malformed_transfer_policy_names_the_community_and_field(
        tb: Timebank, community: str) -> None:
    tb.communities.update_settings(community, {"transfers": {"yearly_max": -5}})
    with pytest.raises(RulebookError) as info:
        tb.transfers.give(community, "m1", "m2", 10, key="t1")
    assert info.value.details["field"] == "yearly_max"
    assert community in str(info.value)
