"""A desk redemption in two statements on PostgreSQL (issue 17, ``store/fused_redeem``):
round trips counted on the wire, and the same answers, books, stock and refusals as
the general path for the same requests. On SQLite the general path answers both."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from tests.integration.test_round_trips import Wire
from timebank import Timebank
from timebank.errors import InsufficientPoints, TimebankError
from timebank.store import fused_redeem
from timebank.timeutil import local_date, utcnow

TIERS = {"basis": "window", "window_days": 30, "demotion": "automatic", "levels": [
    {"code": "bronze", "name_zh": "铜", "name_en": "Bronze", "threshold": 100},
    {"code": "silver", "name_zh": "银", "name_en": "Silver", "threshold": 600}]}


def _setup(tb: Timebank, code: str) -> None:
    tb.communities.create(code, code)
    tb.communities.update_settings(code, {"tiers": TIERS})
    tb.members.add(code, "poor", "低保户", tags=["low_income"], card="C-POOR")
    for member, points in (("rich", 700), ("mid", 120), ("low", 30)):
        tb.members.add(code, member, member, card=f"C-{member.upper()}")
        tb.ledger.award(code, member, points, key=f"seed-{member}")
    tb.ledger.award(code, "poor", 300, key="seed-poor")
    tb.members.add(code, "empty", "empty")  # no account yet
    yesterday = local_date(utcnow(), "Asia/Shanghai") - timedelta(days=2)
    tb.gifts.create(code, "rice", name="大米", cost=44, stock=10, limit_per_member=2,
                    limit_period="month",
                    price_rules=[{"tag": "low_income", "percent_off": 10}])
    tb.gifts.create(code, "soap", name="肥皂", cost=10, stock=4,
                    price_rules=[{"tag": "low_income", "price": 3}])
    tb.gifts.create(code, "checkup", name="体检", cost=100, stock=5, min_tier="silver")
    tb.gifts.create(code, "tea", name="茶", cost=3, stock=30)
    tb.gifts.create(code, "oil", name="油", cost=5, stock=5, active_until=yesterday)
    tb.gifts.create(code, "hours", name="工时", cost=10, unit="minutes", stock=5)
    tb.service_days.open(code, "fri", name="周五", day=yesterday)
    tb.service_days.open(code, "old", name="上周", day=yesterday)
    tb.service_days.close(code, "old")
    # Two members with one card (the service refuses it; an old import may have left it).
    tb.members.add(code, "twin1", "twin1", card="C-TWIN")
    tb.members.add(code, "twin2", "twin2")
    with tb.store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE members SET card = 'C-TWIN' WHERE code = 'twin2'"))


# (member, items, service day): answered in order, each with its own key; "card:X" names
# the member by card X, as a kiosk desk does, and "hold:" holds the gifts for later.
REQUESTS: list[tuple[str, list[tuple[str, int]], str | None]] = [
    ("rich", [("rice", 1), ("soap", 2)], "fri"),
    ("poor", [("rice", 2), ("soap", 1)], "fri"),      # both price rules
    ("poor", [("rice", 1)], "fri"),                    # limit_exceeded (2 a month)
    ("mid", [("soap", 2)], None),
    ("mid", [("soap", 1)], "fri"),                     # out_of_stock (4 taken)
    ("mid", [("checkup", 1)], "fri"),                  # not_eligible (bronze)
    ("rich", [("checkup", 1), ("rice", 1)], "fri"),    # silver: passes
    ("low", [("rice", 1)], "fri"),                     # insufficient_points
    ("rich", [("oil", 1)], "fri"),                     # not offered
    ("rich", [("rice", 1)], "old"),                    # closed day
    ("rich", [("rice", 1)], "nope"),                   # unknown day
    ("rich", [("caviar", 1)], "fri"),                  # unknown gift
    ("ghost", [("rice", 1)], "fri"),                   # unknown member
    ("rich", [("rice", 1), ("hours", 1)], "fri"),      # two units
    ("empty", [("rice", 1)], "fri"),                   # no account: insufficient
    ("rich", [("rice", 2)], None),                     # limit: 1 + 2 > 2
    ("mid", [("rice", 1)], None),
    ("card:C-RICH", [("tea", 1)], "fri"),              # by card
    ("card:C-MID", [("tea", 2), ("rice", 1)], None),   # by card, two gifts
    ("card:C-POOR", [("rice", 1)], "fri"),             # by card: limit_exceeded
    ("card:C-LOW", [("rice", 1)], "fri"),              # by card: insufficient_points
    ("card:C-NONE", [("rice", 1)], "fri"),             # unknown card
    ("card:C-TWIN", [("rice", 1)], "fri"),             # a card two members hold
    ("card:C-MID", [("checkup", 1)], "fri"),           # by card: not_eligible
    ("hold:rich", [("tea", 2)], "fri"),                # held
    ("hold:card:C-MID", [("tea", 1)], None),           # held, by card
    ("hold:mid", [("rice", 1)], None),                 # held: limit_exceeded
    ("hold:low", [("tea", 8)], None),                  # held: 24 of 30
    ("low", [("tea", 3)], None),                       # insufficient: 6 available
    ("hold:low", [("tea", 3)], "fri"),                 # held: insufficient
    ("hold:empty", [("tea", 1)], None),                # held, no account: insufficient
    ("hold:rich", [("oil", 1)], "old"),                # held: not offered
    ("hold:card:C-TWIN", [("tea", 1)], None),          # held, a card two members hold
]


def _state(tb: Timebank, code: str) -> tuple[Any, ...]:
    """What a redemption writes in the community, without its ids."""
    with tb.store.engine.connect() as conn:
        c = conn.execute(sa.text("SELECT id FROM communities WHERE code = :c"),
                         {"c": code}).scalar_one()
        q = {
            "accounts": "SELECT coalesce(m.code, a.system), a.unit, a.posted, a.held, "
                        "a.lifetime_earned FROM accounts a LEFT JOIN members m "
                        "ON m.id = a.member_id WHERE a.community_id = :c ORDER BY 1, 2",
            "stock": "SELECT code, stock FROM gifts WHERE community_id = :c ORDER BY code",
            "moves": "SELECT g.code, s.kind, s.quantity, s.stock_after, s.actor, s.reason "
                     "FROM stock_movements s JOIN gifts g ON g.id = s.gift_id "
                     "WHERE g.community_id = :c ORDER BY s.id",
            "redemptions": "SELECT m.code, r.status, r.unit, r.total, r.balance_after, "
                           "d.code, r.actor, r.hold_id IS NULL, r.entry_id IS NULL, "
                           "r.resolved_at IS NULL "
                           "FROM redemptions r JOIN members m ON m.id = r.member_id "
                           "LEFT JOIN service_days d ON d.id = r.service_day_id "
                           "WHERE r.community_id = :c ORDER BY r.id",
            "items": "SELECT g.code, i.quantity, i.unit_price FROM redemption_items i "
                     "JOIN gifts g ON g.id = i.gift_id JOIN redemptions r "
                     "ON r.id = i.redemption_id WHERE r.community_id = :c ORDER BY i.id",
            "holds": "SELECT m.code, h.amount, h.status, h.entry_id IS NULL, h.reason, "
                     "h.resolved_at IS NULL FROM holds h "
                     "JOIN accounts a ON a.id = h.account_id JOIN members m "
                     "ON m.id = a.member_id WHERE h.community_id = :c ORDER BY h.id",
            "entries": "SELECT e.seq, e.kind, e.actor, (SELECT r.seq FROM entries r "
                       "WHERE r.id = e.reverses_id) FROM entries e "
                       "WHERE e.community_id = :c ORDER BY e.seq",
            "postings": "SELECT e.seq, p.amount, p.balance_after FROM postings p JOIN "
                        "entries e ON e.id = p.entry_id WHERE e.community_id = :c "
                        "ORDER BY p.id",
            "keys": "SELECT key, CAST(request AS TEXT), response IS NULL FROM idempotency_keys "
                    "WHERE community_id = :c ORDER BY key",
        }
        return tuple(tuple(tuple(_without_ids(v) for v in row)
                           for row in conn.execute(sa.text(sql), {"c": c}))
                     for sql in q.values())


def _without_ids(value: Any) -> Any:
    """A stored request or a reason names its redemption (by id or receipt) or entry by
    id, which differ between communities."""
    if not isinstance(value, str):
        return value
    return re.sub(r'"(redemption|entry)":\d+', r'"\1":ID',
                  re.sub(r"^redemption \S+", "redemption ID", value))


def _answer(tb: Timebank, code: str, key: str, member: str, items: list[tuple[str, int]],
            day: str | None) -> Any:
    """The redemption without its ids, or the refusal's class, code, message and fields."""
    hold = member.startswith("hold:")
    member = member.removeprefix("hold:")
    card = member.removeprefix("card:") if member.startswith("card:") else None
    try:
        done = tb.redemptions.redeem(code, None if card else member, items, key=key,
                                     card=card, hold=hold, service_day=day, actor="desk")
    except TimebankError as exc:
        return (type(exc).__name__, exc.code, exc.message, exc.details)
    return attrs.evolve(done, id=0, receipt="")


