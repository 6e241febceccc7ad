"""Bulk writes: many awards in one transaction with a handful of set-based statements.

``award_many`` writes what ``ledger.post`` would write for each award, one after the
other (the same entry rows, postings with running ``balance_after``, the same hash chain
and sequence numbers), but moves each account's stored balance once and inserts rows
with ``executemany``: no statement per award. Ids are allocated up front so postings can
name their entry without a round trip per row.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain.ledger import Entry, EntryKind, Posting, SystemAccount, check_amount
from timebank.store.fast import json_text
from timebank.store.idempotency import canonical, differing_field
from timebank.store.ledger import CommunityRef, system_account
from timebank.store.tables import accounts, communities, entries, idempotency_keys, postings
from timebank.timeutil import utc_naive, utcnow

CHUNK = 5000


@attrs.frozen
class Award:
    """One award: ``amount`` (positive) to member account ``account_id`` in ``unit``.
    ``key``/``request`` (optional) store an idempotency row whose replay answers
    ``response`` (default: the entry's id, sequence and kind)."""

    account_id: int
    amount: int
    unit: str = "points"
    reason: str = ""
    occurred_at: datetime | None = None
    meta: Mapping[str, Any] = attrs.field(factory=dict)
    key: str | None = None
    request: Mapping[str, Any] | None = None
    response: Mapping[str, Any] | None = None


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


def award_many(conn: Connection, comm: CommunityRef, awards: Sequence[Award], *,
               actor: str, kind: EntryKind = EntryKind.AWARD,
               source: SystemAccount = SystemAccount.ISSUANCE) -> list[int]:
    """Post one entry per award (``source`` → member, counted as earned), in order, and
    return their entry ids. Keys must be new (see ``claimed``): a reused key fails the
    transaction on the unique index rather than being replayed."""
    if not awards:
        return []
    for award in awards:
        check_amount(award.amount)
    sources = {unit: system_account(conn, comm.id, source, unit)
               for unit in sorted({a.unit for a in awards})}
    delta: dict[int, int] = defaultdict(int)
    for award in awards:
        delta[award.account_id] += award.amount
        delta[sources[award.unit]] -= award.amount
    earned = {a.account_id for a in awards}
    # Lock order: accounts by id, then the community row (chain head) last.
    conn.execute(
        accounts.update().where(accounts.c.id == sa.bindparam("aid"))
        .values(posted=accounts.c.posted + sa.bindparam("d"),
                lifetime_earned=accounts.c.lifetime_earned + sa.bindparam("e")),
        [{"aid": acc, "d": d, "e": d if acc in earned else 0}
         for acc, d in sorted(delta.items())])
    running = {acc: posted - delta[acc]
               for acc, posted in _posted(conn, list(delta)).items()}

    count = len(awards)
    last_seq, prev_hash = conn.execute(
        communities.update().where(communities.c.id == comm.id)
        .values(entry_seq=communities.c.entry_seq + count)
        .returning(communities.c.entry_seq, communities.c.head_hash)).one()
    entry_ids = allocate_ids(conn, entries, count)
    now = utcnow()
    entry_rows, posting_rows, key_rows = [], [], []
    for index, (award, entry_id) in enumerate(zip(awards, entry_ids, strict=True)):
        seq = last_seq - count + 1 + index
        src = sources[award.unit]
        legs = (Posting(src, award.unit, -award.amount),
                Posting(award.account_id, award.unit, award.amount))
        occurred = utc_naive(award.occurred_at) if award.occurred_at is not None else now
        meta = dict(award.meta)
        prev_hash = Entry(comm.code, seq, str(kind), legs, award.reason, actor, occurred,
                          now, None, meta).digest(prev_hash)
        entry_rows.append({"id": entry_id, "community_id": comm.id, "seq": seq,
                           "kind": str(kind), "reason": award.reason, "actor": actor,
                           "occurred_at": occurred, "recorded_at": now, "reverses_id": None,
                           "meta": meta, "hash": prev_hash})
        for leg in legs:
            running[leg.account_id] += leg.amount
            posting_rows.append({"entry_id": entry_id, "account_id": leg.account_id,
                                 "amount": leg.amount,
                                 "balance_after": running[leg.account_id]})
        if award.key is not None:
            response = award.response or {"entry_id": entry_id, "seq": seq,
                                          "kind": str(kind), "balances": {}}
            key_rows.append({"community_id": comm.id, "key": award.key,
                             "request": award.request or {}, "response": response,
                             "created_at": now})
    insert_rows(conn, entries, entry_rows)
    insert_rows(conn, postings, posting_rows)
    insert_rows(conn, idempotency_keys, key_rows)
    conn.execute(communities.update().where(communities.c.id == comm.id)
                 .values(head_hash=prev_hash))
    return entry_ids


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) on the driver's cursor: ``executemany``
    on SQLite, ``COPY`` on PostgreSQL (several times faster than a statement a row).

    SQLAlchemy's per-row parameter processing costs more than the database's own insert,
    so values are converted here by column type (JSON to text; on SQLite, dates and
    datetimes to the text SQLAlchemy itself writes, cached as they repeat) and handed to
    the driver as plain lists.
    """
    if not rows:
        return
    columns = tuple(rows[0])
    sqlite = conn.dialect.name == "sqlite"
    marks = ", ".join(["?" if sqlite else "%s"] * len(columns))
    names = ", ".join(f'"{c}"' for c in columns)
    statement = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
    convert = [(i, f) for i, c in enumerate(columns)
               if (f := _converter(table.c[c].type, sqlite)) is not None]
    cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for start in range(0, len(rows), 50_000):
        params = []
        for row in rows[start:start + 50_000]:
            values = [row[c] for c in columns]
            for i, f in convert:
                if values[i] is not None:
                    values[i] = f(values[i])
            params.append(values)
        if sqlite:
            cur.executemany(statement, params)
            continue
        with cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for values in params:
                copy.write_row(values)
    cur.close()


def _converter(kind: sa.types.TypeEngine[Any], sqlite: bool) -> Any:
    if isinstance(kind, sa.JSON):
        return _json
    if sqlite and isinstance(kind, sa.DateTime):
        return _cached(lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S.%f"))
    if sqlite and isinstance(kind, sa.Date):
        return _cached(date.isoformat)
    if sqlite and isinstance(kind, sa.Boolean):
        return int
    return None


# As ``json_text``, and dates as text (as ``idempotency.canonical`` stores them), so a
# request is stored in one pass rather than normalised first and encoded again.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


def _json(value: Any) -> str:
    if not value:  # most tags, notes and flags lists are empty
        return "[]" if isinstance(value, list | tuple) else json_text(value)
    return _ENCODE(value)


def _cached(fn: Any) -> Any:
    """``fn`` remembering its results: a bulk write repeats the same few days and its
    one ``now`` thousands of times (the same text SQLAlchemy's SQLite types write)."""
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        found = seen.get(value)
        if found is None:
            found = seen[value] = fn(value)
        return found
    return convert


def claimed(conn: Connection, community_id: int, requests: Mapping[str, Mapping[str, Any]]
            ) -> dict[str, dict[str, Any]]:
    """The stored responses of those ``requests`` (key → request) whose key is already
    used; raises ``IdempotencyConflict`` when a key was used for a different request."""
    from timebank.errors import IdempotencyConflict

    found: dict[str, dict[str, Any]] = {}
    keys = list(requests)
    for start in range(0, len(keys), CHUNK):
        rows = conn.execute(
            sa.select(idempotency_keys.c.key, idempotency_keys.c.request,
                      idempotency_keys.c.response)
            .where(idempotency_keys.c.community_id == community_id,
                   idempotency_keys.c.key.in_(keys[start:start + CHUNK]))).all()
        for key, request, response in rows:
            field = differing_field(request, canonical(requests[key]))
            if field is not None:
                raise IdempotencyConflict(
                    f"idempotency key {key!r} was first used with a different {field!r}",
                    field=field, key=key)
            found[key] = dict(response or {})
    return found


def _posted(conn: Connection, account_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted(account_ids)
    found: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        found.update(conn.execute(
            sa.select(accounts.c.id, accounts.c.posted)
            .where(accounts.c.id.in_(ids[start:start + CHUNK]))).all())
    return found
