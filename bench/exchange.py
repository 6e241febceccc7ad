"""Exchange benchmark (issue 14): post → claim → confirm cycles per second through the
library, against plain sqlite3/psycopg writing the same rows in the same database, in the
same run.

Post, claim and confirm are separate acts of separate callers (the requester, the
volunteer, the requester again), so the library runs three transactions a cycle. The
goal's comparator does the same: three raw transactions, each claiming its idempotency
key, reading what the act must decide on (the member by code; the locked request and its
claims) and writing the act's rows (hold, request, claim, events, the payment entry with
its postings, balances and chain head, the hold's capture and link, the stored answers).
A second figure, for reference only, is the whole cycle as one raw transaction of blind
writes: no such transaction exists in the product, so it sets no goal.
"""

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
    _setup(tb, "hubraw1")
    raw = raw_connection(url)
    try:
        per_act = n / timed(lambda: _raw(raw, "hubraw", n, acts=True))
        one_tx = n / timed(lambda: _raw(raw, "hubraw1", n, acts=False))
    finally:
        raw.close()
    return [
        figure("post → claim → confirm cycle (3 transactions each: library and raw)",
               n / lib, per_act, "cycles/s", "≥ 0.25"),
        figure("the same cycle, raw as 1 transaction of blind writes (reference only)",
               n / lib, one_tx, "cycles/s", "—"),
    ]


_SQL = {
    "idem": "INSERT INTO idempotency_keys (community_id, key, request, created_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
    "response": "UPDATE idempotency_keys SET response = ? WHERE id = ?",
    "member": "SELECT m.id, a.id FROM members m LEFT JOIN accounts a ON a.member_id = m.id "
              "AND a.unit = 'minutes' WHERE m.community_id = ? AND m.code = ?",
    "lock": "SELECT status, max_volunteers, hold_id, payer_account_id FROM exchange_requests "
            "WHERE id = ? AND community_id = ?",
    "claims": "SELECT c.member_id, a.id FROM exchange_claims c JOIN accounts a "
              "ON a.member_id = c.member_id AND a.unit = 'minutes' "
              "WHERE c.request_id = ? AND c.status = 'active' ORDER BY c.id",
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
    "link": "UPDATE holds SET entry_id = ? WHERE id = ?",
    "done": "UPDATE exchange_requests SET status = 'done', minutes_paid = ?, "
            "entry_id = ?, resolved_at = ? WHERE id = ?",
}
NOW = "2026-01-01 00:00:00.000000"


def _raw(raw: Any, community: str, n: int, *, acts: bool) -> None:
    """``n`` cycles in ``community``: three transactions each (``acts``), or one."""
    cur = raw.cursor()
    q = {name: sql(raw, text) for name, text in _SQL.items()}
    if not is_sqlite(raw):
        q["lock"] += " FOR UPDATE"
    cur.execute(sql(raw, "SELECT id FROM communities WHERE code = ?"), (community,))
    cid = cur.fetchone()[0]
    ids = {}
    for i in range(MEMBERS):
        cur.execute(q["member"], (cid, f"m{i}"))
        ids[f"m{i}"] = cur.fetchone()
    if not is_sqlite(raw):
        raw.commit()

    def commit() -> None:
        raw.commit() if not is_sqlite(raw) else raw.execute("COMMIT")

    def key(name: str) -> int:
        cur.execute(q["idem"], (cid, name, '{"op":"exchange"}', NOW))
        return int(cur.fetchone()[0])

    def answer(idem: int, request: int) -> None:
        cur.execute(q["response"], (json.dumps({"id": request}), idem))

    def post(i: int, who: str) -> tuple[int, int, int]:
        idem = key(f"p{i}")
        if acts:
            cur.execute(q["member"], (cid, who))
            member, payer = cur.fetchone()
        else:
            member, payer = ids[who]
        cur.execute(q["hold"], (60, payer, 60))
        cur.fetchone()
        cur.execute(q["hold_row"], (cid, payer, 60, NOW))
        hold = cur.fetchone()[0]
        cur.execute(q["request"], (cid, member, payer, hold, NOW))
        request = cur.fetchone()[0]
        cur.execute(q["event"], (request, "posted", member, NOW))
        answer(idem, request)
        return request, hold, payer

    def claim(i: int, request: int, helper: str) -> None:
        idem = key(f"c{i}")
        if acts:
            cur.execute(q["lock"], (request, cid))
            cur.fetchone()
            cur.execute(q["claims"], (request,))
            cur.fetchall()
            cur.execute(q["member"], (cid, helper))
            member = cur.fetchone()[0]
        else:
            member = ids[helper][0]
        cur.execute(q["claim"], (request, member, NOW))
        cur.execute(q["status"], ("claimed", request))
        cur.execute(q["event"], (request, "claimed", member, NOW))
        answer(idem, request)

    def confirm(i: int, request: int, hold: int, payer: int, payee: int) -> None:
        idem = key(f"f{i}")
        if acts:
            cur.execute(q["lock"], (request, cid))
            _, _, hold, payer = cur.fetchone()
            cur.execute(q["claims"], (request,))
            ((_, payee),) = cur.fetchall()
        cur.execute(q["resolve"], (NOW, hold))
        cur.fetchone()
        cur.execute(q["free"], (60, payer))
        cur.execute(q["debit"], (45, payer, 45))
        after = cur.fetchone()[0]
        cur.execute(q["credit"], (45, payee))
        got = cur.fetchone()[0]
        cur.execute(q["seq"], (cid,))
        seq, _ = cur.fetchone()
        cur.execute(q["entry"], (cid, seq, NOW, NOW, json.dumps({"request": request}),
                                 GENESIS_HASH))
        entry = cur.fetchone()[0]
        cur.executemany(q["posting"], [(entry, payer, -45, after), (entry, payee, 45, got)])
        cur.execute(q["head"], (GENESIS_HASH, cid))
        cur.execute(q["link"], (entry, hold))
        cur.execute(q["done"], (45, entry, NOW, request))
        cur.execute(q["event"], (request, "confirmed", None, NOW))
        answer(idem, request)

    for i in range(n):
        who, helper = f"m{i % MEMBERS}", f"m{(i + 1) % MEMBERS}"
        begin(raw)
        request, hold, payer = post(i, who)
        if acts:
            commit()
            begin(raw)
        claim(i, request, helper)
        if acts:
            commit()
            begin(raw)
        confirm(i, request, hold, payer, ids[helper][1])
        commit()
    cur.close()
