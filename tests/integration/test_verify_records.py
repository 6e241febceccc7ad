"""Issue 10: ``verify`` re-derives every stored figure from history and names what is wrong
(stock, redemption items, contribution points, lifetime earnings, account owners, and an
entry deleted with the chain head and balances rewound)."""

from __future__ import annotations

from datetime import date

import pytest

DAY = date(2024, 3, 1)


@pytest.fixture
def books(tb, community):
    """m1: 500 awarded, a sharpening contribution (5 points), 2 rice redeemed; m2: 50."""
    tb.rules.install(community, "red_vest")
    tb.members.update(community, "m1", roles=["volunteer"])
    tb.ledger.award(community, "m1", 500, key="seed-m1")
    tb.ledger.award(community, "m2", 50, key="seed-m2")
    tb.gifts.create(community, "rice", name="大米", cost=44, stock=10)
    done = tb.contributions.record(community, "m1", "sharpening", key="c1", quantity=5,
                                   occurred_on=DAY, recorded_by="clerk")
    redeemed = tb.redemptions.redeem(community, "m1", [{"gift": "rice", "quantity": 2}],
                                     key="r1")
    report = tb.verify()
    assert report.ok, report.problems
    return {"contribution": done, "redemption": redeemed}


def tamper(tb, *statements: str) -> None:
    def run(conn):
        for statement in statements:
            conn.exec_driver_sql(statement)
    tb.store.write(run)


def problems(tb) -> list[str]:
    report = tb.verify()
    assert not report.ok
    return [p.what for p in report.problems]


def test_a_gifts_stock_changed_by_hand_is_named(tb, books):
    tamper(tb, "UPDATE gifts SET stock = stock + 5 WHERE code = 'rice'")
    assert any("gift rice: stored stock 13, its stock movements say 8" in w
               for w in problems(tb))


def test_a_redemption_items_quantity_changed_by_hand_is_named(tb, books):
    rid = books["redemption"].id
    tamper(tb, f"UPDATE redemption_items SET quantity = 1 WHERE redemption_id = {rid}")
    report = tb.verify()
    assert [p.what for p in report.problems] == [
        f"redemption {rid}: item rice says quantity 1, the stock it took says 2"]
    assert report.first_bad_entry is not None  # the redemption's spend entry


def test_a_contributions_points_changed_by_hand_are_named(tb, books):
    done = books["contribution"]
    tamper(tb, f"UPDATE contributions SET points = 50 WHERE id = {done.id}")
    report = tb.verify()
    assert [p.what for p in report.problems] == [
        f"contribution {done.id}: 50 points, its award entry {done.entry_id} credits the "
        "contribution's member 5"]
    assert report.first_bad_entry == done.entry_id


def test_an_accounts_lifetime_earned_changed_by_hand_is_named(tb, books):
    tamper(tb, "UPDATE accounts SET lifetime_earned = lifetime_earned + 1000 "
               "WHERE member_id IS NOT NULL")
    found = [w for w in problems(tb) if "lifetime earned" in w]
    assert len(found) == 2
    assert any("stored lifetime earned 1505, its awards and reversed awards say 505" in w
               for w in found)


def test_a_reversed_award_is_not_counted_as_earned(tb, books, community):
    tb.contributions.reverse(community, books["contribution"].id, reason="mistake",
                             key="rev", actor="director")
    assert tb.verify().ok


def test_two_members_accounts_swapped_are_named(tb, books, community):
    ids = dict(tb.store.write(lambda conn: conn.exec_driver_sql(
        "SELECT code, id FROM members WHERE code IN ('m1', 'm2', 'm5')").all()))
    # m5 has no account: it lends its id for the swap.
    tamper(tb, f"UPDATE accounts SET member_id = {ids['m5']} WHERE member_id = {ids['m1']}",
           f"UPDATE accounts SET member_id = {ids['m1']} WHERE member_id = {ids['m2']}",
           f"UPDATE accounts SET member_id = {ids['m2']} WHERE member_id = {ids['m5']}")
    found = problems(tb)
    assert any("recorded as moving the points of m1" in w for w in found)
    assert any("recorded as moving the points of m2" in w for w in found)
    assert any(w.startswith(f"contribution {books['contribution'].id}:") for w in found)
    rid = books["redemption"].id
    assert any(w.startswith(f"redemption {rid}: total 88, its entry") for w in found)
    assert tb.verify().first_bad_entry is not None


def _last_entry(tb, community):
    return tb.store.write(lambda conn: conn.exec_driver_sql(
        "SELECT e.id, e.seq FROM entries e JOIN communities c ON c.id = e.community_id "
        f"WHERE c.code = '{community}' ORDER BY e.seq DESC LIMIT 1").one())


