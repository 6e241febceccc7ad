"""Ledger benchmarks (issue 2): bulk award, single spends, balance reads as history grows.

Each library figure is printed next to plain sqlite3/psycopg writing or reading the same
rows in the same database, in the same run.
"""

from __future__ import annotations

import json
import random
from typing import Any

from bench.common import (
    add_members,
    begin,
    figure,
    is_sqlite,
    raw_connection,
    sql,
    system_accounts,
    timed,
)
from timebank import Timebank
from timebank.domain.ledger import GENESIS_HASH


def run(url: str, scale: float) -> list[dict[str, Any]]:
    tb = Timebank(url)
    tb.init()
    try:
        return [*_bulk_award(tb, url, scale), *_single_spend(tb, url, scale),
                *_balance_reads(tb, url, scale)]
    finally:
        tb.close()


def _community(tb: Timebank, code: str, members: int) -> None:
    tb.communities.create(code, code)
    add_members(tb, code, members)


# -- bulk award ------------------------------------------------------------------------


def _bulk_award(tb: Timebank, url: str, scale: float) -> list[dict[str, Any]]:
    n = max(1000, int(200_000 * scale))
    _community(tb, "bulk", 100)
    awards = [(f"m{i % 100}", 1 + i % 5, f"award {i}") for i in range(n)]
    lib = timed(lambda: tb.ledger.award_many(
        "bulk", [{"member": m, "amount": a, "key": k} for m, a, k in awards],
        reason="bulk award", actor="bench"))

    _community(tb, "bulkraw", 100)
    raw = raw_connection(url)
    community_id, system = system_accounts(raw, "bulkraw")
    members = {f"m{i}": _account(raw, community_id, f"m{i}") for i in range(100)}

    def raw_bulk() -> None:
        cur = raw.cursor()
        begin(raw)
        first_id = _next_ids(raw, n)
        now = "2026-01-01 00:00:00"
        cur.executemany(sql(raw, "INSERT INTO idempotency_keys (community_id, key, request, "
                                 "response, created_at) VALUES (?, ?, ?, ?, ?)"),
                        [(community_id, k, '{"op":"award"}', '{"entry_id":1}', now)
                         for _, _, k in awards])
        cur.executemany(sql(raw, "INSERT INTO entries (id, community_id, seq, kind, reason, "
                                 "actor, occurred_at, recorded_at, meta, hash) "
                                 "VALUES (?, ?, ?, 'award', 'bulk award', 'bench', ?, ?, "
                                 "'{}', ?)"),
                        [(first_id + i, community_id, i + 1, now, now, GENESIS_HASH)
                         for i in range(n)])
        cur.executemany(sql(raw, "INSERT INTO postings (entry_id, account_id, amount, "
                                 "balance_after) VALUES (?, ?, ?, ?)"),
                        [row for i, (m, a, _) in enumerate(awards) for row in
                         ((first_id + i, system["issuance"], -a, 0),
                          (first_id + i, members[m], a, 0))])
        cur.executemany(sql(raw, "UPDATE accounts SET posted = posted + ? WHERE id = ?"),
                        [(1, members[m]) for m in members])
        raw.commit() if not is_sqlite(raw) else raw.execute("COMMIT")

    base = timed(raw_bulk)
    raw.close()
    return [figure("bulk award, one transaction", n / lib, n / base, "awards/s", "≥ 0.25")]


def _account(raw: Any, community_id: int, member: str) -> int:
    cur = raw.cursor()
    begin(raw)
    cur.execute(sql(raw, "SELECT id FROM members WHERE community_id = ? AND code = ?"),
                (community_id, member))
    member_id = cur.fetchone()[0]
    cur.execute(sql(raw, "INSERT INTO accounts (community_id, member_id, unit, posted, held, "
                         "lifetime_earned) VALUES (?, ?, 'points', 1000000000, 0, 0) "
                         "RETURNING id"), (community_id, member_id))
    account_id = cur.fetchone()[0]
    raw.commit() if not is_sqlite(raw) else raw.execute("COMMIT")
    return int(account_id)


