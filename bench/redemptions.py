"""Redemption benchmark (issue 4): single desk redemptions (one item, fulfilled at once,
one transaction each) through the library, against plain sqlite3/psycopg writing the
same rows (idempotency key, guarded stock update, redemption, item, stock movement,
entry, postings, balances, chain head) in the same database, in the same run; and held
redemptions handed over later (two transactions each: the hold, then the capture with
its entry), against the same rows written plainly."""

from __future__ import annotations

import json
from typing import Any

from bench.common import begin, figure, is_sqlite, raw_connection, sql, system_accounts, timed
from timebank import Timebank
from timebank.domain.ledger import GENESIS_HASH

MEMBERS = 50


def run(url: str, scale: float) -> list[dict[str, Any]]:
    tb = Timebank(url)
    tb.init()
    try:
        return _single_redemptions(tb, url, scale) + _held_cycles(tb, url, scale)
    finally:
        tb.close()


def _setup(tb: Timebank, code: str, n: int) -> None:
    tb.communities.create(code, code)
    for i in range(MEMBERS):
        tb.members.add(code, f"m{i}", f"m{i}")
        tb.ledger.award(code, f"m{i}", 1_000_000, key=f"seed{i}")
    tb.gifts.create(code, "soap", name="肥皂", cost=4, stock=n + 10)


def _single_redemptions(tb: Timebank, url: str, scale: float) -> list[dict[str, Any]]:
    n = max(200, int(3000 * scale))
    _setup(tb, "shop", n)
    lib = timed(lambda: [tb.redemptions.redeem("shop", f"m{i % MEMBERS}", [("soap", 1)],
                                               key=f"r{i}") for i in range(n)])

    _setup(tb, "shopraw", n)
    raw = raw_connection(url)
    cur = raw.cursor()
    community_id, sink, members, gift = _ids(raw, "shopraw")
    q = {name: sql(raw, text) for name, text in {
        **_ENTRY,
        "idem": "INSERT INTO idempotency_keys (community_id, key, request, created_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        "stock": "UPDATE gifts SET stock = stock - 1 WHERE id = ? AND stock >= 1 "
                 "RETURNING stock",
        "redemption": "INSERT INTO redemptions (community_id, member_id, status, unit, total, "
                      "balance_after, actor, created_at, resolved_at) "
                      "VALUES (?, ?, 'fulfilled', 'points', 4, 0, 'system', ?, ?) "
                      "RETURNING id",
        "debit": "UPDATE accounts SET posted = posted - ? WHERE id = ? "
                 "AND posted - held >= ? RETURNING posted",
        "link": "UPDATE redemptions SET entry_id = ?, balance_after = ? WHERE id = ?",
        "item": "INSERT INTO redemption_items (redemption_id, gift_id, quantity, unit_price) "
                "VALUES (?, ?, 1, 4)",
        "move": "INSERT INTO stock_movements (gift_id, kind, quantity, stock_after, reason, "
                "actor, redemption_id, created_at) VALUES (?, 'redeem', -1, ?, 'redemption', "
                "'system', ?, ?)",
        "response": "UPDATE idempotency_keys SET response = ? WHERE id = ?",
    }.items()}

    def raw_redemptions() -> None:
        for i in range(n):
            begin(raw)
            now = "2026-01-01 00:00:00.000000"
            member_id, account = members[i % MEMBERS]
            cur.execute(q["idem"], (community_id, f"r{i}", '{"op":"redeem"}', now))
            idem = cur.fetchone()[0]
            cur.execute(q["stock"], (gift,))
            left = cur.fetchone()[0]
            cur.execute(q["redemption"], (community_id, member_id, now, now))
            redemption = cur.fetchone()[0]
            cur.execute(q["debit"], (4, account, 4))
            after = cur.fetchone()[0]
            entry = _raw_entry(cur, q, community_id, "spend", account, sink, 4, after,
                               redemption, now)
            cur.execute(q["link"], (entry, after, redemption))
            cur.execute(q["item"], (redemption, gift))
            cur.execute(q["move"], (gift, left, redemption, now))
            cur.execute(q["response"], (json.dumps({"id": redemption}), idem))
            raw.commit() if not is_sqlite(raw) else raw.execute("COMMIT")

    base = timed(raw_redemptions)
    raw.close()
    return [figure("single redemption per transaction (desk, one item)", n / lib, n / base,
                   "redemptions/s", "≥ 0.25")]


