"""Exchange benchmark (issue 14): post → claim → confirm cycles per second through the
library (three transactions a cycle, as three callers make them), against plain
sqlite3/psycopg writing the same rows of one cycle in one transaction (hold, request,
claim, events, the payment entry with its postings, balances and chain head, the
idempotency keys) in the same database, in the same run."""

from __future__ import annotations

import json
from typing import Any

from bench.common import begin, figure, is_sqlite, raw_connection, sql, timed
from timebank import Timebank
from timebank.domain.ledger import GENESIS_HASH

MEMBERS = 50


def run(url: str, scale: float) -> list[dict[str, Any]]:
    tb = Timebank(url)
    tb.init()
    try:
        return _cycles(tb, url, scale)
    finally:
        tb.close()


def _setup(tb: Timebank, code: str) -> None:
    tb.communities.create(code, code)
    for i in range(MEMBERS):
        tb.members.add(code, f"m{i}", f"m{i}")
        tb.ledger.award(code, f"m{i}", 1_000_000, unit="minutes", key=f"seed{i}")


def _cycles(tb: Timebank, url: str, scale: float) -> list[dict[str, Any]]:
    n = max(100, int(1000 * scale))
    _setup(tb, "hub")

    def library() -> None:
        for i in range(n):
            who, helper = f"m{i % MEMBERS}", f"m{(i + 1) % MEMBERS}"
            r = tb.requests.post("hub", who, "买菜", "errands", 60, key=f"p{i}")
            tb.requests.claim("hub", r.id, helper, key=f"c{i}")
            tb.requests.confirm("hub", r.id, 45, key=f"f{i}")
    lib = timed(library)

    _setup(tb, "hubraw")
    raw = raw_connection(url)
    cur = raw.cursor()
    cur.execute(sql(raw, "SELECT id FROM communities WHERE code = ?"), ("hubraw",))
    community_id = cur.fetchone()[0]
    cur.execute(sql(raw, "SELECT m.id, a.id FROM members m JOIN accounts a "
                         "ON a.member_id = m.id AND a.unit = 'minutes' "
                         "WHERE m.community_id = ? ORDER BY m.id"), (community_id,))
    members = cur.fetchall()
    if not is_sqlite(raw):
        raw.commit()
    now = "2026-01-01 00:00:00.000000"
    q = {name: sql(raw, text) for name, text in {
        "idem": "INSERT INTO idempotency_keys (community_id, key, request, created_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
        "response": "UPDATE idempotency_keys SET response = ? WHERE id = ?",
        "hold": "UPDATE accounts SET held = held + ? WHERE id = ? AND posted - held >= ? "
                "RETURNING posted, held",
        "hold_row": "INSERT INTO holds (community_id, account_id, amount, status, reason, "
                    "created_at) VALUES (?, ?, ?, 'held', 'r', ?) RETURNING id",
        "request": "INSERT INTO exchange_requests (community_id, member_id, title, category, "
                   "minutes, place, funded_by, payer_account_id, hold_id, max_volunteers, "
                   "status, reason, actor, created_at) VALUES (?, ?, 't', 'errands', 60, '', "
                   "'member', ?, ?, 1, 'open', '', 'system', ?) RETURNING id",
        "event": "INSERT INTO exchange_events (request_id, kind, member_id, reason, actor, at) "
                 "VALUES (?, ?, ?, '', 'system', ?)",
        "claim": "INSERT INTO exchange_claims (request_id, member_id, status, created_at) "
                 "VALUES (?, ?, 'active', ?)",
        "status": "UPDATE exchange_requests SET status = ? WHERE id = ?",
        "resolve": "UPDATE holds SET status = 'captured', resolved_at = ? WHERE id = ? "
                   "AND status = 'held' RETURNING account_id, amount",
        "free": "UPDATE accounts SET held = held - ? WHERE id = ?",
        "debit": "UPDATE accounts SET posted = posted - ? WHERE id = ? "
                 "AND posted - held >= ? RETURNING posted",
        "credit": "UPDATE accounts SET posted = posted + ? WHERE id = ? RETURNING posted",
        "seq": "UPDATE communities SET entry_seq = entry_seq + 1 WHERE id = ? "
               "RETURNING entry_seq, head_hash",
        "entry": "INSERT INTO entries (community_id, seq, kind, reason, actor, occurred_at, "
                 "recorded_at, meta, hash) VALUES (?, ?, 'exchange', 'r', 'system', ?, ?, ?, "
                 "?) RETURNING id",
        "posting": "INSERT INTO postings (entry_id, account_id, amount, balance_after) "
                   "VALUES (?, ?, ?, ?)",
        "head": "UPDATE communities SET head_hash = ? WHERE id = ?",
        "done": "UPDATE exchange_requests SET status = 'done', minutes_paid = ?, "
                "entry_id = ?, resolved_at = ? WHERE id = ?",
    }.items()}

    def one(i: int) -> None:
        (who, payer), (helper, payee) = members[i % MEMBERS], members[(i + 1) % MEMBERS]
        keys = []
        for k in ("p", "c", "f"):
            cur.execute(q["idem"], (community_id, f"{k}{i}", '{"op":"exchange"}', now))
            keys.append(cur.fetchone()[0])
        cur.execute(q["hold"], (60, payer, 60))
        cur.fetchone()
        cur.execute(q["hold_row"], (community_id, payer, 60, now))
        hold = cur.fetchone()[0]
        cur.execute(q["request"], (community_id, who, payer, hold, now))
        request = cur.fetchone()[0]
        cur.execute(q["event"], (request, "posted", who, now))
        cur.execute(q["claim"], (request, helper, now))
        cur.execute(q["status"], ("claimed", request))
        cur.execute(q["event"], (request, "claimed", helper, now))
        cur.execute(q["resolve"], (now, hold))
        cur.fetchone()
        cur.execute(q["free"], (60, payer))
        cur.execute(q["debit"], (45, payer, 45))
        after = cur.fetchone()[0]
        cur.execute(q["credit"], (45, payee))
        got = cur.fetchone()[0]
        cur.execute(q["seq"], (community_id,))
        seq, _ = cur.fetchone()
        cur.execute(q["entry"], (community_id, seq, now, now, json.dumps({"request": request}),
                                 GENESIS_HASH))
        entry = cur.fetchone()[0]
        cur.executemany(q["posting"], [(entry, payer, -45, after), (entry, payee, 45, got)])
        cur.execute(q["head"], (GENESIS_HASH, community_id))
        cur.execute(q["done"], (45, entry, now, request))
        cur.execute(q["event"], (request, "confirmed", None, now))
        for idem in keys:
            cur.execute(q["response"], (json.dumps({"id": request}), idem))

    def raw_cycles() -> None:
        for i in range(n):
            begin(raw)
            one(i)
            raw.commit() if not is_sqlite(raw) else raw.execute("COMMIT")

    base = timed(raw_cycles)
    raw.close()
    return [figure("post → claim → confirm cycle (library: 3 transactions; raw: 1)",
                   n / lib, n / base, "cycles/s", "≥ 0.1")]