def _next_ids(raw: Any, n: int) -> int:
    """The first of ``n`` fresh entry ids (raw inserts give explicit ids, as bulk does)."""
    cur = raw.cursor()
    if is_sqlite(raw):
        cur.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM entries")
        return int(cur.fetchone()[0])
    cur.execute("SELECT setval(pg_get_serial_sequence('entries', 'id'), "
                "nextval(pg_get_serial_sequence('entries', 'id')) + %s) - %s + 1", (n, n))
    return int(cur.fetchone()[0])


# -- single spends ---------------------------------------------------------------------


def _single_spend(tb: Timebank, url: str, scale: float) -> list[dict[str, Any]]:
    n = max(200, int(3000 * scale))
    _community(tb, "spend", 50)
    for i in range(50):
        tb.ledger.award("spend", f"m{i}", 1_000_000, key=f"seed{i}")
    lib = timed(lambda: [tb.ledger.spend("spend", f"m{i % 50}", 1, key=f"s{i}",
                                         reason="gift") for i in range(n)])

    _community(tb, "spendraw", 50)
    raw = raw_connection(url)
    community_id, system = system_accounts(raw, "spendraw")
    accounts = [_account(raw, community_id, f"m{i}") for i in range(50)]
    cur = raw.cursor()
    q = {name: sql(raw, text) for name, text in {
        "idem": "INSERT INTO idempotency_keys (community_id, key, request, created_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        "debit": "UPDATE accounts SET posted = posted - ?, lifetime_earned = lifetime_earned "
                 "WHERE id = ? AND (system IS NOT NULL OR posted - held >= ?) "
                 "RETURNING posted",
        "credit": "UPDATE accounts SET posted = posted + ?, lifetime_earned = "
                  "lifetime_earned WHERE id = ? RETURNING posted",
        "seq": "UPDATE communities SET entry_seq = entry_seq + 1 WHERE id = ? "
               "RETURNING entry_seq, head_hash",
        "entry": "INSERT INTO entries (community_id, seq, kind, reason, actor, occurred_at, "
                 "recorded_at, meta, hash) VALUES (?, ?, 'spend', 'gift', 'system', ?, ?, "
                 "'{}', ?) RETURNING id",
        "posting": "INSERT INTO postings (entry_id, account_id, amount, balance_after) "
                   "VALUES (?, ?, ?, ?)",
        "head": "UPDATE communities SET head_hash = ? WHERE id = ?",
        "response": "UPDATE idempotency_keys SET response = ? WHERE id = ?",
    }.items()}

    def raw_spends() -> None:
        for i in range(n):
            begin(raw)
            now = "2026-01-01 00:00:00.000000"
            cur.execute(q["idem"], (community_id, f"s{i}", '{"op":"spend"}', now))
            idem = cur.fetchone()[0]
            account = accounts[i % 50]
            cur.execute(q["debit"], (1, account, 1))
            after = cur.fetchone()[0]
            cur.execute(q["credit"], (1, system["redemption"]))
            sink = cur.fetchone()[0]
            cur.execute(q["seq"], (community_id,))
            seq, _ = cur.fetchone()
            cur.execute(q["entry"], (community_id, seq, now, now, GENESIS_HASH))
            entry = cur.fetchone()[0]
            cur.executemany(q["posting"], [(entry, account, -1, after),
                                           (entry, system["redemption"], 1, sink)])
            cur.execute(q["head"], (GENESIS_HASH, community_id))
            cur.execute(q["response"], (json.dumps({"entry_id": entry}), idem))
            raw.commit() if not is_sqlite(raw) else raw.execute("COMMIT")

    base = timed(raw_spends)
    raw.close()
    return [figure("single spend per transaction", n / lib, n / base, "spends/s", "≥ 0.30")]


# -- balance reads ---------------------------------------------------------------------