# A plain spend's entry after its guarded debit, as both raw sides write it.
_ENTRY = {
    "credit": "UPDATE accounts SET posted = posted + ? WHERE id = ? RETURNING posted",
    "seq": "UPDATE communities SET entry_seq = entry_seq + 1 WHERE id = ? "
           "RETURNING entry_seq, head_hash",
    "entry": "INSERT INTO entries (community_id, seq, kind, reason, actor, occurred_at, "
             "recorded_at, meta, hash) VALUES (?, ?, ?, 'redemption', 'system', ?, ?, ?, ?) "
             "RETURNING id",
    "posting": "INSERT INTO postings (entry_id, account_id, amount, balance_after) "
               "VALUES (?, ?, ?, ?)",
    "head": "UPDATE communities SET head_hash = ? WHERE id = ?",
}


def _raw_entry(cur: Any, q: dict[str, str], community_id: int, kind: str, account: int,
               sink: int, amount: int, after: int, redemption: int, now: str) -> int:
    """The sink's credit, the chain's next sequence, the entry and its two postings and
    the head, after the member's debit left ``after``; the entry's id."""
    cur.execute(q["credit"], (amount, sink))
    sunk = cur.fetchone()[0]
    cur.execute(q["seq"], (community_id,))
    seq, _ = cur.fetchone()
    cur.execute(q["entry"], (community_id, seq, kind, now, now,
                             json.dumps({"redemption": redemption}), GENESIS_HASH))
    entry = int(cur.fetchone()[0])
    cur.executemany(q["posting"], [(entry, account, -amount, after),
                                   (entry, sink, amount, sunk)])
    cur.execute(q["head"], (GENESIS_HASH, community_id))
    return entry


def _ids(raw: Any, code: str) -> tuple[int, int, list[tuple[int, int]], int]:
    """(community id, redemption sink, (member id, account id) of each member, gift id)."""
    community_id, system = system_accounts(raw, code)
    sink = system["redemption"]
    cur = raw.cursor()
    cur.execute(sql(raw, "SELECT m.id, a.id FROM members m JOIN accounts a "
                         "ON a.member_id = m.id WHERE m.community_id = ? ORDER BY m.id"),
                (community_id,))
    members = cur.fetchall()
    cur.execute(sql(raw, "SELECT id FROM gifts WHERE community_id = ?"), (community_id,))
    gift = cur.fetchone()[0]
    if not is_sqlite(raw):
        raw.commit()
    return community_id, sink, members, gift


