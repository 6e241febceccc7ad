"""Exchange (互助) worked examples on both engines: a request's minutes are held when it is
posted, move payer → volunteers once when it is confirmed, and go back otherwise."""

from __future__ import annotations

from datetime import date

import pytest

from timebank.domain.ledger import SystemAccount
from timebank.errors import (
    Forbidden,
    IdempotencyConflict,
    InsufficientPoints,
    InvalidState,
    LimitExceeded,
    NotEligible,
    ValidationError,
)


@pytest.fixture
def bank(tb, community):
    """m1 has 300 minutes, m2 has 60; m3 lives alone (served from the pool, which holds
    200 minutes that m4 gave)."""
    tb.rules.install(community, "time_bank")
    tb.members.update(community, "m3", tags=["elderly_alone"])
    tb.ledger.award(community, "m1", 300, unit="minutes", key="s1")
    tb.ledger.award(community, "m2", 60, unit="minutes", key="s2")
    tb.ledger.award(community, "m4", 200, unit="minutes", key="s4")
    tb.transfers.donate(community, "m4", 200, key="d4")
    return tb


def minutes(tb, member):
    b = tb.ledger.balance("sjhy", member).get("minutes")
    return (b.posted, b.held) if b else (0, 0)


def test_a_request_holds_its_minutes_and_confirmation_pays_the_volunteer(bank):
    r = bank.requests.post("sjhy", "m1", "买菜", "errands", 60, key="p1",
                           needed_on=date(2030, 1, 5), place="3栋2单元")
    assert (r.status, r.minutes_held, r.payer) == ("open", 60, "m1")
    assert minutes(bank, "m1") == (300, 60)
    claimed = bank.requests.claim("sjhy", r.id, "m2")
    assert (claimed.status, claimed.volunteers) == ("claimed", ("m2",))
    done = bank.requests.confirm("sjhy", r.id, 45, key="c1")
    assert (done.status, done.minutes, done.shares, done.released) == \
        ("done", 45, {"m2": 45}, 15)
    assert minutes(bank, "m1") == (255, 0)
    assert minutes(bank, "m2") == (105, 0)
    again = bank.requests.confirm("sjhy", r.id, 45, key="c1")
    assert again == done  # a replay
    with pytest.raises(InvalidState):
        bank.requests.confirm("sjhy", r.id, 45, key="c2")
    line = bank.statements.statement("sjhy", "m2").lines[-1]
    assert (line.kind, line.amount, line.request, line.counterparty) == \
        ("exchange", 45, r.id, "m1")
    line = bank.statements.statement("sjhy", "m1").lines[-1]
    assert (line.amount, line.request, line.counterparty) == (-45, r.id, "m2")
    history = [e.kind for e in bank.requests.get("sjhy", r.id).history]
    assert history == ["posted", "claimed", "confirmed"]
    assert bank.verify().ok


def test_minutes_above_the_estimate_need_balance_and_stay_under_the_cap(bank):
    r = bank.requests.post("sjhy", "m2", "修水管", "repairs", 30, key="p1")
    bank.requests.claim("sjhy", r.id, "m1")
    with pytest.raises(InsufficientPoints):
        bank.requests.confirm("sjhy", r.id, 61, key="c1")
    with pytest.raises(LimitExceeded):
        bank.requests.confirm("sjhy", r.id, 481, key="c2")
    assert minutes(bank, "m2") == (60, 30)  # nothing written
    done = bank.requests.confirm("sjhy", r.id, 60, key="c3")
    assert (done.minutes, done.released) == (60, 0)
    assert minutes(bank, "m2") == (0, 0)


def test_the_donation_pool_pays_for_a_member_in_need_only(bank):
    with pytest.raises(NotEligible):
        bank.requests.post("sjhy", "m1", "陪诊", "clinic", 60, key="p0", funded_by="pool")
    with pytest.raises(InsufficientPoints):
        bank.requests.post("sjhy", "m3", "陪诊", "clinic", 201, key="p1", funded_by="pool")
    r = bank.requests.post("sjhy", "m3", "陪诊", "clinic", 120, key="p2", funded_by="pool")
    assert (r.payer, r.minutes_held) == ("pool", 120)
    with pytest.raises(InsufficientPoints):  # the pool's other 80 minutes are free
        bank.requests.post("sjhy", "m3", "陪诊", "clinic", 81, key="p3", funded_by="pool")
    bank.requests.claim("sjhy", r.id, "m2")
    done = bank.requests.confirm("sjhy", r.id, 90, key="c1")
    assert done.payer == "pool"
    assert minutes(bank, "m2") == (150, 0)
    assert minutes(bank, "m3") == (0, 0)
    assert bank.verify().ok


