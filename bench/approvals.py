"""Bulk approval benchmark (issue 19): approve 100,000 pending contributions in one act
(each checked for its recorder and flags, awards posted in time order through
``post_many``, decisions and monthly totals written a chunk at a time), against plain
sqlite3/psycopg writing the same rows (entries, postings, the contributions' decisions,
the account balances) with executemany in the same database, in the same run.

The goal is under a minute on either engine for the full size.
"""

from __future__ import annotations

from datetime import timedelta
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
from timebank.domain.access import Actor
from timebank.domain.ledger import GENESIS_HASH
from timebank.domain.rulebook import rule
from timebank.services.contributions import ContributionInput
from timebank.timeutil import local_date, utcnow

MEMBERS = 2000


def run(url: str, scale: float) -> list[dict[str, Any]]:
    n = max(1000, int(100_000 * scale))
    tb = Timebank(url)
    tb.init()
    try:
        _setup(tb, "lib", n)
        done: list[Any] = []
        lib = timed(lambda: done.append(tb.approvals.approve_many(
            "lib", approver=Actor("clerk-B"), key="bench", rule="visit")))
        assert done[0].approved == n, done[0].approved
        _setup(tb, "raw", n)
        base = timed(lambda: _raw(url, "raw"))
    finally:
        tb.close()
    return [figure("approve 100k pending contributions in one act", n / lib, n / base,
                   "contributions/s", "≥ 0.2"),
            figure("approve 100k pending contributions: seconds", lib, base, "s",
                   "< 60 s at full size", ratio=lib / base)]


def _setup(tb: Timebank, code: str, n: int) -> None:
    tb.communities.create(code, code)
    add_members(tb, code, MEMBERS, "居民{i}")
    tb.rules.put(code, "visit", rule(code="visit", name_zh="探访", name_en="Visit",
                                     basis="per_occurrence", rate=2, approval=True))
    today = local_date(utcnow(), "Asia/Shanghai")
    tb.contributions.record_many(code, [ContributionInput(
        f"m{i % MEMBERS}", "visit", 1, today - timedelta(days=1 + (i // MEMBERS) % 25),
        key=f"c{i}") for i in range(n)], recorded_by="clerk-A")


def _raw(url: str, code: str) -> None:
    raw = raw_connection(url)
    community_id, system = system_accounts(raw, code)
    issuance = system["issuance"]
    cur = raw.cursor()
    begin(raw)
    cur.execute(sql(raw, "SELECT c.id, c.member_id, c.points FROM contributions c WHERE "
                         "c.community_id = ? AND c.status = 'pending' ORDER BY c.occurred_at, "
                         "c.id"), (community_id,))
    pending = cur.fetchall()
    cur.executemany(sql(raw, "INSERT INTO accounts (community_id, member_id, unit, posted, "
                             "held, lifetime_earned) VALUES (?, ?, 'points', 0, 0, 0)"),
                    [(community_id, m) for m in sorted({p[1] for p in pending})])
    cur.execute(sql(raw, "SELECT member_id, id FROM accounts WHERE community_id = ? "
                         "AND member_id IS NOT NULL"), (community_id,))
    accounts = dict(cur.fetchall())
    cur.execute("SELECT COALESCE(MAX(id), 0) FROM entries")
    first = cur.fetchone()[0] + 1
    now = "2026-01-01 00:00:00"
    cur.executemany(sql(raw, "INSERT INTO entries (id, community_id, seq, kind, reason, actor, "
                             "occurred_at, recorded_at, meta, hash) VALUES "
                             "(?, ?, ?, 'award', '探访 / Visit', 'clerk-B', ?, ?, ?, ?)"),
                    [(first + i, community_id, i + 1, now, now,
                      f'{{"contribution": {cid}, "rule": "visit", "approver": "clerk-B"}}',
                      GENESIS_HASH) for i, (cid, _, _) in enumerate(pending)])
    cur.executemany(sql(raw, "INSERT INTO postings (entry_id, account_id, amount, "
                             "balance_after) VALUES (?, ?, ?, ?)"),
                    [row for i, (_, member, points) in enumerate(pending) for row in
                     ((first + i, issuance, -points, 0),
                      (first + i, accounts[member], points, 0))])
    cur.executemany(sql(raw, "UPDATE contributions SET status = 'approved', decided_by = "
                             "'clerk-B', decided_at = ?, entry_id = ? WHERE id = ?"),
                    [(now, first + i, cid) for i, (cid, _, _) in enumerate(pending)])
    cur.executemany(sql(raw, "UPDATE accounts SET posted = posted + ? WHERE id = ?"),
                    [(2, acc) for acc in accounts.values()])
    raw.execute("COMMIT") if is_sqlite(raw) else raw.commit()
    raw.close()