def _held_cycles(tb: Timebank, url: str, scale: float) -> list[dict[str, Any]]:
    n = max(100, int(1500 * scale))
    _setup(tb, "order", n)

    def cycles() -> None:
        for i in range(n):
            held = tb.redemptions.redeem("order", f"m{i % MEMBERS}", [("soap", 1)],
                                         key=f"h{i}", hold=True)
            tb.redemptions.fulfil("order", held.id, key=f"f{i}")
    lib = timed(cycles)

    _setup(tb, "orderraw", n)
    raw = raw_connection(url)
    cur = raw.cursor()
    community_id, sink, members, gift = _ids(raw, "orderraw")
    lock = "" if is_sqlite(raw) else " FOR UPDATE"
    q = {name: sql(raw, text) for name, text in {
        **_ENTRY,
        "idem": "INSERT INTO idempotency_keys (community_id, key, request, created_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        "stock": "UPDATE gifts SET stock = stock - 1 WHERE id = ? AND stock >= 1 "
                 "RETURNING stock",
        "reserve": "UPDATE accounts SET held = held + ? WHERE id = ? "
                   "AND posted - held >= ? RETURNING posted, held",
        "hold": "INSERT INTO holds (community_id, account_id, amount, status, reason, "
                "created_at) VALUES (?, ?, 4, 'held', 'redemption', ?) RETURNING id",
        "redemption": "INSERT INTO redemptions (community_id, member_id, status, unit, total, "
                      "balance_after, hold_id, actor, created_at) "
                      "VALUES (?, ?, 'held', 'points', 4, ?, ?, 'system', ?) RETURNING id",
        "item": "INSERT INTO redemption_items (redemption_id, gift_id, quantity, unit_price) "
                "VALUES (?, ?, 1, 4)",
        "move": "INSERT INTO stock_movements (gift_id, kind, quantity, stock_after, reason, "
                "actor, redemption_id, created_at) VALUES (?, 'reserve', -1, ?, 'redemption', "
                "'system', ?, ?)",
        "response": "UPDATE idempotency_keys SET response = ? WHERE id = ?",
        "lock": "SELECT status, hold_id FROM redemptions WHERE id = ?" + lock,
        "capture": "UPDATE holds SET status = 'captured', resolved_at = ? "
                   "WHERE id = ? AND status = 'held' RETURNING account_id, amount",
        "debit": "UPDATE accounts SET held = held - ?, posted = posted - ? WHERE id = ? "
                 "AND posted - (held - ?) >= ? RETURNING posted, held",
        "link": "UPDATE holds SET entry_id = ? WHERE id = ?",
        "fulfilled": "UPDATE redemptions SET status = 'fulfilled', entry_id = ?, "
                     "balance_after = ?, resolved_at = ? WHERE id = ?",
    }.items()}

    def commit() -> None:
        raw.commit() if not is_sqlite(raw) else raw.execute("COMMIT")

    def raw_cycles() -> None:
        now = "2026-01-01 00:00:00.000000"
        for i in range(n):
            member_id, account = members[i % MEMBERS]
            begin(raw)
            cur.execute(q["idem"], (community_id, f"h{i}", '{"op":"redeem"}', now))
            idem = cur.fetchone()[0]
            cur.execute(q["stock"], (gift,))
            left = cur.fetchone()[0]
            cur.execute(q["reserve"], (4, account, 4))
            posted, held = cur.fetchone()
            cur.execute(q["hold"], (community_id, account, now))
            hold = cur.fetchone()[0]
            cur.execute(q["redemption"], (community_id, member_id, posted - held, hold, now))
            redemption = cur.fetchone()[0]
            cur.execute(q["item"], (redemption, gift))
            cur.execute(q["move"], (gift, left, redemption, now))
            cur.execute(q["response"], (json.dumps({"id": redemption}), idem))
            commit()

            begin(raw)
            cur.execute(q["idem"], (community_id, f"f{i}", '{"op":"fulfil"}', now))
            idem = cur.fetchone()[0]
            cur.execute(q["lock"], (redemption,))
            cur.fetchone()
            cur.execute(q["capture"], (now, hold))
            _, amount = cur.fetchone()
            cur.execute(q["debit"], (amount, amount, account, amount, amount))
            after, held = cur.fetchone()
            entry = _raw_entry(cur, q, community_id, "capture", account, sink, amount, after,
                               redemption, now)
            cur.execute(q["link"], (entry, hold))
            cur.execute(q["fulfilled"], (entry, after - held, now, redemption))
            cur.execute(q["response"], (json.dumps({"id": redemption}), idem))
            commit()

    base = timed(raw_cycles)
    raw.close()
    return [figure("held redemption then its hand-over (2 transactions each: library and "
                   "raw)", n / lib, n / base, "cycles/s", "≥ 0.25")]