def test_a_pool_that_cannot_hold_the_minutes_is_refused_naming_the_pool(bank):
    """The pool's hold is the ledger's guarded hold: refused as for a member, by name."""
    with pytest.raises(InsufficientPoints) as refused:
        bank.requests.post("sjhy", "m3", "陪诊", "clinic", 201, key="p1", funded_by="pool")
    assert str(refused.value) == ("system account 'donation_pool' has 200 minutes "
                                  "available, 201 needed")
    assert refused.value.details == {"field": "amount", "available": 200, "needed": 201}
    assert bank.requests.find("sjhy") == []


def test_any_system_account_whose_hold_fails_is_refused_by_name(bank):
    def hold(uow):
        account = uow.ledger.system_account(SystemAccount.REDEMPTION, "minutes")
        return uow.ledger.place_hold(account, 1, "试")
    with pytest.raises(InsufficientPoints) as refused:
        bank.store.transact("sjhy", hold)
    assert str(refused.value) == "system account 'redemption' has 0 minutes available, 1 needed"


def test_a_group_job_splits_the_minutes_among_its_volunteers(bank):
    r = bank.requests.post("sjhy", "m1", "大扫除", "cleaning", 120, key="p1",
                           max_volunteers=2)
    bank.requests.claim("sjhy", r.id, "m2")
    bank.requests.claim("sjhy", r.id, "m3")
    with pytest.raises(InvalidState):
        bank.requests.claim("sjhy", r.id, "m4")
    done = bank.requests.confirm("sjhy", r.id, 121, key="c1")
    assert done.shares == {"m2": 61, "m3": 60}
    assert minutes(bank, "m1") == (179, 0)


def test_a_volunteer_may_withdraw_and_the_request_reopens(bank):
    r = bank.requests.post("sjhy", "m1", "送餐", "meals", 30, key="p1")
    bank.requests.claim("sjhy", r.id, "m2")
    assert bank.requests.withdraw("sjhy", r.id, "m2").status == "open"
    with pytest.raises(InvalidState):
        bank.requests.withdraw("sjhy", r.id, "m2")
    with pytest.raises(InvalidState):
        bank.requests.confirm("sjhy", r.id, 30, key="c1")
    assert bank.requests.claim("sjhy", r.id, "m3").volunteers == ("m3",)


def test_own_requests_and_closed_ones_cannot_be_claimed(bank):
    r = bank.requests.post("sjhy", "m1", "送餐", "meals", 30, key="p1")
    with pytest.raises(Forbidden):
        bank.requests.claim("sjhy", r.id, "m1")
    bank.requests.cancel("sjhy", r.id, "不需要了", as_member="m1")
    with pytest.raises(InvalidState):
        bank.requests.claim("sjhy", r.id, "m2")
    assert minutes(bank, "m1") == (300, 0)


def test_a_requester_cancels_only_before_a_claim_and_a_clerk_any_time(bank):
    r = bank.requests.post("sjhy", "m1", "送餐", "meals", 30, key="p1")
    bank.requests.claim("sjhy", r.id, "m2")
    with pytest.raises(InvalidState):
        bank.requests.cancel("sjhy", r.id, "算了", as_member="m1")
    with pytest.raises(Forbidden):
        bank.requests.cancel("sjhy", r.id, "算了", as_member="m2")
    assert bank.requests.cancel("sjhy", r.id, "重复发布").status == "cancelled"
    assert minutes(bank, "m1") == (300, 0)


def test_a_dispute_is_settled_by_a_clerk_outside_it(bank):
    r = bank.requests.post("sjhy", "m1", "修灯", "repairs", 60, key="p1")
    bank.requests.claim("sjhy", r.id, "m2")
    with pytest.raises(Forbidden):
        bank.requests.dispute("sjhy", r.id, "没来", as_member="m2")
    assert bank.requests.dispute("sjhy", r.id, "只修了一半", as_member="m1").status == \
        "disputed"
    with pytest.raises(InvalidState):
        bank.requests.confirm("sjhy", r.id, 60, key="c1")
    with pytest.raises(Forbidden):
        bank.requests.settle("sjhy", r.id, 30, "调解", key="t1", settler="m2")
    with pytest.raises(ValidationError):
        bank.requests.settle("sjhy", r.id, 61, "调解", key="t2")
    done = bank.requests.settle("sjhy", r.id, 30, "调解：付一半", key="t3")
    assert (done.minutes, done.released) == (30, 30)
    assert minutes(bank, "m1") == (270, 0)


