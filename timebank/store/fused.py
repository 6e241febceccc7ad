"""PostgreSQL: one idempotent entry over named accounts in two statements.

A single award, spend or transfer on the general path is a dozen statements, each a
network round trip on PostgreSQL (BEGIN, the key's claim, two account look-ups, two
guarded updates, the chain sequence, the entry, the postings, the chain head, the
response). Here the same rows are written by two statements, with the transaction's
BEGIN sent in the same network packet as the first:

1. ``_TAKE`` resolves each leg's account (a member by code, the community's own account
   by name), claims the idempotency key, locks the accounts in id order (the lock
   order), moves their stored balances with the same guard as ``posting._DEBIT``
   (``posted − held ≥ n`` for a member's debit), and only when every account moved
   draws the entry's id. Each step is conditional on the one before, so a missing
   account or a replayed key writes nothing at all. It does not touch the community row;
2. ``_WRITE``, the last statement before COMMIT, is the chain step with the rows that
   name it: it takes the community's next sequence number and sets the new chain head
   (the community row is locked here, last, and held only until the commit), inserts
   the entry with that number and link, its postings, and the key's stored answer. The
   link is ``Entry.digest`` computed by the server: this process sends the entry's
   canonical JSON as the text before and after the sequence number, and checks after
   the statement that the text with the number assigned is its own.

A writer that dies between the two statements (or anywhere before COMMIT) leaves
nothing: its moves, claim and entry id go with the transaction, and a drawn id is only
a gap in the ids, never in the chain (sequence numbers are given in the chain step
itself). Every committed entry is in the chain, so ``verify`` covers each one.

The path declines (returns None, having written nothing) when the key is already used
(a replay or a conflict: the general path answers it exactly as before), when a
member is unknown or has no account in the unit yet (the general path raises or opens
it), or when the community has a policy the entry must pass first (``unless_setting``:
the ``transfers`` settings with their storage cap and yearly maximum). A refused debit
raises ``InsufficientPoints`` through ``posting.refuse``, the same error with the same
fields; the transaction then rolls back, claim included. A redemption at the desk takes
the same two steps in ``fused_redeem``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
from psycopg import pq
from sqlalchemy.engine import Connection

from timebank.domain.ledger import Entry, EntryKind, Posting, balanced
from timebank.store.fast import json_text
from timebank.store.posting import Posted, refuse, with_owners
from timebank.timeutil import utc_naive, utcnow

T = TypeVar("T")

# Set on a pooled connection whose driver was switched to autocommit so that BEGIN could
# travel with the first statement; ``db.create_engine`` switches it back at check-in.
AUTOCOMMIT_FLAG = "timebank_begin_in_pipeline"


@attrs.frozen
class Side:
    """One leg of an entry named by its owner: a member by code, or a system account."""

    amount: int
    unit: str
    member: str | None = None
    system: str | None = None
    # Earned points this leg adds to the account's lifetime total (awards).
    earned: int = 0


@attrs.frozen
class NamedEntry:
    kind: EntryKind | str
    sides: Sequence[Side]
    reason: str = ""
    actor: str = "system"
    occurred_at: Any = None
    meta: Mapping[str, Any] = attrs.field(factory=dict)
    # A key of the community's settings naming a policy the general path applies (the
    # storage cap and yearly maximum of ``transfers``): when present, the path declines.
    unless_setting: str | None = None


_TAKE = """
WITH legs AS (
    SELECT l.ord, l.member, l.system, l.unit, l.amount, l.earned
    FROM unnest(%(members)s::text[], %(systems)s::text[], %(units)s::text[],
                %(amounts)s::bigint[], %(earned)s::bigint[])
         WITH ORDINALITY AS l(member, system, unit, amount, earned, ord)
), found AS (
    SELECT legs.ord, legs.amount, legs.earned,
           CASE WHEN legs.member IS NOT NULL THEN
               (SELECT a.id FROM members m
                JOIN accounts a ON a.member_id = m.id AND a.unit = legs.unit
                WHERE m.community_id = %(c)s AND m.code = legs.member)
           ELSE
               (SELECT a.id FROM accounts a
                WHERE a.community_id = %(c)s AND a.system = legs.system
                  AND a.unit = legs.unit)
           END AS account_id
    FROM legs
), delta AS (
    SELECT account_id AS id, sum(amount) AS amount, sum(earned) AS earned
    FROM found GROUP BY account_id
), claim AS (
    INSERT INTO idempotency_keys (community_id, key, request, created_at)
    SELECT %(c)s, %(key)s, %(request)s, %(now)s
    WHERE NOT EXISTS (SELECT 1 FROM found WHERE account_id IS NULL)
      AND NOT EXISTS (SELECT 1 FROM communities
                      WHERE id = %(c)s AND settings -> %(setting)s::text IS NOT NULL)
    ON CONFLICT (community_id, key) DO NOTHING
    RETURNING id
), locked AS MATERIALIZED (
    SELECT a.id FROM accounts a
    WHERE a.id = ANY (ARRAY(SELECT id FROM delta)) AND EXISTS (SELECT 1 FROM claim)
    ORDER BY a.id FOR UPDATE
), moved AS (
    UPDATE accounts a
    SET posted = a.posted + d.amount, lifetime_earned = a.lifetime_earned + d.earned
    FROM delta d
    WHERE a.id = d.id AND a.id = ANY (ARRAY(SELECT id FROM locked))
      AND (d.amount >= 0 OR a.system IS NOT NULL OR a.posted - a.held >= -d.amount)
    RETURNING a.id, a.posted, a.held
), fresh AS (
    SELECT nextval(pg_get_serial_sequence('entries', 'id')) AS id
    WHERE EXISTS (SELECT 1 FROM claim)
      AND (SELECT count(*) FROM moved) = (SELECT count(*) FROM delta)
)
SELECT 'c', id, NULL::bigint, NULL::bigint FROM claim
UNION ALL SELECT 'e', id, NULL, NULL FROM fresh
UNION ALL SELECT 'm', id, posted, held FROM moved
UNION ALL SELECT 'f', ord, account_id, NULL FROM found
"""


def chain_step(when: str = "TRUE") -> str:
    """The chain step as the CTEs ``head``, ``entry`` and ``legs``, taken when the SQL
    condition ``when`` holds.

    It comes last, in the statement before COMMIT: the community row (the one
    per-community hot row) is held from here to the commit only. The entry's link is
    ``Entry.digest`` computed by the server: SHA-256 over the previous head and the
    entry's canonical JSON, sent as the text before and after its sequence number
    (``before``, ``after_seq``); the entry (``id``, ``kind``, ``reason``, ``actor``,
    ``occurred``, ``now``, ``meta``) and its legs (``accounts``, ``amounts``, ``after``)
    are written with the sequence number the head gave.
    """
    return f"""head AS (
    UPDATE communities
    SET entry_seq = entry_seq + 1,
        head_hash = encode(sha256(convert_to(
            head_hash || %(before)s || (entry_seq + 1)::text || %(after_seq)s, 'UTF8')), 'hex')
    WHERE id = %(c)s AND {when}
    RETURNING entry_seq, head_hash
), entry AS (
    INSERT INTO entries (id, community_id, seq, kind, reason, actor, occurred_at,
                         recorded_at, reverses_id, meta, hash)
    SELECT %(id)s, %(c)s, head.entry_seq, %(kind)s, %(reason)s, %(actor)s, %(occurred)s,
           %(now)s, NULL, CAST(%(meta)s AS json), head.head_hash
    FROM head
), legs AS (
    INSERT INTO postings (entry_id, account_id, amount, balance_after)
    SELECT %(id)s, p.account_id, p.amount, p.balance_after
    FROM unnest(%(accounts)s::bigint[], %(amounts)s::bigint[], %(after)s::bigint[])
         WITH ORDINALITY AS p(account_id, amount, balance_after, ord)
    WHERE EXISTS (SELECT 1 FROM head) ORDER BY p.ord
)"""


_WRITE = "WITH " + chain_step() + """, answer AS (
    UPDATE idempotency_keys
    SET response = CAST(%(answer_before)s || (SELECT entry_seq FROM head)::text
                        || %(answer_after)s AS json)
    WHERE id = %(claim)s
)
SELECT entry_seq, head_hash FROM head
"""


def _first(conn: Connection, sql: str, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """Run ``sql`` on the driver's cursor. At the start of a transaction psycopg would
    send BEGIN as a round trip of its own; instead the connection is put in autocommit
    for the rest of this transaction and BEGIN goes out in one pipeline with ``sql``
    (switched back when the connection returns to the pool)."""
    fairy = conn.connection
    driver: Any = fairy.driver_connection
    cur = driver.cursor()
    try:
        if driver.pgconn.transaction_status == pq.TransactionStatus.IDLE:
            if not driver.autocommit:
                driver.autocommit = True
                fairy.info[AUTOCOMMIT_FLAG] = True
            with driver.pipeline():
                cur.execute("BEGIN")
                # Both statements are planned once per connection, not on every call
                # (their plans do not depend on the values: index probes by key).
                cur.execute("SET LOCAL plan_cache_mode = force_generic_plan")
                cur.execute(sql, params)
        else:
            cur.execute(sql, params)
        return list(cur.fetchall())
    finally:
        cur.close()


def _run(conn: Connection, sql: str, params: Mapping[str, Any]) -> tuple[Any, ...]:
    cur: Any = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(sql, params)
        return tuple(cur.fetchone())
    finally:
        cur.close()


# A sequence number no chain reaches, standing in for the one the chain step assigns.
_SEQ = 8_070_605_040_302_010


def _around(text: str, token: str) -> tuple[str, str]:
    """``text`` as the parts before and after the last ``token`` (the top-level one: a
    sequence field sorts after every nested value that could repeat it)."""
    before, found, after = text.rpartition(token)
    if not found:
        raise AssertionError(f"{token!r} not in {text[:200]!r}")
    return before + token[:-len(str(_SEQ))], after


def post_once(conn: Connection, community_id: int, community_code: str, key: str,
              request_text: str, named: NamedEntry,
              respond: Callable[[Posted, Mapping[int, str]], tuple[T, Any]]) -> T | None:
    """Post ``named`` once for ``key`` in two statements, or return None having written
    nothing (see the module). ``respond(posted, names)`` gives the caller's result and
    its stored JSON form; ``names`` maps the member accounts to their codes."""
    sides = list(named.sides)
    balanced([Posting(0, s.unit, s.amount) for s in sides])  # the same errors, first
    now = utcnow()
    rows = _first(conn, _TAKE, {
        "members": [s.member for s in sides], "systems": [s.system for s in sides],
        "units": [s.unit for s in sides], "amounts": [s.amount for s in sides],
        "earned": [s.earned for s in sides], "c": community_id, "key": key,
        "request": request_text, "now": now, "setting": named.unless_setting})
    claim = entry_id = None
    after: dict[int, int] = {}
    held: dict[int, int] = {}
    account_of: dict[int, int] = {}
    for tag, a, b, c in rows:
        if tag == "c":
            claim = int(a)
        elif tag == "e":
            entry_id = int(a)
        elif tag == "m":
            after[int(a)], held[int(a)] = int(b), int(c)
        elif b is not None:
            account_of[int(a) - 1] = int(b)
    if claim is None:
        return None  # a used key, an account to open, a member unknown, a policy: nothing written
    legs = [Posting(account_of[i], s.unit, s.amount) for i, s in enumerate(sides)]
    if entry_id is None:  # a guarded debit was refused: name the first, in the lock order
        delta: dict[int, int] = {}
        for leg in legs:
            delta[leg.account_id] = delta.get(leg.account_id, 0) + leg.amount
        for account_id in sorted(delta):
            if delta[account_id] < 0 and account_id not in after:
                refuse(conn, account_id, -delta[account_id])
        raise AssertionError("a refused debit that refuse() did not name")
    now = utcnow()
    occurred = utc_naive(named.occurred_at) if named.occurred_at is not None else now
    names = {account_of[i]: s.member for i, s in enumerate(sides) if s.member is not None}
    meta = with_owners(named.meta, names)  # as ``posting.post_many`` binds them
    entry = Entry(community_code, _SEQ, str(named.kind), tuple(legs), named.reason,
                  named.actor, occurred, now, None, meta)
    before, after_seq = _around(entry.digest_text(), f'"s":{_SEQ}')
    running = dict(after)
    for leg in legs:
        running[leg.account_id] -= leg.amount
    balance_after = []
    for leg in legs:
        running[leg.account_id] += leg.amount
        balance_after.append(running[leg.account_id])
    _, stored = respond(Posted(entry_id, _SEQ, after, held), names)
    answer_before, answer_after = _around(stored, f'"seq":{_SEQ}')
    seq, _head = _run(conn, _WRITE, {
        "id": entry_id, "c": community_id, "kind": str(named.kind),
        "reason": named.reason, "actor": named.actor, "occurred": occurred, "now": now,
        "meta": json_text(meta), "before": before, "after_seq": after_seq,
        "accounts": [leg.account_id for leg in legs], "amounts": [leg.amount for leg in legs],
        "after": balance_after, "answer_before": answer_before, "answer_after": answer_after,
        "claim": claim})
    result, stored = respond(Posted(entry_id, int(seq), after, held), names)
    # What the server hashed and stored is what this process would have written.
    if attrs.evolve(entry, seq=int(seq)).digest_text() != f"{before}{seq}{after_seq}" \
            or stored != f"{answer_before}{seq}{answer_after}":
        raise AssertionError(f"entry {entry_id}: the chain step's text differs")
    return result