def _balance_reads(tb: Timebank, url: str, scale: float) -> list[dict[str, Any]]:
    members = 1000
    _community(tb, "reads", members)
    raw = raw_connection(url)
    community_id, system = system_accounts(raw, "reads")
    accounts = [_account(raw, community_id, f"m{i}") for i in range(members)]
    reads = max(500, int(5000 * scale))
    rng = random.Random(7)
    picks = [f"m{rng.randrange(members)}" for _ in range(reads)]

    def library_reads() -> None:
        for m in picks:
            tb.ledger.balance("reads", m)

    cur = raw.cursor()
    q = sql(raw, "SELECT a.unit, a.posted, a.held, a.lifetime_earned FROM members m "
                 "JOIN accounts a ON a.member_id = m.id WHERE m.community_id = ? "
                 "AND m.code = ?")

    def raw_reads() -> None:
        for m in picks:
            cur.execute(q, (community_id, m))
            cur.fetchall()
            if not is_sqlite(raw):
                raw.rollback()

    _seed_postings(raw, community_id, system["issuance"], accounts, 10_000)
    library_reads()  # warm: both sizes are timed on a warm cache, best of three
    small = min(timed(library_reads) for _ in range(3))
    big_n = max(20_000, int(1_000_000 * scale))
    _seed_postings(raw, community_id, system["issuance"], accounts, big_n - 10_000)
    library_reads()
    big = min(timed(library_reads) for _ in range(3))
    base = min(timed(raw_reads) for _ in range(3))
    raw.close()
    return [
        figure(f"balance read at {big_n:,} vs 10,000 postings", reads / big, reads / small,
               "reads/s", "≤ 1.5 (time ratio)", ratio=big / small),
        figure(f"balance read at {big_n:,} postings", reads / big, reads / base, "reads/s",
               "(library ÷ raw SELECT)"),
    ]


def _seed_postings(raw: Any, community_id: int, source: int, accounts: list[int],
                   count: int) -> None:
    """``count`` postings as award entries (two legs each), written raw and fast."""
    entries = count // 2
    begin(raw)
    cur = raw.cursor()
    first = _next_ids(raw, entries)
    cur.execute(sql(raw, "SELECT entry_seq FROM communities WHERE id = ?"), (community_id,))
    seq0 = cur.fetchone()[0]
    now = "2026-01-01 00:00:00"
    entry_rows = [(first + i, community_id, seq0 + i + 1, "award", "seed", "bench", now, now,
                   "{}", GENESIS_HASH) for i in range(entries)]
    posting_rows = [row for i in range(entries) for row in
                    ((first + i, source, -1, 0), (first + i, accounts[i % len(accounts)], 1, 0))]
    if is_sqlite(raw):
        cur.executemany("INSERT INTO entries (id, community_id, seq, kind, reason, actor, "
                        "occurred_at, recorded_at, meta, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        entry_rows)
        cur.executemany("INSERT INTO postings (entry_id, account_id, amount, balance_after) "
                        "VALUES (?, ?, ?, ?)", posting_rows)
    else:
        with cur.copy("COPY entries (id, community_id, seq, kind, reason, actor, occurred_at, "
                      "recorded_at, meta, hash) FROM STDIN") as copy:
            for row in entry_rows:
                copy.write_row(row)
        with cur.copy("COPY postings (entry_id, account_id, amount, balance_after) "
                      "FROM STDIN") as copy:
            for leg in posting_rows:
                copy.write_row(leg)
    cur.execute(sql(raw, "UPDATE communities SET entry_seq = ? WHERE id = ?"),
                (seq0 + entries, community_id))
    raw.commit() if not is_sqlite(raw) else raw.execute("COMMIT")
    # Settle the bulk load as a running system would have: WAL checkpointed, statistics
    # and visibility map up to date. The reads below never touch postings either way.
    # The bench's own tables only: a bare VACUUM walks every schema of the database.
    if is_sqlite(raw):
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        raw.autocommit = True
        raw.execute("VACUUM ANALYZE entries, postings, accounts, members")
        raw.autocommit = False
