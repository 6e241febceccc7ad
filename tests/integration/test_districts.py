"""Districts (通存通兑), worked by hand over three communities on both engines: members
redeem in each other's communities and move home with their balance; every act writes a
half in each book in one transaction; positions sum to zero and restart after a
settlement; ``verify`` finds both halves of every act."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.integration.test_redemption_concurrency import race
from timebank import Timebank
from timebank.errors import (
    IdempotencyConflict,
    InsufficientPoints,
    InvalidState,
    LimitExceeded,
    NotEligible,
    NotFound,
    OutOfStock,
    ValidationError,
)
from timebank.store.districts import DistrictsGateway
from timebank.timeutil import utcnow

COMMUNITIES = ("east", "west", "north")


def _setup(tb: Timebank, units: tuple[str, ...] = ("points",), **terms: object) -> None:
    for code in COMMUNITIES:
        tb.communities.create(code, f"{code}社区")
        member = f"{code[0]}1"
        tb.members.add(code, member, f"居民{member}", card=f"card-{member}")
        tb.ledger.award(code, member, 100, key=f"seed-{member}")
        tb.gifts.create(code, "soap", name="肥皂", cost=10, stock=10)
    tb.districts.create("jd", "街道", list(COMMUNITIES), list(units), **terms)


def _positions(tb: Timebank) -> dict[str, tuple[int, dict[str, int]]]:
    found = tb.districts.positions("jd")
    for unit in {p.unit for p in found}:
        assert sum(p.total for p in found if p.unit == unit) == 0
    return {p.community: (p.total, dict(p.partners)) for p in found if p.unit == "points"}


def _available(tb: Timebank, community: str, member: str) -> int:
    balance = tb.ledger.balance(community, member)["points"]
    return balance.posted - balance.held


def test_acts_in_every_direction_and_one_settlement_keep_positions_summing_to_zero(
        tb: Timebank) -> None:
    _setup(tb, ("points", "minutes"))
    tb.ledger.award("east", "e1", 100, unit="minutes", key="min-e1")
    assert _positions(tb)["east"] == (0, {"west": 0, "north": 0})

    done = tb.redemptions.redeem("west", "east:e1", [("soap", 2)], key="r1")
    assert (done.total, done.balance_after, done.member) == (20, 80, "east:e1")
    tb.redemptions.redeem("north", "west:w1", [("soap", 1)], key="r2")
    tb.redemptions.redeem("east", "north:n1", [("soap", 3)], key="r3")
    assert _positions(tb) == {"east": (10, {"west": -20, "north": 30}),
                              "west": (10, {"east": 20, "north": -10}),
                              "north": (-20, {"east": -30, "west": 10})}

    moved = tb.districts.move("west", "w1", "east", key="m1")
    assert dict(moved.balances) == {"points": 90, "minutes": 0}
    assert _available(tb, "west", "w1") == 0
    assert _available(tb, "east", "w1") == 90
    assert _positions(tb) == {"east": (100, {"west": 70, "north": 30}),
                              "west": (-80, {"east": -70, "north": -10}),
                              "north": (-20, {"east": -30, "west": 10})}
    assert tb.gifts.get("west", "soap").stock == 8
    assert _available(tb, "east", "e1") == 80

    # north's n1 serves east's e1 for 30 minutes and is paid into north's books
    asked = tb.requests.post("east", "e1", "陪诊", "clinic", 40, key="q1")
    tb.requests.claim("east", asked.id, "north:n1")
    tb.requests.confirm("east", asked.id, 30, key="q1c")
    assert _minutes(tb, "east", "e1") == (70, 0)
    assert _minutes(tb, "north", "n1") == (30, 0)
    assert _minute_positions(tb) == {"east": (-30, {"west": 0, "north": -30}),
                                     "west": (0, {"east": 0, "north": 0}),
                                     "north": (30, {"east": 30, "west": 0})}

    settled = tb.districts.settle("jd", utcnow())
    assert {(p.community, p.unit): p.total for p in settled.positions} == {
        ("east", "points"): 100, ("west", "points"): -80, ("north", "points"): -20,
        ("east", "minutes"): -30, ("west", "minutes"): 0, ("north", "minutes"): 30}
    assert all(total == 0 for total, _ in _minute_positions(tb).values())
    assert _positions(tb) == {"east": (0, {"west": 0, "north": 0}),
                              "west": (0, {"east": 0, "north": 0}),
                              "north": (0, {"east": 0, "west": 0})}

    tb.redemptions.redeem("north", "east:e1", [("soap", 1)], key="r4")
    assert _positions(tb)["north"] == (10, {"east": 10, "west": 0})
    assert _available(tb, "east", "e1") == 70
    assert tb.verify().ok


def test_a_replayed_cross_redemption_answers_the_same_and_writes_nothing_more(
        tb: Timebank) -> None:
    _setup(tb)
    first = tb.redemptions.redeem("west", "east:e1", [("soap", 2)], key="r1")
    assert tb.redemptions.redeem("west", "east:e1", [("soap", 2)], key="r1") == first
    with pytest.raises(IdempotencyConflict):
        tb.redemptions.redeem("west", "east:e1", [("soap", 3)], key="r1")
    assert _available(tb, "east", "e1") == 80
    assert _positions(tb)["west"][0] == 20


def test_a_failure_between_the_halves_leaves_neither_half(
        tb: Timebank, monkeypatch: pytest.MonkeyPatch) -> None:
    _setup(tb)
    real = DistrictsGateway.post_half
    calls: list[int] = []

    def second_fails(self: DistrictsGateway, *args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) % 2 == 0:  # the second half of each act
            raise RuntimeError("crash between the halves")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DistrictsGateway, "post_half", second_fails)
    with pytest.raises(RuntimeError):
        tb.redemptions.redeem("west", "east:e1", [("soap", 2)], key="r1")
    with pytest.raises(RuntimeError):
        tb.districts.move("west", "w1", "east", key="m1")
    monkeypatch.undo()
    assert _available(tb, "east", "e1") == 100
    assert _available(tb, "west", "w1") == 100
    assert tb.gifts.get("west", "soap").stock == 10
    assert tb.redemptions.find("west") == []
    assert all(total == 0 for total, _ in _positions(tb).values())
    assert tb.verify().ok
    # and the acts go through whole once nothing fails
    tb.redemptions.redeem("west", "east:e1", [("soap", 2)], key="r1")
    tb.districts.move("west", "w1", "east", key="m1")
    assert tb.verify().ok


def test_the_position_limit_refuses_the_next_cross_act_by_name(tb: Timebank) -> None:
    _setup(tb, position_limit=25)
    tb.redemptions.redeem("west", "east:e1", [("soap", 2)], key="r1")
    with pytest.raises(LimitExceeded) as refused:
        tb.redemptions.redeem("west", "east:e1", [("soap", 1)], key="r2")
    assert refused.value.code == "limit_exceeded"
    assert "position limit" in str(refused.value.message)
    assert _available(tb, "east", "e1") == 80
    assert tb.gifts.get("west", "soap").stock == 8
    # an act the other way brings the position down and passes
    tb.redemptions.redeem("east", "west:w1", [("soap", 2)], key="r3")
    assert _positions(tb)["east"] == (0, {"west": 0, "north": 0})


def test_rates_convert_what_the_member_pays_at_home(tb: Timebank) -> None:
    _setup(tb, rates={"points": {"west": 2}})  # a west point is worth two east points
    done = tb.redemptions.redeem("west", "east:e1", [("soap", 1)], key="r1")
    assert (done.total, done.balance_after) == (10, 80)
    assert _positions(tb)["west"] == (20, {"east": 20, "north": 0})
    tb.ledger.spend("east", "e1", 5, key="odd")  # 75 east points: 37.5 west points
    with pytest.raises(ValidationError):
        tb.districts.move("east", "e1", "west", key="m1")
    assert _available(tb, "east", "e1") == 75
    tb.ledger.spend("east", "e1", 1, key="even")
    moved = tb.districts.move("east", "e1", "west", key="m2")
    assert dict(moved.balances) == {"points": 37}
    assert tb.verify().ok


def test_staff_of_a_partner_see_name_card_and_available_balance_only(tb: Timebank) -> None:
    _setup(tb)
    seen = tb.districts.lookup("west", "east:e1")
    assert (seen.name, seen.card, dict(seen.available)) == ("居民e1", "card-e1",
                                                           {"points": 100})
    assert not hasattr(seen, "entries")
    with pytest.raises(NotFound):
        tb.districts.lookup("west", "nowhere:e1")


def test_outsiders_are_refused_and_a_member_moves_once(tb: Timebank) -> None:
    _setup(tb)
    tb.communities.create("far", "远方社区")
    tb.members.add("far", "f1", "远方居民")
    with pytest.raises(NotFound):
        tb.redemptions.redeem("far", "east:e1", [("soap", 1)], key="x1")
    tb.districts.move("west", "w1", "east", key="m1")
    with pytest.raises(InvalidState):  # moved once: the code is taken at home now
        tb.districts.move("west", "w1", "east", key="m2")


def test_a_settlement_closes_a_period_once_and_never_backwards(tb: Timebank) -> None:
    _setup(tb)
    tb.redemptions.redeem("west", "east:e1", [("soap", 2)], key="r1")
    cut = utcnow()
    first = tb.districts.settle("jd", cut)
    assert tb.districts.settle("jd", cut) == first
    with pytest.raises(InvalidState):
        tb.districts.settle("jd", cut - timedelta(seconds=1))
    with pytest.raises(ValidationError):
        tb.districts.settle("jd", utcnow() + timedelta(days=1))
    assert tb.verify().ok


def test_racing_cross_redemptions_of_scarce_stock_get_exactly_the_stock(
        tb: Timebank) -> None:
    _setup(tb)
    tb.gifts.create("west", "rice", name="大米", cost=10, stock=3)
    members = [f"ea{i}" for i in range(8)]
    for code in members:
        tb.members.add("east", code, code)
        tb.ledger.award("east", code, 50, key=f"seed-{code}")
    outcomes = race([
        (lambda code=code: tb.redemptions.redeem("west", f"east:{code}", [("rice", 1)],
                                                 key=f"race-{code}"))
        for code in members])
    assert outcomes == {"ok": 3, OutOfStock.__name__: 5}
    assert tb.gifts.get("west", "rice").stock == 0
    assert _positions(tb)["west"] == (30, {"east": 30, "north": 0})
    assert tb.verify().ok


def _tamper(tb: Timebank, statement: str) -> None:
    import sqlalchemy as sa

    with tb.store.engine.begin() as conn:
        conn.execute(sa.text(statement))


def test_verify_names_a_cross_act_whose_amounts_or_halves_do_not_match(tb: Timebank) -> None:
    _setup(tb)
    tb.redemptions.redeem("west", "east:e1", [("soap", 2)], key="r1")
    assert tb.verify().ok
    _tamper(tb, "UPDATE cross_acts SET to_amount = to_amount + 1")
    found = tb.verify()
    assert not found.ok
    assert any("differ" in p.what for p in found.problems)
    _tamper(tb, "UPDATE cross_acts SET to_amount = to_amount - 1, "
                "to_entry_id = from_entry_id")
    assert any("half in these books is missing" in p.what for p in tb.verify().problems)


def test_verify_names_clearing_accounts_that_do_not_mirror(tb: Timebank) -> None:
    _setup(tb)
    tb.redemptions.redeem("west", "east:e1", [("soap", 2)], key="r1")
    # an entry in one book only, through the one posting path: the mirror breaks
    with tb.store.engine.begin() as conn:
        import sqlalchemy as sa

        from timebank.domain.ledger import Posting
        from timebank.store.posting import NewEntry, post_many
        from timebank.store.tables import accounts, communities

        west = conn.execute(sa.select(communities.c.id).where(
            communities.c.code == "west")).scalar_one()
        clearing, issuance = (conn.execute(sa.select(accounts.c.id).where(
            accounts.c.community_id == west, accounts.c.system == name,
            accounts.c.unit == "points")).scalar_one()
            for name in (f"clearing:{west - 1}", "issuance"))
        post_many(conn, west, "west", [NewEntry("post", (Posting(clearing, "points", 5),
                                                         Posting(issuance, "points", -5)))])
    found = tb.verify()
    assert any("no mirror" in p.what for p in found.problems)


def test_racing_cross_acts_in_both_directions_all_land_with_mirrored_books(
        tb: Timebank) -> None:
    _setup(tb)
    calls = []
    for i in range(6):
        for home, there in (("east", "west"), ("west", "east")):
            code = f"{home}{i}"
            tb.members.add(home, code, code)
            tb.ledger.award(home, code, 30, key=f"seed-{code}")
            calls.append(lambda home=home, there=there, code=code: tb.redemptions.redeem(
                there, f"{home}:{code}", [("soap", 1)], key=f"x-{code}"))
    assert race(calls) == {"ok": 12}
    assert _positions(tb)["east"] == (0, {"west": 0, "north": 0})
    assert tb.gifts.get("east", "soap").stock == 4
    assert tb.verify().ok


def _serving(tb: Timebank, **terms: object) -> None:
    """Three communities clearing points and minutes; each member has 100 minutes."""
    _setup(tb, ("points", "minutes"), **terms)
    for code in COMMUNITIES:
        tb.ledger.award(code, f"{code[0]}1", 100, unit="minutes", key=f"min-{code}")


def _minutes(tb: Timebank, community: str, member: str) -> tuple[int, int]:
    found = tb.ledger.balance(community, member).get("minutes")
    return (found.posted, found.held) if found else (0, 0)


def _minute_positions(tb: Timebank) -> dict[str, tuple[int, dict[str, int]]]:
    found = tb.districts.positions("jd")
    assert sum(p.total for p in found if p.unit == "minutes") == 0
    return {p.community: (p.total, dict(p.partners)) for p in found if p.unit == "minutes"}


def test_a_member_serving_a_request_in_a_partner_is_paid_into_the_home_books(
        tb: Timebank) -> None:
    _serving(tb)
    asked = tb.requests.post("west", "w1", "买菜", "errands", 60, key="p1")
    claimed = tb.requests.claim("west", asked.id, "east:e1")
    assert claimed.volunteers == ("east:e1",)
    assert tb.requests.get("west", asked.id).volunteers == ("east:e1",)
    done = tb.requests.confirm("west", asked.id, 45, key="c1")
    assert (done.status, done.minutes, dict(done.shares), done.released) == \
        ("done", 45, {"east:e1": 45}, 15)
    assert _minutes(tb, "west", "w1") == (55, 0)
    assert _minutes(tb, "east", "e1") == (145, 0)
    # east gave the service: west owes it
    assert _minute_positions(tb) == {"east": (45, {"west": 45, "north": 0}),
                                     "west": (-45, {"east": -45, "north": 0}),
                                     "north": (0, {"east": 0, "west": 0})}
    assert tb.requests.confirm("west", asked.id, 45, key="c1") == done  # a replay
    assert _minutes(tb, "east", "e1") == (145, 0)
    home = tb.statements.statement("east", "e1").lines[-1]
    assert (home.kind, home.amount, home.request, home.counterparty) == \
        ("exchange", 45, asked.id, "west:w1")
    there = tb.statements.statement("west", "w1").lines[-1]
    assert (there.amount, there.counterparty) == (-45, "east:e1")
    assert tb.verify().ok


def test_a_group_job_pays_local_and_partner_volunteers_each_in_their_own_books(
        tb: Timebank) -> None:
    _serving(tb, rates={"minutes": {"north": 2}})  # a north minute is worth two
    tb.members.add("west", "w2", "居民w2")
    asked = tb.requests.post("west", "w1", "搬家", "other", 90, key="p1", max_volunteers=3)
    for volunteer in ("east:e1", "w2", "north:n1"):
        tb.requests.claim("west", asked.id, volunteer)
    with pytest.raises(InvalidState):
        tb.requests.claim("west", asked.id, "east:e1")
    done = tb.requests.confirm("west", asked.id, 90, key="c1")
    assert dict(done.shares) == {"east:e1": 30, "w2": 30, "north:n1": 30}
    assert _minutes(tb, "west", "w1") == (10, 0)
    assert _minutes(tb, "west", "w2") == (30, 0)
    assert _minutes(tb, "east", "e1") == (130, 0)
    assert _minutes(tb, "north", "n1") == (115, 0)  # 30 west minutes are 15 north ones
    assert _minute_positions(tb)["west"] == (-60, {"east": -30, "north": -30})
    assert tb.verify().ok


def test_a_partner_volunteer_withdraws_and_the_position_limit_refuses_the_payment(
        tb: Timebank) -> None:
    _serving(tb, position_limit=50)
    asked = tb.requests.post("west", "w1", "陪诊", "clinic", 60, key="p1")
    tb.requests.claim("west", asked.id, "east:e1")
    assert tb.requests.withdraw("west", asked.id, "east:e1").status == "open"
    tb.requests.claim("west", asked.id, "east:e1")
    with pytest.raises(LimitExceeded):
        tb.requests.confirm("west", asked.id, 60, key="c1")
    assert tb.requests.get("west", asked.id).status == "claimed"
    assert _minutes(tb, "west", "w1") == (100, 60)
    assert _minutes(tb, "east", "e1") == (100, 0)
    done = tb.requests.confirm("west", asked.id, 50, key="c2")
    assert done.minutes == 50
    assert _minute_positions(tb)["east"] == (50, {"west": 50, "north": 0})
    assert tb.verify().ok


def test_serving_across_needs_a_partner_clearing_minutes(tb: Timebank) -> None:
    _setup(tb)  # points only
    tb.communities.create("far", "远方社区")
    tb.members.add("far", "f1", "远方居民")
    tb.ledger.award("west", "w1", 100, unit="minutes", key="w1-min")
    asked = tb.requests.post("west", "w1", "买菜", "errands", 30, key="p1")
    with pytest.raises(ValidationError):
        tb.requests.claim("west", asked.id, "east:e1")
    with pytest.raises(NotFound):
        tb.requests.claim("west", asked.id, "far:f1")
    assert tb.requests.get("west", asked.id).volunteers == ()


def test_a_failure_between_the_halves_of_a_served_request_leaves_neither_half(
        tb: Timebank, monkeypatch: pytest.MonkeyPatch) -> None:
    _serving(tb)
    asked = tb.requests.post("west", "w1", "买菜", "errands", 60, key="p1")
    tb.requests.claim("west", asked.id, "east:e1")
    real = DistrictsGateway.post_half
    calls: list[int] = []

    def second_fails(self: DistrictsGateway, *args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("crash between the halves")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DistrictsGateway, "post_half", second_fails)
    with pytest.raises(RuntimeError):
        tb.requests.confirm("west", asked.id, 60, key="c1")
    monkeypatch.undo()
    assert tb.requests.get("west", asked.id).status == "claimed"
    assert _minutes(tb, "west", "w1") == (100, 60)
    assert _minutes(tb, "east", "e1") == (100, 0)
    assert all(total == 0 for total, _ in _minute_positions(tb).values())
    assert tb.verify().ok


def test_a_returned_cross_redemption_is_taken_back_in_both_books(tb: Timebank) -> None:
    _setup(tb, rates={"points": {"west": 2}})  # a west point is worth two east points
    done = tb.redemptions.redeem("west", "east:e1", [("soap", 2)], key="r1")
    assert (done.total, done.balance_after) == (20, 60)  # 20 west points: 40 east points
    assert _positions(tb)["west"] == (40, {"east": 40, "north": 0})
    back = tb.redemptions.return_redemption("west", done.id, key="ret1", reason="破损")
    assert (back.status, back.balance_after) == ("returned", 100)
    assert tb.redemptions.return_redemption("west", done.id, key="ret1",
                                            reason="破损") == back  # a replay
    with pytest.raises(InvalidState):
        tb.redemptions.return_redemption("west", done.id, key="ret2")
    assert _available(tb, "east", "e1") == 100
    assert tb.gifts.get("west", "soap").stock == 10
    assert all(total == 0 for total, _ in _positions(tb).values())
    home = tb.statements.statement("east", "e1").lines[-1]
    assert (home.kind, home.amount) == ("reversal", 40)
    assert tb.verify().ok


def test_a_return_after_a_settlement_opens_a_position_the_other_way(tb: Timebank) -> None:
    _setup(tb, position_limit=30)
    done = tb.redemptions.redeem("west", "east:e1", [("soap", 2)], key="r1")
    tb.districts.settle("jd", utcnow())
    tb.redemptions.return_redemption("west", done.id, key="ret1")
    assert _positions(tb)["west"] == (-20, {"east": -20, "north": 0})
    assert _available(tb, "east", "e1") == 100
    assert tb.verify().ok


def test_a_held_cross_redemption_reserves_at_home_and_crosses_when_fulfilled(
        tb: Timebank) -> None:
    _setup(tb)
    held = tb.redemptions.redeem("west", "east:e1", [("soap", 3)], key="h1", hold=True)
    assert (held.status, held.total, held.balance_after) == ("held", 30, 70)
    found = tb.ledger.balance("east", "e1")["points"]
    assert (found.posted, found.held) == (100, 30)
    assert tb.gifts.get("west", "soap").stock == 7
    assert all(total == 0 for total, _ in _positions(tb).values())  # nothing crossed yet
    done = tb.redemptions.fulfil("west", held.id, key="f1")
    assert (done.status, done.balance_after) == ("fulfilled", 70)
    assert tb.redemptions.fulfil("west", held.id, key="f1") == done  # a replay
    with pytest.raises(InvalidState):
        tb.redemptions.fulfil("west", held.id, key="f2")
    found = tb.ledger.balance("east", "e1")["points"]
    assert (found.posted, found.held) == (70, 0)
    assert _positions(tb)["west"] == (30, {"east": 30, "north": 0})
    assert tb.verify().ok


def test_a_cancelled_cross_hold_gives_the_points_and_the_stock_back(tb: Timebank) -> None:
    _setup(tb)
    tb.gifts.create("west", "rice", name="大米", cost=10, stock=100)
    held = tb.redemptions.redeem("west", "east:e1", [("soap", 2)], key="h1", hold=True)
    with pytest.raises(InsufficientPoints):  # 80 left to hold at home
        tb.redemptions.redeem("west", "east:e1", [("rice", 9)], key="h2", hold=True)
    back = tb.redemptions.cancel("west", held.id, key="c1")
    assert (back.status, back.balance_after) == ("cancelled", 100)
    with pytest.raises(InvalidState):
        tb.redemptions.fulfil("west", held.id, key="f1")
    found = tb.ledger.balance("east", "e1")["points"]
    assert (found.posted, found.held) == (100, 0)
    assert tb.gifts.get("west", "soap").stock == 10
    assert all(total == 0 for total, _ in _positions(tb).values())
    assert tb.verify().ok


def test_the_position_limit_refuses_the_hand_over_of_a_held_cross_redemption(
        tb: Timebank) -> None:
    _setup(tb, position_limit=25)
    first = tb.redemptions.redeem("west", "east:e1", [("soap", 2)], key="h1", hold=True)
    second = tb.redemptions.redeem("west", "east:e1", [("soap", 1)], key="h2", hold=True)
    tb.redemptions.fulfil("west", first.id, key="f1")
    with pytest.raises(LimitExceeded):
        tb.redemptions.fulfil("west", second.id, key="f2")
    found = tb.ledger.balance("east", "e1")["points"]
    assert (found.posted, found.held) == (80, 10)  # the second stays held
    assert tb.redemptions.cancel("west", second.id, key="c2").status == "cancelled"
    assert tb.verify().ok


def test_a_tier_gift_across_counts_the_members_tier_at_home(tb: Timebank) -> None:
    for code in ("east", "west"):
        tb.communities.create(code, f"{code}社区", rulebook="red_vest")
    tb.communities.create("north", "north社区")  # no tiers
    tb.members.add("east", "e1", "居民e1")
    tb.members.add("east", "e2", "居民e2")
    tb.members.add("north", "n1", "居民n1")
    tb.ledger.award("east", "e1", 350, key="e1")  # silver at home: lifetime 350
    tb.ledger.award("east", "e2", 150, key="e2")  # bronze
    tb.ledger.award("north", "n1", 500, key="n1")
    tb.gifts.create("west", "cut", name="理发", cost=10, stock=10, min_tier="silver")
    tb.districts.create("jd", "街道", ["east", "west", "north"], ["points"])
    done = tb.redemptions.redeem("west", "east:e1", [("cut", 1)], key="t1")
    assert (done.status, done.balance_after) == ("fulfilled", 340)
    with pytest.raises(NotEligible):
        tb.redemptions.redeem("west", "east:e2", [("cut", 1)], key="t2")
    with pytest.raises(NotEligible):  # north counts no tiers
        tb.redemptions.redeem("west", "north:n1", [("cut", 1)], key="t3")
    assert tb.gifts.get("west", "cut").stock == 9
    assert _available(tb, "east", "e2") == 150
    assert tb.verify().ok
