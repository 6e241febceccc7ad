"""Contribution benchmark (issue 3): evaluate and record 200,000 contributions through the
bulk path (an auto-approved hourly rule with caps and a multiplier, anomaly checks, the
awards and the monthly totals), against plain sqlite3/psycopg inserting the same rows
(contributions, entries, postings, idempotency keys) with executemany in the same
database, in the same run.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from bench.common import add_members, begin, figure, is_sqlite, raw_connection, sql, timed
from timebank import Timebank
from timebank.domain.ledger import GENESIS_HASH
from timebank.domain.rulebook import rule
from timebank.services.contributions import ContributionInput

MEMBERS = 2000


def run(url: str, scale: float) -> list[dict[str, Any]]:
    n = max(1000, int(200_000 * scale))
    tb = Timebank(url)
    tb.init()
    try:
        items = _setup(tb, "lib", n)
        lib = timed(lambda: tb.contributions.record_many("lib", items, recorded_by="bench"))
        _setup(tb, "raw", 0)
        base = timed(lambda: _raw(url, "raw", items))
    finally:
        tb.close()
    return [figure("record 200k contributions, bulk path", n / lib, n / base,
                   "contributions/s", "≥ 0.2")]


def _setup(tb: Timebank, code: str, n: int) -> list[ContributionInput]:
    tb.communities.create(code, code)
    add_members(tb, code, MEMBERS, "居民{i}", roles=["volunteer"])
    tb.rules.put(code, "patrol", rule(
        code="patrol", name_zh="义务巡逻", name_en="Patrol", basis="per_hour", rate=2,
        round_to=0.5, max_quantity=4, caps={"day": 8, "month": 120},
        multipliers=[{"factor": 2, "tags": ["blizzard"]}]))
    start = date(2025, 1, 1)
    return [ContributionInput(
        f"m{i % MEMBERS}", "patrol", 1 + (i % 5) * 0.5,
        start + timedelta(days=(i // MEMBERS) % 365),
        tags=("blizzard",) if i % 17 == 0 else (), key=f"c{i}") for i in range(n)]


def _raw(url: str, code: str, items: list[ContributionInput]) -> None:
    raw = raw_connection(url)
    cur = raw.cursor()
    cur.execute(sql(raw, "SELECT id FROM communities WHERE code = ?"), (code,))
    community_id = cur.fetchone()[0]
    cur.execute(sql(raw, "SELECT code, id FROM members WHERE community_id = ?"),
                (community_id,))
    members = dict(cur.fetchall())
    cur.execute(sql(raw, "SELECT id FROM rule_versions WHERE community_id = ?"),
                (community_id,))
    version = cur.fetchone()[0]
    cur.execute(sql(raw, "SELECT id FROM accounts WHERE community_id = ? AND "
                         "system = 'issuance' AND unit = 'points'"), (community_id,))
    issuance = cur.fetchone()[0]
    begin(raw)
    cur.executemany(sql(raw, "INSERT INTO accounts (community_id, member_id, unit, posted, "
                             "held, lifetime_earned) VALUES (?, ?, 'points', 0, 0, 0)"),
                    [(community_id, m) for m in members.values()])
    cur.execute(sql(raw, "SELECT member_id, id FROM accounts WHERE community_id = ? "
                         "AND member_id IS NOT NULL"), (community_id,))
    accounts = dict(cur.fetchall())
    cur.execute("SELECT COALESCE(MAX(id), 0) FROM entries")
    first_entry = cur.fetchone()[0] + 1
    cur.execute("SELECT COALESCE(MAX(id), 0) FROM contributions")
    first_contribution = cur.fetchone()[0] + 1
    now = "2026-01-01 00:00:00"
    n = len(items)
    # Idempotency rows as long as the library's: the request and the response it stores.
    request = json.dumps(items[0].request("bench"), ensure_ascii=False)
    response = json.dumps({"id": 1, "member": "m0", "rule": "patrol", "status": "approved",
                           "points": 2, "unit": "points", "capped": False, "entry_id": 1,
                           "flags": []})
    cur.executemany(sql(raw, "INSERT INTO entries (id, community_id, seq, kind, reason, actor, "
                             "occurred_at, recorded_at, meta, hash) VALUES "
                             "(?, ?, ?, 'award', '义务巡逻 / Patrol', 'bench', ?, ?, ?, ?)"),
                    [(first_entry + i, community_id, i + 1, now, now,
                      json.dumps({"contribution": first_contribution + i, "rule": "patrol"}),
                      GENESIS_HASH) for i in range(n)])
    cur.executemany(sql(raw, "INSERT INTO postings (entry_id, account_id, amount, "
                             "balance_after) VALUES (?, ?, ?, ?)"),
                    [row for i, item in enumerate(items) for row in
                     ((first_entry + i, issuance, -2, 0),
                      (first_entry + i, accounts[members[item.member]], 2, 0))])
    cur.executemany(sql(raw, "INSERT INTO contributions (id, community_id, member_id, rule, "
                             "rule_version_id, unit, quantity, credited, occurred_at, "
                             "ended_at, local_day, period, tags, note, status, raw_points, "
                             "points, capped, bonus, notes, recorded_by, recorded_at, "
                             "decided_by, decided_at, reason, entry_id, reversal_id) VALUES "
                             "(?, ?, ?, 'patrol', ?, 'points', 60, 60, ?, NULL, ?, NULL, "
                             "'[]', '', 'approved', 2, 2, ?, 0, '[]', 'bench', ?, NULL, ?, "
                             "NULL, ?, NULL)"),
                    [(first_contribution + i, community_id, members[item.member], version,
                      now, str(item.occurred_on), False, now, now, first_entry + i)
                     for i, item in enumerate(items)])
    cur.executemany(sql(raw, "INSERT INTO idempotency_keys (community_id, key, request, "
                             "response, created_at) VALUES (?, ?, ?, ?, ?)"),
                    [(community_id, f"raw{item.key}", request, response, now)
                     for item in items])
    cur.executemany(sql(raw, "UPDATE accounts SET posted = posted + ? WHERE id = ?"),
                    [(1, acc) for acc in accounts.values()])
    raw.execute("COMMIT") if is_sqlite(raw) else raw.commit()
    raw.close()