def test_a_settlement_of_nothing_writes_no_entry(bank):
    r = bank.requests.post("sjhy", "m1", "修灯", "repairs", 60, key="p1")
    bank.requests.claim("sjhy", r.id, "m2")
    bank.requests.dispute("sjhy", r.id, "没来")
    done = bank.requests.settle("sjhy", r.id, 0, "未提供服务", key="t1")
    assert (done.entry_id, done.released) == (None, 60)
    assert minutes(bank, "m1") == (300, 0)


def test_open_requests_past_their_date_expire_and_release_the_hold(bank):
    old = bank.requests.post("sjhy", "m1", "送餐", "meals", 30, key="p1",
                             needed_on=date(2030, 1, 1))
    later = bank.requests.post("sjhy", "m1", "送餐", "meals", 30, key="p2",
                               needed_on=date(2030, 1, 3))
    assert bank.requests.expire("sjhy", today=date(2030, 1, 2)) == [old.id]
    assert bank.requests.get("sjhy", old.id).status == "expired"
    assert bank.requests.get("sjhy", later.id).status == "open"
    assert minutes(bank, "m1") == (300, 30)


@pytest.mark.parametrize("change, error", [
    ({"minutes": 0}, ValidationError),
    ({"minutes": -5}, ValidationError),
    ({"minutes": 301}, InsufficientPoints),
    ({"category": "haircut"}, ValidationError),
    ({"title": ""}, ValidationError),
    ({"funded_by": "state"}, ValidationError),
])
def test_bad_requests_get_their_error_and_write_nothing(bank, change, error):
    fields = {"title": "送餐", "category": "meals", "minutes": 30, **change}
    with pytest.raises(error):
        bank.requests.post("sjhy", "m1", fields.pop("title"), fields.pop("category"),
                           fields.pop("minutes"), key="bad", **fields)
    assert bank.requests.find("sjhy") == []
    assert minutes(bank, "m1") == (300, 0)


def test_a_key_reused_for_another_request_is_a_conflict(bank):
    bank.requests.post("sjhy", "m1", "送餐", "meals", 30, key="p1")
    with pytest.raises(IdempotencyConflict):
        bank.requests.post("sjhy", "m1", "送餐", "meals", 40, key="p1")


def test_open_requests_list_the_nearest_offers_first(bank):
    tb = bank
    tb.units.create("sjhy", "g1", "一网格", "grid")
    tb.units.create("sjhy", "g2", "二网格", "grid")
    tb.units.create("sjhy", "b1", "1栋", "building", parent="g1")
    tb.units.create("sjhy", "b2", "2栋", "building", parent="g1")
    tb.units.create("sjhy", "b3", "3栋", "building", parent="g2")
    for member, unit in (("m1", "b1"), ("m2", "b3"), ("m3", "b2"), ("m4", "b1")):
        tb.members.update("sjhy", member, unit=unit)
    far = tb.offers.add("sjhy", "m2", "meals", "做饭", "周末")
    grid = tb.offers.add("sjhy", "m3", "meals", "送餐", "每天")
    building = tb.offers.add("sjhy", "m4", "meals", "送餐", "晚上")
    tb.offers.add("sjhy", "m5", "repairs", "修电器", "")
    tb.offers.add("sjhy", "m1", "meals", "自己的", "")
    later = tb.requests.post("sjhy", "m1", "送餐", "meals", 30, key="p1",
                             needed_on=date(2030, 2, 1))
    sooner = tb.requests.post("sjhy", "m1", "送餐", "meals", 30, key="p2",
                              needed_on=date(2030, 1, 1))
    found = tb.requests.find("sjhy", status="open")
    assert [r.id for r in found] == [sooner.id, later.id]
    assert [o.id for o in found[0].matches] == [building.id, grid.id, far.id]
    assert [o.id for o in tb.offers.find("sjhy", unit="g1")] == \
        [o.id for o in tb.offers.find("sjhy", unit="g1", category="meals")][:3]
    assert {o.member for o in tb.offers.find("sjhy", unit="b1")} == {"m1", "m4"}
    assert tb.offers.withdraw("sjhy", far.id).status == "withdrawn"
    with pytest.raises(InvalidState):
        tb.offers.withdraw("sjhy", far.id)
    assert len(tb.requests.find("sjhy", unit="g2")) == 0


def test_a_community_without_categories_gets_the_default_list(tb, community):
    assert [c.name_zh for c in tb.requests.categories(community)][:3] == \
        ["助餐", "助洁", "助医"]
