"""timebank's and plain psycopg's side of ``make bench-peers`` (the project's own venv).

Plain psycopg writes the same rows as a timebank transfer into timebank's own tables,
the way a hand-written application would, one statement per row kind: the idempotency
key, the guarded debit, the credit, the chain sequence, the entry (with its SHA-256
link), the two postings in one INSERT, the chain head and the stored response, then
COMMIT. It has no look-ups (it keeps the account ids) and no Python layers: the limit.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import time
from collections.abc import Callable
from typing import Any

import psycopg
import sqlalchemy as sa

from timebank import Timebank

MEMBERS = 100  # in the bulk community
_SEED = 1_000_000_000


def driver_dsn(url: str) -> str:
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# -- the data both sides use: communities made through timebank's own API --------------


def setup(url: str) -> None:
    tb = Timebank(url)
    tb.init()
    try:
        for side in ("tb", "ps"):
            _community(tb, f"{side}-single", 2)
            _community(tb, f"{side}-one", 8)
            for p in range(4):
                _community(tb, f"{side}-four{p}", 2)
            _community(tb, f"{side}-bulk", MEMBERS, funded=False)
        _community(tb, "read", 1, funded=False)
    finally:
        tb.close()


def _community(tb: Timebank, code: str, members: int, funded: bool = True) -> None:
    tb.communities.create(code, code)
    for i in range(members):
        tb.members.add(code, f"m{i}", f"m{i}")
        if funded:
            tb.ledger.award(code, f"m{i}", _SEED, key=f"fund-{i}")
        else:
            tb.ledger.award(code, f"m{i}", 1, key=f"open-{i}")  # opens the account


def seed_read(url: str, legs: int) -> float:
    """``legs`` award entries (two postings each), one posting of each on member m0 of
    community ``read``, written by COPY (the history's length is what matters, and
    timebank's read never looks at it); the stored balance is set to match."""
    start = time.perf_counter()
    with psycopg.connect(driver_dsn(url)) as raw:
        community, accounts = _ids(raw, "read")
        target, source = accounts["m0"], accounts["issuance"]
        cur = raw.cursor()
        first = _next_ids(cur, legs)
        cur.execute("SELECT entry_seq FROM communities WHERE id = %s", (community,))
        seq0 = cur.fetchone()[0]  # type: ignore[index]
        with cur.copy("COPY entries (id, community_id, seq, kind, reason, actor, occurred_at, "
                      "recorded_at, meta, hash) FROM STDIN") as copy:
            for i in range(legs):
                copy.write_row((first + i, community, seq0 + i + 1, "award", "seed", "bench",
                                "2026-01-01", "2026-01-01", "{}", "0" * 64))
        with cur.copy("COPY postings (entry_id, account_id, amount, balance_after) "
                      "FROM STDIN") as copy:
            for i in range(legs):
                copy.write_row((first + i, source, -1, -i - 1))
                copy.write_row((first + i, target, 1, i + 2))
        cur.execute("UPDATE communities SET entry_seq = %s WHERE id = %s",
                    (seq0 + legs, community))
        cur.execute("UPDATE accounts SET posted = posted + %s WHERE id = %s", (legs, target))
        cur.execute("UPDATE accounts SET posted = posted - %s WHERE id = %s", (legs, source))
        raw.commit()
        raw.autocommit = True
        raw.execute("VACUUM ANALYZE postings")
        raw.execute("VACUUM ANALYZE entries")
    return time.perf_counter() - start


def _ids(raw: Any, code: str) -> tuple[int, dict[str, int]]:
    cur = raw.cursor()
    cur.execute("SELECT id FROM communities WHERE code = %s", (code,))
    community = cur.fetchone()[0]
    cur.execute("SELECT COALESCE(m.code, a.system), a.id FROM accounts a "
                "LEFT JOIN members m ON m.id = a.member_id "
                "WHERE a.community_id = %s AND a.unit = 'points'", (community,))
    return community, dict(cur.fetchall())


def _next_ids(cur: Any, n: int) -> int:
    cur.execute("SELECT setval(pg_get_serial_sequence('entries', 'id'), "
                "nextval(pg_get_serial_sequence('entries', 'id')) + %s) - %s + 1", (n, n))
    return int(cur.fetchone()[0])


# -- timebank ----------------------------------------------------------------------------


def tb_single(url: str, n: int, tag: str) -> float:
    tb = Timebank(url)
    try:
        tb.ledger.transfer("tb-single", "m0", "m1", 1, key=f"warm-{tag}")
        start = time.perf_counter()
        for i in range(n):
            tb.ledger.transfer("tb-single", "m0", "m1", 1, key=f"t-{tag}-{i}")
        return time.perf_counter() - start
    finally:
        tb.close()


def _tb_worker(url: str, community: str, pair: tuple[str, str], n: int, tag: str,
               barrier: Any, out: Any) -> None:
    tb = Timebank(url)
    sender, receiver = pair
    tb.ledger.transfer(community, sender, receiver, 1, key=f"warm-{tag}-{sender}")
    barrier.wait()
    start = time.monotonic()
    for i in range(n):
        tb.ledger.transfer(community, sender, receiver, 1, key=f"c-{tag}-{sender}-{i}")
    out.put((start, time.monotonic()))
    tb.close()


def tb_bulk(url: str, n: int, tag: str) -> float:
    tb = Timebank(url)
    try:
        awards = [{"member": f"m{i % MEMBERS}", "amount": 1 + i % 5, "key": f"b-{tag}-{i}"}
                  for i in range(n)]
        start = time.perf_counter()
        tb.ledger.award_many("tb-bulk", awards, reason="bulk award", actor="bench")
        return time.perf_counter() - start
    finally:
        tb.close()


def tb_read(url: str, k: int) -> float:
    tb = Timebank(url)
    try:
        tb.ledger.balance("read", "m0")
        start = time.perf_counter()
        for _ in range(k):
            tb.ledger.balance("read", "m0")
        return time.perf_counter() - start
    finally:
        tb.close()


# -- plain psycopg: the same rows --------------------------------------------------------

_IDEM = ("INSERT INTO idempotency_keys (community_id, key, request, created_at) "
         "VALUES (%s, %s, %s, now()) ON CONFLICT DO NOTHING RETURNING id")
_DEBIT = ("UPDATE accounts SET posted = posted - %s WHERE id = %s AND posted - held >= %s "
          "RETURNING posted")
_CREDIT = "UPDATE accounts SET posted = posted + %s WHERE id = %s RETURNING posted"
_SEQ = ("UPDATE communities SET entry_seq = entry_seq + 1 WHERE id = %s "
        "RETURNING entry_seq, head_hash")
_ENTRY = ("INSERT INTO entries (community_id, seq, kind, reason, actor, occurred_at, "
          "recorded_at, meta, hash) VALUES (%s, %s, 'transfer', '', 'system', now(), now(), "
          "'{}', %s) RETURNING id")
_POSTINGS = ("INSERT INTO postings (entry_id, account_id, amount, balance_after) "
             "VALUES (%s, %s, %s, %s), (%s, %s, %s, %s)")
_HEAD = "UPDATE communities SET head_hash = %s WHERE id = %s"
_RESPONSE = "UPDATE idempotency_keys SET response = %s WHERE id = %s"


def _ps_transfer(raw: Any, community: int, src: int, dst: int, key: str) -> None:
    cur = raw.cursor()
    request = json.dumps({"op": "transfer", "from": src, "to": dst, "amount": 1})
    cur.execute(_IDEM, (community, key, request))
    claim = cur.fetchone()[0]
    first, second = sorted((src, dst))  # the lock order: accounts by id
    moved = {}
    for acc in (first, second):
        if acc == src:
            cur.execute(_DEBIT, (1, acc, 1))
            row = cur.fetchone()
            if row is None:
                raise RuntimeError("insufficient")
        else:
            cur.execute(_CREDIT, (1, acc))
            row = cur.fetchone()
        moved[acc] = row[0]
    cur.execute(_SEQ, (community,))
    seq, prev = cur.fetchone()
    link = hashlib.sha256(f"{prev}{community}:{seq}:{src}:{dst}:1".encode()).hexdigest()
    cur.execute(_ENTRY, (community, seq, link))
    entry = cur.fetchone()[0]
    cur.execute(_POSTINGS, (entry, src, -1, moved[src], entry, dst, 1, moved[dst]))
    cur.execute(_HEAD, (link, community))
    cur.execute(_RESPONSE, (json.dumps({"entry_id": entry, "seq": seq}), claim))
    raw.commit()


def ps_single(url: str, n: int, tag: str) -> float:
    with psycopg.connect(driver_dsn(url)) as raw:
        community, accounts = _ids(raw, "ps-single")
        raw.commit()
        src, dst = accounts["m0"], accounts["m1"]
        _ps_transfer(raw, community, src, dst, f"warm-{tag}")
        start = time.perf_counter()
        for i in range(n):
            _ps_transfer(raw, community, src, dst, f"t-{tag}-{i}")
        return time.perf_counter() - start


def _ps_worker(url: str, code: str, pair: tuple[str, str], n: int, tag: str,
               barrier: Any, out: Any) -> None:
    with psycopg.connect(driver_dsn(url)) as raw:
        community, accounts = _ids(raw, code)
        raw.commit()
        src, dst = accounts[pair[0]], accounts[pair[1]]
        _ps_transfer(raw, community, src, dst, f"warm-{tag}-{pair[0]}")
        barrier.wait()
        start = time.monotonic()
        for i in range(n):
            _ps_transfer(raw, community, src, dst, f"c-{tag}-{pair[0]}-{i}")
        out.put((start, time.monotonic()))


def ps_bulk(url: str, n: int, tag: str) -> float:
    """The bulk rows by COPY (keys with their responses, entries with their links,
    postings), and each member's balance moved once from arrays."""
    with psycopg.connect(driver_dsn(url)) as raw:
        community, accounts = _ids(raw, "ps-bulk")
        raw.commit()
        source = accounts["issuance"]
        members = [accounts[f"m{i}"] for i in range(MEMBERS)]
        start = time.perf_counter()
        cur = raw.cursor()
        first = _next_ids(cur, n)
        amounts = [1 + i % 5 for i in range(n)]
        cur.execute("UPDATE communities SET entry_seq = entry_seq + %s WHERE id = %s "
                    "RETURNING entry_seq, head_hash", (n, community))
        last, prev = cur.fetchone()  # type: ignore[misc]
        totals: dict[int, int] = {}
        for i, amount in enumerate(amounts):
            totals[members[i % MEMBERS]] = totals.get(members[i % MEMBERS], 0) + amount
        cur.execute("SELECT id, posted FROM accounts WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                    (sorted([*totals, source]),))
        running = dict(cur.fetchall())
        with cur.copy("COPY idempotency_keys (community_id, key, request, response, "
                      "created_at) FROM STDIN") as copy:
            for i, amount in enumerate(amounts):
                copy.write_row((community, f"b-{tag}-{i}",
                                json.dumps({"op": "award", "member": i % MEMBERS,
                                            "amount": amount}),
                                json.dumps({"entry_id": first + i}), "2026-01-01"))
        entry_rows, posting_rows = [], []
        for i, amount in enumerate(amounts):
            seq = last - n + 1 + i
            member = members[i % MEMBERS]
            prev = hashlib.sha256(f"{prev}{community}:{seq}:{member}:{amount}".encode()
                                  ).hexdigest()
            entry_rows.append((first + i, community, seq, "award", "bulk award", "bench",
                               "2026-01-01", "2026-01-01", "{}", prev))
            running[source] -= amount
            running[member] += amount
            posting_rows.append((first + i, source, -amount, running[source]))
            posting_rows.append((first + i, member, amount, running[member]))
        with cur.copy("COPY entries (id, community_id, seq, kind, reason, actor, occurred_at, "
                      "recorded_at, meta, hash) FROM STDIN") as copy:
            for row in entry_rows:
                copy.write_row(row)
        with cur.copy("COPY postings (entry_id, account_id, amount, balance_after) "
                      "FROM STDIN") as copy:
            for row in posting_rows:
                copy.write_row(row)
        ids = sorted(totals)
        cur.execute("UPDATE accounts SET posted = accounts.posted + d.amount, "
                    "lifetime_earned = accounts.lifetime_earned + d.amount "
                    "FROM unnest(%s::bigint[], %s::bigint[]) AS d(id, amount) "
                    "WHERE accounts.id = d.id", (ids, [totals[i] for i in ids]))
        cur.execute("UPDATE accounts SET posted = posted - %s WHERE id = %s",
                    (sum(amounts), source))
        cur.execute("UPDATE communities SET head_hash = %s WHERE id = %s", (prev, community))
        raw.commit()
        return time.perf_counter() - start


def ps_read(url: str, k: int) -> float:
    """The same SELECT as timebank's balance read, autocommit: one round trip each."""
    with psycopg.connect(driver_dsn(url), autocommit=True) as raw:
        community, _ = _ids(raw, "read")
        cur = raw.cursor()
        q = ("SELECT a.unit, a.posted, a.held, a.lifetime_earned FROM members m "
             "JOIN accounts a ON a.member_id = m.id WHERE m.community_id = %s "
             "AND m.code = %s")
        cur.execute(q, (community, "m0"))
        cur.fetchall()
        start = time.perf_counter()
        for _ in range(k):
            cur.execute(q, (community, "m0"))
            cur.fetchall()
        return time.perf_counter() - start


# -- several processes at once ------------------------------------------------------------


def concurrent(side: str, url: str, group: str, procs: int, n: int, tag: str) -> float:
    """``procs`` processes at once, each moving between its own two members: in one
    community (``one``: members 2p and 2p+1) or each in its own (``four``)."""
    worker: Callable[..., None] = _tb_worker if side == "tb" else _ps_worker
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(procs), ctx.Queue()
    jobs = []
    for p in range(procs):
        if group == "one":
            code, pair = f"{side}-one", (f"m{2 * p}", f"m{2 * p + 1}")
        else:
            code, pair = f"{side}-four{p}", ("m0", "m1")
        jobs.append(ctx.Process(target=worker, args=(url, code, pair, n, tag, barrier, out)))
    for job in jobs:
        job.start()
    spans = [out.get() for _ in jobs]
    for job in jobs:
        job.join()
        if job.exitcode:
            raise RuntimeError(f"a {side} worker failed ({job.exitcode})")
    return max(e for _, e in spans) - min(s for s, _ in spans)