def test_the_deleted_last_entry_is_named(tb, community):
    tb.ledger.award(community, "m1", 10, key="a")
    tb.ledger.award(community, "m3", 7, key="b")
    last = _last_entry(tb, community)
    tamper(tb, f"DELETE FROM postings WHERE entry_id = {last.id}",
           f"DELETE FROM entries WHERE id = {last.id}")
    report = tb.verify()
    assert not report.ok
    assert report.first_bad_entry == last.id
    assert any(f"entry {last.id} (seq {last.seq}) was recorded as written but is missing"
               in p.what for p in report.problems)


def test_the_last_entry_deleted_with_head_and_balances_rewound_is_found(tb, community):
    tb.ledger.award(community, "m1", 10, key="a")
    tb.ledger.award(community, "m3", 7, key="b")
    last = _last_entry(tb, community)
    tamper(tb, f"DELETE FROM postings WHERE entry_id = {last.id}",
           f"DELETE FROM entries WHERE id = {last.id}",
           "UPDATE accounts SET posted = 0, lifetime_earned = 0 WHERE posted = 7",
           "UPDATE accounts SET posted = -10 WHERE posted = -17",
           "UPDATE communities SET entry_seq = entry_seq - 1, head_hash = (SELECT hash "
           f"FROM entries WHERE id = {last.id - 1})")
    report = tb.verify()
    assert [p.what for p in report.problems] == [
        f"entry {last.id} (seq {last.seq}) was recorded as written but is missing"]
    assert report.first_bad_entry == last.id


def _swap_accounts(tb, first: str, second: str, spare: str) -> None:
    ids = dict(tb.store.write(lambda conn: conn.exec_driver_sql(
        f"SELECT code, id FROM members WHERE code IN ('{first}', '{second}', '{spare}')"
    ).all()))
    tamper(tb, f"UPDATE accounts SET member_id = {ids[spare]} WHERE member_id = {ids[first]}",
           f"UPDATE accounts SET member_id = {ids[first]} WHERE member_id = {ids[second]}",
           f"UPDATE accounts SET member_id = {ids[second]} WHERE member_id = {ids[spare]}")


def test_accounts_swapped_after_writes_without_keys_are_named_by_the_hashed_owners(
        tb, community):
    """No idempotency record, contribution or redemption names the members here: only
    the owners hashed with each entry do."""
    first = tb.ledger.award(community, "m1", 100, key=None, reason="walk-in")
    second = tb.ledger.award(community, "m2", 50, key=None, reason="walk-in")
    assert tb.verify().ok
    _swap_accounts(tb, "m1", "m2", "m5")
    report = tb.verify()
    found = [p.what for p in report.problems]
    assert len(found) == 2, found
    assert found[0].startswith(f"entry {first.entry_id}: account ")
    assert found[0].endswith("belongs to m2, the entry as hashed says m1")
    assert found[1].startswith(f"entry {second.entry_id}: account ")
    assert found[1].endswith("belongs to m1, the entry as hashed says m2")
    assert report.first_bad_entry == first.entry_id


def test_an_entry_hashed_without_owners_keeps_its_digest(tb, community):
    """Entries written before owners were bound have no ``owners`` in their meta: their
    digests (recomputed here without them) still verify, and nothing is claimed."""
    import json

    from timebank.domain.ledger import GENESIS_HASH, Entry, Posting

    tb.ledger.award(community, "m1", 100, key=None, reason="walk-in")
    tb.ledger.adjust(community, "m2", 30, key=None, reason="walk-in", actor="director")

    def rewrite_as_before(conn) -> None:
        prev = GENESIS_HASH
        rows = conn.exec_driver_sql(
            "SELECT e.id, e.seq, e.kind, e.reason, e.actor, e.occurred_at, e.recorded_at, "
            "e.reverses_id, e.meta FROM entries e ORDER BY e.seq").all()
        for row in rows:
            meta = row.meta if isinstance(row.meta, dict) else json.loads(row.meta)
            assert "owners" in meta  # written now: bound
            meta.pop("owners")
            legs = conn.exec_driver_sql(
                "SELECT p.account_id, a.unit, p.amount FROM postings p JOIN accounts a "
                f"ON a.id = p.account_id WHERE p.entry_id = {row.id}").all()
            entry = Entry(community, row.seq, row.kind, tuple(Posting(*leg) for leg in legs),
                          row.reason, row.actor, _naive(row.occurred_at),
                          _naive(row.recorded_at), row.reverses_id, meta)
            prev = entry.digest(prev)
            conn.exec_driver_sql("UPDATE entries SET meta = %s, hash = %s WHERE id = %s"
                                 .replace("%s", "?" if conn.dialect.name == "sqlite"
                                          else "%s"), (json.dumps(meta), prev, row.id))
        conn.exec_driver_sql(("UPDATE communities SET head_hash = ?" if conn.dialect.name
                              == "sqlite" else "UPDATE communities SET head_hash = %s"),
                             (prev,))

    tb.store.write(rewrite_as_before)
    report = tb.verify()
    assert report.ok, report.problems


def _naive(moment):
    from datetime import datetime

    return datetime.fromisoformat(moment) if isinstance(moment, str) else moment