def _run(tb: Timebank, code: str) -> list[Any]:
    """Each request's answer, whether the call wrote nothing when refused, and its replay."""
    found = []
    for i, (member, items, day) in enumerate(REQUESTS):
        before = _state(tb, code)
        answer = _answer(tb, code, f"k{i}", member, items, day)
        if isinstance(answer, tuple):
            assert _state(tb, code) == before, (i, answer)  # a refusal wrote nothing
        replay = _answer(tb, code, f"k{i}", member, items, day)
        found.append((answer, replay == answer))
    return found


@pytest.fixture
def fused_calls(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Records each call into the fused path: True when it answered."""
    calls: list[bool] = []
    original = fused_redeem.redeem_once

    def spy(*args: Any, **kwargs: Any) -> Any:
        done = original(*args, **kwargs)
        calls.append(done is not None)
        return done
    monkeypatch.setattr(fused_redeem, "redeem_once", spy)
    return calls


def test_the_fused_path_answers_as_the_general_path(
        tb: Timebank, db_url: str, fused_calls: list[bool],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _setup(tb, "fz")
    fused = _run(tb, "fz")
    taken = list(fused_calls)

    monkeypatch.setattr(fused_redeem, "redeem_once", lambda *a, **k: None)
    _setup(tb, "gn")
    general = _run(tb, "gn")

    assert fused == general
    assert all(same for _, same in fused)  # every replay gave the first answer
    refused = {a[1] for a, _ in fused if isinstance(a, tuple)}
    assert refused == {"limit_exceeded", "out_of_stock", "not_eligible",
                       "insufficient_points", "invalid_state", "not_found",
                       "validation_error"}, refused
    assert _state(tb, "fz") == _state(tb, "gn")
    assert tb.verify("fz").ok and tb.verify("gn").ok
    assert all(check.ok for check in tb.gifts.check_stock("fz"))
    ok = sum(1 for (a, _), (_, items, _) in zip(fused, REQUESTS, strict=True)
             if not isinstance(a, tuple) and all(gift != "checkup" for gift, _ in items))
    # First tries and replays each call in once; on PostgreSQL the path answered every
    # first redemption that passes and wants no tier (a replay is the general path's, and
    # so is a gift that needs a tier: tests/integration/test_tier_race.py), on SQLite none.
    assert len(taken) == 2 * len(REQUESTS)
    assert taken.count(True) == (ok if db_url.startswith("postgresql") else 0)


# Held redemptions handed over or cancelled in order, (act, hold, key); each hold is
# named in ``_holds``.
CHANGES: list[tuple[str, str, str | None]] = [
    ("fulfil", "rice", "f1"),
    ("fulfil", "rice", "f1-again"),   # invalid_state: fulfilled already
    ("fulfil", "soap", None),         # no key
    ("fulfil", "gone", "f3"),         # invalid_state: cancelled
    ("fulfil", "owed", "f4"),         # insufficient_points: its award reversed since
    ("fulfil", "nope", "f5"),         # not_found
    ("fulfil", "two", "f6"),          # two gifts, a price rule
    ("cancel", "soon", "c1"),
    ("cancel", "rice", "c2"),         # invalid_state: fulfilled
    ("cancel", "nope", "c3"),         # not_found
    ("cancel", "multi", None),        # two gifts back in stock, no key
    ("cancel", "owed", "c4"),         # what could not be handed over is released
    ("fulfil", "multi", "f7"),        # invalid_state: cancelled
]


def _holds(tb: Timebank, code: str) -> dict[str, int]:
    """Held redemptions of the community set up by ``_setup``, by name."""
    tb.members.add(code, "owes", "owes")
    award = tb.ledger.award(code, "owes", 20, key="seed-owes")
    held = {name: tb.redemptions.redeem(code, member, items, key=f"hold-{name}",
                                        hold=True, actor="web").id
            for name, member, items in (
                ("rice", "rich", [("rice", 1)]), ("soap", "mid", [("soap", 1)]),
                ("gone", "rich", [("tea", 1)]), ("owed", "owes", [("tea", 5)]),
                ("two", "poor", [("rice", 1), ("soap", 2), ("tea", 1)]),
                ("kept", "rich", [("tea", 1)]),  # still held when "rice" is handed over
                ("soon", "mid", [("tea", 2)]), ("multi", "poor", [("tea", 2), ("soap", 1)]))}
    tb.ledger.reverse(code, award.entry_id, key="reverse-owes", reason="a mistake",
                      actor="office")
    tb.redemptions.cancel(code, held["gone"], key="cancel-gone")
    return {**held, "nope": 10**9}


def _change_all(tb: Timebank, code: str) -> list[Any]:
    """Each change's answer (as ``_answer``), whether a refusal wrote nothing, and
    whether its replay (with a key) gave the same answer."""
    held = _holds(tb, code)
    found = []
    for act, name, key in CHANGES:
        change = tb.redemptions.fulfil if act == "fulfil" else tb.redemptions.cancel
        before = _state(tb, code)
        outcomes = []
        for _ in range(2 if key else 1):
            try:
                done = change(code, held[name], key=key, actor="desk")
                outcomes.append(attrs.evolve(done, id=0, receipt=""))
            except TimebankError as exc:
                outcomes.append((type(exc).__name__, exc.code, exc.message.replace(
                    str(held[name]), "ID"), exc.details))
        if isinstance(outcomes[0], tuple):
            assert _state(tb, code) == before, (act, name, outcomes[0])
        found.append((outcomes[0], outcomes[-1] == outcomes[0]))
    return found


def test_a_held_redemption_is_handed_over_or_cancelled_as_on_the_general_path(
        tb: Timebank, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from timebank.store import fused_held
    answered: list[str] = []

    def spied(name: str) -> Any:
        original = getattr(fused_held, name)

        def spy(*args: Any, **kwargs: Any) -> Any:
            done = original(*args, **kwargs)
            if done is not None:
                answered.append(name)
            return done
        return spy
    for name in ("fulfil_once", "cancel_once"):
        monkeypatch.setattr(fused_held, name, spied(name))
    _setup(tb, "fz")
    fused = _change_all(tb, "fz")

    for name in ("fulfil_once", "cancel_once"):
        monkeypatch.setattr(fused_held, name, lambda *a, **k: None)
    _setup(tb, "gn")
    general = _change_all(tb, "gn")

    assert fused == general
    assert all(same for _, same in fused)
    refused = [a[1] for a, _ in fused if isinstance(a, tuple)]
    assert refused == ["invalid_state", "invalid_state", "insufficient_points", "not_found",
                       "invalid_state", "not_found", "invalid_state"]
    assert _state(tb, "fz") == _state(tb, "gn")
    assert tb.verify("fz").ok and tb.verify("gn").ok
    assert all(check.ok for check in tb.gifts.check_stock("fz"))
    # Each first change that passes on PostgreSQL (the cancellation in ``_holds`` too),
    # none on SQLite.
    assert sorted(answered) == (["cancel_once"] * 4 + ["fulfil_once"] * 3
                                if db_url.startswith("postgresql") else [])


def test_a_refused_redemption_leaves_its_key_free(tb: Timebank, fused_calls: list[bool]
                                                  ) -> None:
    _setup(tb, "fz")
    with pytest.raises(InsufficientPoints) as refused:
        tb.redemptions.redeem("fz", "low", [("rice", 1)], key="again")
    assert refused.value.details == {"field": "amount", "available": 30, "needed": 44}
    done = tb.redemptions.redeem("fz", "low", [("soap", 3)], key="again")
    assert (done.total, done.balance_after) == (30, 0)
    assert tb.redemptions.redeem("fz", "low", [("soap", 3)], key="again") == done
    assert tb.verify("fz").ok


@pytest.fixture
def wire(tb: Timebank, db_url: str) -> Iterator[Wire]:
    if not db_url.startswith("postgresql"):
        pytest.skip("round trips are a network matter: SQLite runs in process")
    _setup(tb, "rt")
    tb.gifts.create("rt", "towel", name="毛巾", cost=2, stock=100)
    for i in range(6):  # warm: the community id cached, the statements prepared
        items = [("towel", 1), ("soap", 1)] if i < 2 else [("towel", 1)]
        tb.redemptions.redeem("rt", "rich", items, key=f"warm-{i}", service_day="fri")
    with tempfile.TemporaryFile() as trace:
        found = Wire(tb, trace)
        yield found
        found.close()


def test_a_redemption_at_a_service_day_takes_two_round_trips_and_the_commit(
        tb: Timebank, wire: Wire) -> None:
    posted = tb.ledger.balance("rt", "rich")["points"].posted
    with wire.counting() as trips:
        done = tb.redemptions.redeem("rt", "rich", [("towel", 2), ("soap", 1)], key="rt1",
                                     service_day="fri", actor="desk")
    assert len(trips) == 3, trips
    assert trips[-1] == "COMMIT"
    assert (done.status, done.total, done.balance_after) == ("fulfilled", 14, posted - 14)
    assert tb.redemptions.get("rt", done.id) == done
    assert tb.redemptions.redeem("rt", "rich", [("towel", 2), ("soap", 1)], key="rt1",
                                 service_day="fri", actor="desk") == done
    assert tb.verify("rt").ok


def test_a_redemption_by_card_takes_two_round_trips_and_the_commit(
        tb: Timebank, wire: Wire) -> None:
    posted = tb.ledger.balance("rt", "rich")["points"].posted
    with wire.counting() as trips:
        done = tb.redemptions.redeem("rt", None, [("towel", 3)], card="C-RICH", key="rt2",
                                     service_day="fri", actor="kiosk")
    assert len(trips) == 3, trips
    assert (done.member, done.total, done.balance_after) == ("rich", 6, posted - 6)
    assert tb.verify("rt").ok


def test_a_hold_its_hand_over_and_a_cancellation_take_two_round_trips_and_the_commit_each(
        tb: Timebank, wire: Wire) -> None:
    before = tb.ledger.balance("rt", "rich")["points"]
    with wire.counting() as trips:
        held = tb.redemptions.redeem("rt", "rich", [("towel", 4)], key="rt3", hold=True,
                                     actor="desk")
    assert len(trips) == 3, trips
    assert (held.status, held.total, held.balance_after) == (
        "held", 8, before.posted - before.held - 8)
    assert tb.ledger.balance("rt", "rich")["points"].held == before.held + 8
    with wire.counting() as trips:
        done = tb.redemptions.fulfil("rt", held.id, key="rt3-fulfil", actor="desk")
    assert len(trips) == 3, trips
    assert (done.status, done.total) == ("fulfilled", 8)
    assert tb.redemptions.fulfil("rt", held.id, key="rt3-fulfil", actor="desk") == done
    again = tb.redemptions.redeem("rt", "rich", [("towel", 1)], key="rt4", hold=True)
    with wire.counting() as trips:
        cancelled = tb.redemptions.cancel("rt", again.id, key="rt4-cancel", actor="desk")
    assert len(trips) == 3, trips
    assert (cancelled.status, cancelled.balance_after) == ("cancelled", done.balance_after)
    assert tb.ledger.balance("rt", "rich")["points"].posted == before.posted - 8
    assert tb.verify("rt").ok
