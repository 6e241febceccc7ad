"""The one posting path: entries, postings, stored balances and the hash chain.

``post_many`` writes any number of balanced entries in one go; posting one entry is
``post_many`` of one. For each batch it moves every account's stored balance once (in
account-id order: the lock order), takes the community's chain head once (last), hashes
the entries in sequence and writes the rows: prebuilt statements on the driver cursor
for a few rows, ``executemany``/``COPY`` for many.

A member account's debit is guarded (``posted − held ≥ n``), so two concurrent spends can
never both pass. The one exception is the reversal of an award (``NewEntry.overdraw``): it
always succeeds and may leave the member owing (available below zero); the guard then
refuses every spend, transfer, hold and capture until the points are earned back.
In a batch the guard applies to each account's net movement over the
batch; a batch is written by one use case, which posts credits only (awards, approvals)
or debits it has already checked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain.ledger import Entry, EntryKind, Posting, balanced
from timebank.errors import AlreadyReversed, InsufficientPoints
from timebank.i18n import T
from timebank.store.fast import Statement, insert_rows, json_text
from timebank.store.tables import accounts, communities, entries, members, postings
from timebank.timeutil import utc_naive, utcnow

# Up to this many rows go through prebuilt statements; more through executemany/COPY.
SMALL = 64


@attrs.frozen
class NewEntry:
    """An entry to post. ``earning`` is +1 when member credits count as earned (awards),
    -1 when the entry takes earned points back (the reversal of an award), else 0."""

    kind: EntryKind | str
    legs: Sequence[Posting]
    reason: str = ""
    actor: str = "system"
    occurred_at: datetime | None = None
    meta: Mapping[str, Any] = attrs.field(factory=dict)
    reverses: int | None = None
    earning: int = 0
    # Only the reversal of an award sets it: a member's debit by this entry is unguarded,
    # so invented points already spent are still taken back (the balance shows as owed).
    overdraw: bool = False


@attrs.frozen
class Posted:
    """What was written for one entry: its id and sequence, and each touched account's
    posted balance (and held) after the whole batch."""

    entry_id: int
    seq: int
    balances: Mapping[int, int]
    held: Mapping[int, int] = attrs.field(factory=dict)


_P = sa.bindparam
_DEBIT = Statement(
    accounts.update()
    .where(accounts.c.id == _P("p_id"),
           # The community's own accounts (issuance, ...) may go below zero.
           sa.or_(accounts.c.system.is_not(None),
                  accounts.c.posted - accounts.c.held >= _P("p_need")))
    .values(posted=accounts.c.posted - _P("p_need"),
            lifetime_earned=accounts.c.lifetime_earned + _P("p_earned"))
    .returning(accounts.c.posted, accounts.c.held))
# The reversal of an award: the member's balance may go below zero (owed), nothing else.
_DEBIT_ANY = Statement(
    accounts.update().where(accounts.c.id == _P("p_id"))
    .values(posted=accounts.c.posted - _P("p_need"),
            lifetime_earned=accounts.c.lifetime_earned + _P("p_earned"))
    .returning(accounts.c.posted, accounts.c.held))
_CREDIT = Statement(
    accounts.update().where(accounts.c.id == _P("p_id"))
    .values(posted=accounts.c.posted + _P("p_amount"),
            lifetime_earned=accounts.c.lifetime_earned + _P("p_earned"))
    .returning(accounts.c.posted, accounts.c.held))
_CREDIT_MANY = Statement(
    accounts.update().where(accounts.c.id == _P("p_id"))
    .values(posted=accounts.c.posted + _P("p_amount"),
            lifetime_earned=accounts.c.lifetime_earned + _P("p_earned")))
_NEXT_SEQ = Statement(
    communities.update().where(communities.c.id == _P("p_id"))
    .values(entry_seq=communities.c.entry_seq + _P("p_count"))
    .returning(communities.c.entry_seq, communities.c.head_hash))
_SET_HEAD = Statement(communities.update().where(communities.c.id == _P("p_id"))
                      .values(head_hash=_P("p_hash")))
_ENTRY_COLUMNS = ("community_id", "seq", "kind", "reason", "actor", "occurred_at",
                  "recorded_at", "reverses_id", "meta", "hash")
_INSERT_ENTRY = Statement(entries.insert().values(
    {c: _P(f"p_{c}") for c in _ENTRY_COLUMNS}).returning(entries.c.id))
_POSTING_COLUMNS = ("entry_id", "account_id", "amount", "balance_after")
_INSERT_POSTING = Statement(postings.insert().values(
    {c: _P(f"p_{c}") for c in _POSTING_COLUMNS}))
# Outer: a system account's guarded hold can be refused too (it has no member).
_REFUSAL = Statement(
    sa.select(accounts.c.posted, accounts.c.held, accounts.c.unit, members.c.code,
              accounts.c.system)
    .select_from(accounts.outerjoin(members, members.c.id == accounts.c.member_id))
    .where(accounts.c.id == _P("p_id")))


def post_many(conn: Connection, community_id: int, community_code: str,
              batch: Sequence[NewEntry]) -> list[Posted]:
    """Write ``batch`` in order: one sequence number and one chain link per entry."""
    if not batch:
        return []
    legs_of = [balanced(entry.legs) for entry in batch]
    delta: dict[int, int] = defaultdict(int)
    earned: dict[int, int] = defaultdict(int)
    overdraw: set[int] = set()
    for entry, legs in zip(batch, legs_of, strict=True):
        for leg in legs:
            delta[leg.account_id] += leg.amount
            if entry.overdraw and leg.amount < 0:
                overdraw.add(leg.account_id)
            if entry.earning and leg.amount * entry.earning > 0:
                earned[leg.account_id] += leg.amount
    after, held = _move_balances(conn, delta, earned, overdraw)
    owner = owners(conn, list(delta))

    count = len(batch)
    head = _NEXT_SEQ.one(conn, {"p_id": community_id, "p_count": count})
    assert head is not None
    last_seq, prev_hash = head
    now = utcnow()
    running = {acc: after[acc] - d for acc, d in delta.items()}
    rows: list[dict[str, Any]] = []
    posting_rows: list[list[tuple[int, int, int]]] = []
    for index, (entry, legs) in enumerate(zip(batch, legs_of, strict=True)):
        seq = last_seq - count + 1 + index
        occurred = utc_naive(entry.occurred_at) if entry.occurred_at is not None else now
        meta = with_owners(entry.meta, {leg.account_id: owner.get(leg.account_id)
                                        for leg in legs})
        prev_hash = Entry(community_code, seq, str(entry.kind), legs, entry.reason,
                          entry.actor, occurred, now, entry.reverses, meta).digest(prev_hash)
        rows.append({"community_id": community_id, "seq": seq, "kind": str(entry.kind),
                     "reason": entry.reason, "actor": entry.actor, "occurred_at": occurred,
                     "recorded_at": now, "reverses_id": entry.reverses, "meta": meta,
                     "hash": prev_hash})
        legs_rows = []
        for leg in legs:
            running[leg.account_id] += leg.amount
            legs_rows.append((leg.account_id, leg.amount, running[leg.account_id]))
        posting_rows.append(legs_rows)

    ids = _insert_entries(conn, rows, batch)
    flat = [{"entry_id": entry_id, "account_id": acc, "amount": amount, "balance_after": bal}
            for entry_id, legs_rows in zip(ids, posting_rows, strict=True)
            for acc, amount, bal in legs_rows]
    if len(flat) <= SMALL:
        _INSERT_POSTING.many(conn, [{f"p_{k}": v for k, v in row.items()} for row in flat])
    else:
        insert_rows(conn, postings, flat)
    _SET_HEAD.run(conn, {"p_id": community_id, "p_hash": prev_hash})
    return [Posted(entry_id, row["seq"], after, held) for entry_id, row in zip(ids, rows,
                                                                               strict=True)]


_OWNERS = (sa.select(accounts.c.id, members.c.code)
           .select_from(accounts.join(members, members.c.id == accounts.c.member_id))
           .where(accounts.c.id.in_(_P("p_ids", expanding=True))))


def owners(conn: Connection, account_ids: Sequence[int]) -> dict[int, str]:
    """The member code owning each of ``account_ids`` that a member owns."""
    found: dict[int, str] = {}
    for start in range(0, len(account_ids), 10_000):
        rows = conn.execute(_OWNERS, {"p_ids": list(account_ids[start:start + 10_000])})
        found.update((int(acc), str(code)) for acc, code in rows)
    return found


def with_owners(meta: Mapping[str, Any], owned: Mapping[int, str | None]) -> dict[str, Any]:
    """``meta`` with ``owners``: the member code owning each member account the entry
    posts to, by account id. It is hashed with the entry (``Entry.digest`` covers meta),
    so an account given to another member afterwards is named by ``verify``; entries
    written before it was added have no ``owners`` and keep their digests."""
    found = {str(acc): code for acc, code in sorted(owned.items()) if code is not None}
    return {**meta, "owners": found} if found else dict(meta)


def _move_balances(conn: Connection, delta: Mapping[int, int], earned: Mapping[int, int],
                   overdraw: set[int] | frozenset[int] = frozenset()
                   ) -> tuple[dict[int, int], dict[int, int]]:
    """Move each account once, in id order; return posted and held after. Accounts in
    ``overdraw`` are debited unguarded (the reversal of an award)."""
    after: dict[int, int] = {}
    held: dict[int, int] = {}
    credits = []
    for account_id in sorted(delta):
        amount = delta[account_id]
        if amount < 0:
            debit = _DEBIT_ANY if account_id in overdraw else _DEBIT
            row = debit.one(conn, {"p_id": account_id, "p_need": -amount,
                                   "p_earned": earned.get(account_id, 0)})
            if row is None:
                refuse(conn, account_id, -amount)
            assert row is not None
            after[account_id], held[account_id] = row
        elif len(delta) <= SMALL:
            row = _CREDIT.one(conn, {"p_id": account_id, "p_amount": amount,
                                     "p_earned": earned.get(account_id, 0)})
            assert row is not None
            after[account_id], held[account_id] = row
        else:
            credits.append({"p_id": account_id, "p_amount": amount,
                            "p_earned": earned.get(account_id, 0)})
    if credits and conn.dialect.name == "postgresql":
        _credit_arrays(conn, credits, after, held)
    elif credits:
        _CREDIT_MANY.many(conn, credits)
        ids = [c["p_id"] for c in credits]
        for start in range(0, len(ids), 10_000):
            for acc, posted, on_hold in conn.execute(
                    sa.select(accounts.c.id, accounts.c.posted, accounts.c.held)
                    .where(accounts.c.id.in_(ids[start:start + 10_000]))):
                after[acc], held[acc] = posted, on_hold
    return after, held


# PostgreSQL: the many credits of a batch as two statements, not one per account. The rows
# are locked first in id order (the lock order), then moved from arrays in one UPDATE.
_LOCK_IDS = "SELECT id FROM accounts WHERE id = ANY(%s) ORDER BY id FOR UPDATE"
_CREDIT_ARRAYS = (
    "UPDATE accounts SET posted = accounts.posted + d.amount, "
    "lifetime_earned = accounts.lifetime_earned + d.earned "
    "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS d(id, amount, earned) "
    "WHERE accounts.id = d.id RETURNING accounts.id, accounts.posted, accounts.held")


def _credit_arrays(conn: Connection, credits: Sequence[Mapping[str, int]],
                   after: dict[int, int], held: dict[int, int]) -> None:
    ids = [c["p_id"] for c in credits]
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cur.execute(_LOCK_IDS, (ids,))
        cur.execute(_CREDIT_ARRAYS, (ids, [c["p_amount"] for c in credits],
                                     [c["p_earned"] for c in credits]))
        for acc, posted, on_hold in cur.fetchall():
            after[acc], held[acc] = posted, on_hold
    finally:
        cur.close()


def _insert_entries(conn: Connection, rows: list[dict[str, Any]],
                    batch: Sequence[NewEntry]) -> list[int]:
    if len(rows) == 1:
        row = rows[0]
        try:
            found = _INSERT_ENTRY.one(conn, {f"p_{c}": (json_text(row[c]) if c == "meta"
                                                        else row[c]) for c in _ENTRY_COLUMNS})
        except conn.dialect.dbapi.IntegrityError as exc:  # type: ignore[union-attr]
            # The unique index on ``reverses_id``: a racing reversal got there first.
            if batch[0].reverses is not None:
                raise AlreadyReversed(T("entry {entry} is already reversed",
                                        entry=batch[0].reverses)) from exc
            raise
        assert found is not None
        return [int(found[0])]
    ids = allocate_ids(conn, entries, len(rows))
    for entry_id, row in zip(ids, rows, strict=True):
        row["id"] = entry_id  # the rows are this module's own: no copy
    insert_rows(conn, entries, rows)
    return ids


def allocate_ids(conn: Connection, table: sa.Table, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table``, taken before inserting.

    PostgreSQL draws them from the column's sequence; SQLite (whose writer holds the
    database lock from BEGIN IMMEDIATE) continues after the largest id.
    """
    if count <= 0:
        return []
    if conn.dialect.name == "postgresql":
        return list(conn.execute(sa.text(
            "SELECT nextval(pg_get_serial_sequence(:t, 'id')) "
            "FROM generate_series(1, :n) ORDER BY 1"), {"t": table.name, "n": count}
        ).scalars())
    top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
    return list(range(top + 1, top + 1 + count))


def refuse(conn: Connection, account_id: int, needed: int) -> None:
    """Raise ``InsufficientPoints`` for an account (a member's, or a system account such
    as the donation pool, whose hold is guarded too) that cannot give ``needed``."""
    row = _REFUSAL.one(conn, {"p_id": account_id})
    assert row is not None
    posted, on_hold, unit, code, system = row
    available = posted - on_hold
    raise InsufficientPoints(
        T("member {member!r} has {available} {unit} available, {needed} needed",
          member=code, available=available, unit=unit, needed=needed) if code is not None
        else T("system account {account!r} has {available} {unit} available, {needed} needed",
               account=system, available=available, unit=unit, needed=needed),
        field="amount", available=available, needed=needed)
