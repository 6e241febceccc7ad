"""Writing and reading the books: entries, postings, stored balances, holds, the chain.

Every function takes an open connection inside a write transaction (``Store.write``).
Balances move by guarded updates so two concurrent debits can never both pass, and the
chain head on the community row is taken last (see the lock order in ``tables``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain.ledger import (
    UNITS,
    Balance,
    Entry,
    EntryKind,
    Posting,
    SystemAccount,
    balanced,
)
from timebank.errors import (
    AlreadyReversed,
    InsufficientPoints,
    InvalidState,
    UnknownCommunity,
    UnknownEntry,
    UnknownMember,
)
from timebank.store.fast import Statement, json_text
from timebank.store.tables import accounts, communities, entries, holds, members, postings
from timebank.timeutil import utc_naive, utcnow


@attrs.frozen
class CommunityRef:
    id: int
    code: str
    timezone: str
    settings: Mapping[str, Any]


@attrs.frozen
class Posted:
    """What ``post`` wrote: the entry and each account's posted balance after it."""

    entry_id: int
    seq: int
    balances: Mapping[int, int]
    held: Mapping[int, int] = attrs.field(factory=dict)  # each account's held, after


# -- look-ups ------------------------------------------------------------------------------


_COMMUNITY = sa.select(communities.c.id, communities.c.code, communities.c.timezone,
                       communities.c.settings).where(communities.c.code == sa.bindparam("p_code"))


def community(conn: Connection, code: str) -> CommunityRef:
    row = conn.execute(_COMMUNITY, {"p_code": code}).first()
    if row is None:
        raise UnknownCommunity(f"unknown community {code!r}", field="community")
    return CommunityRef(row.id, row.code, row.timezone, row.settings)


def member_id(conn: Connection, community_id: int, code: str) -> int:
    found = conn.execute(
        sa.select(members.c.id).where(members.c.community_id == community_id,
                                      members.c.code == code)
    ).scalar()
    if found is None:
        raise UnknownMember(f"unknown member {code!r}", field="member")
    return found


_MEMBER_ACCOUNT = Statement(
    sa.select(members.c.id, accounts.c.id.label("account_id"))
    .select_from(members.outerjoin(accounts, sa.and_(accounts.c.member_id == members.c.id,
                                                     accounts.c.unit == sa.bindparam("p_unit"))))
    .where(members.c.community_id == sa.bindparam("p_community"),
           members.c.code == sa.bindparam("p_code")))


def member_ids(conn: Connection, community_id: int, codes: Iterable[str]) -> dict[str, int]:
    """Member ids by code; an unknown code raises ``UnknownMember`` naming it."""
    wanted = sorted(set(codes))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 10_000):
        found.update(conn.execute(
            sa.select(members.c.code, members.c.id)
            .where(members.c.community_id == community_id,
                   members.c.code.in_(wanted[start:start + 10_000]))).all())
    missing = [code for code in wanted if code not in found]
    if missing:
        raise UnknownMember(f"unknown member {missing[0]!r}"
                            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""),
                            field="member", code=missing[0])
    return found


def member_account(conn: Connection, community_id: int, member_code: str, unit: str) -> int:
    """The member's account in ``unit``, opened on first use."""
    row = _MEMBER_ACCOUNT.one(conn, {"p_unit": unit, "p_community": community_id,
                                     "p_code": member_code})
    if row is None:
        raise UnknownMember(f"unknown member {member_code!r}", field="member")
    found_member, account_id = row
    if account_id is not None:
        return int(account_id)
    return open_member_accounts(conn, community_id, [found_member], unit)[found_member]


def open_member_accounts(conn: Connection, community_id: int, member_ids: Sequence[int],
                         unit: str) -> dict[int, int]:
    """Account ids for ``member_ids`` in ``unit``, opening the missing ones in bulk."""
    from timebank.store.idempotency import insert_ignoring_conflicts

    found = _member_accounts(conn, member_ids, unit)
    missing = [m for m in dict.fromkeys(member_ids) if m not in found]
    if missing:
        conn.execute(insert_ignoring_conflicts(conn, accounts),
                     [{"community_id": community_id, "member_id": m, "unit": unit}
                      for m in missing])
        found.update(_member_accounts(conn, missing, unit))
    return found


def _member_accounts(conn: Connection, member_ids: Sequence[int], unit: str) -> dict[int, int]:
    found: dict[int, int] = {}
    ids = list(dict.fromkeys(member_ids))
    for start in range(0, len(ids), 10_000):
        chunk = ids[start:start + 10_000]
        found.update(conn.execute(
            sa.select(accounts.c.member_id, accounts.c.id)
            .where(accounts.c.member_id.in_(chunk), accounts.c.unit == unit)
        ).all())
    return found


_SYSTEM_ACCOUNT = Statement(sa.select(accounts.c.id).where(
    accounts.c.community_id == sa.bindparam("p_community"),
    accounts.c.system == sa.bindparam("p_system"), accounts.c.unit == sa.bindparam("p_unit")))


def system_account(conn: Connection, community_id: int, name: SystemAccount, unit: str) -> int:
    found = _SYSTEM_ACCOUNT.one(conn, {"p_community": community_id, "p_system": str(name),
                                       "p_unit": unit})
    if found is None:  # opened with the community; missing means the row was removed
        raise UnknownCommunity(f"community {community_id} has no {name} account in {unit}")
    return int(found[0])


def open_system_accounts(conn: Connection, community_id: int) -> None:
    conn.execute(accounts.insert(), [
        {"community_id": community_id, "system": str(name), "unit": unit}
        for name in SystemAccount for unit in UNITS])


# -- posting -------------------------------------------------------------------------------


# The hot path's statements: built once, run on the driver's cursor (see ``fast``).
_P = sa.bindparam
_DEBIT = Statement(
    accounts.update()
    .where(accounts.c.id == _P("p_id"),
           # posted - held >= need: two concurrent spends can never both pass.
           # The community's own accounts (issuance, ...) may go below zero.
           sa.or_(accounts.c.system.is_not(None),
                  accounts.c.posted - accounts.c.held >= _P("p_need")))
    .values(posted=accounts.c.posted - _P("p_need"),
            lifetime_earned=accounts.c.lifetime_earned + _P("p_earned"))
    .returning(accounts.c.posted, accounts.c.held))
_CREDIT = Statement(
    accounts.update().where(accounts.c.id == _P("p_id"))
    .values(posted=accounts.c.posted + _P("p_amount"),
            lifetime_earned=accounts.c.lifetime_earned + _P("p_earned"))
    .returning(accounts.c.posted, accounts.c.held))
_NEXT_SEQ = Statement(
    communities.update().where(communities.c.id == _P("p_id"))
    .values(entry_seq=communities.c.entry_seq + 1)
    .returning(communities.c.entry_seq, communities.c.head_hash))
_SET_HEAD = Statement(communities.update().where(communities.c.id == _P("p_id"))
                      .values(head_hash=_P("p_hash")))
_ENTRY_COLUMNS = ("community_id", "seq", "kind", "reason", "actor", "occurred_at",
                  "recorded_at", "reverses_id", "meta", "hash")
_INSERT_ENTRY = Statement(entries.insert().values(
    {c: _P(f"p_{c}") for c in _ENTRY_COLUMNS}).returning(entries.c.id))
_INSERT_POSTING = Statement(postings.insert().values(
    {c: _P(f"p_{c}") for c in ("entry_id", "account_id", "amount", "balance_after")}))


def post(conn: Connection, comm: CommunityRef, kind: EntryKind, legs: Iterable[Posting], *,
         reason: str, actor: str, occurred_at: datetime | None = None,
         meta: Mapping[str, Any] | None = None, reverses: int | None = None,
         earning: int = 0) -> Posted:
    """Write one balanced entry, move the stored balances, and extend the chain.

    ``earning`` is +1 when member credits count as earned (awards), -1 when the entry
    takes earned points back (the reversal of an award), else 0.
    """
    legs = balanced(legs)
    per_account: dict[int, int] = defaultdict(int)
    for leg in legs:
        per_account[leg.account_id] += leg.amount
    after: dict[int, int] = {}
    held: dict[int, int] = {}
    for account_id in sorted(per_account):  # fixed lock order: accounts by id
        amount = per_account[account_id]
        if amount < 0:
            row = _DEBIT.one(conn, {"p_id": account_id, "p_need": -amount,
                                    "p_earned": amount if earning < 0 else 0})
            if row is None:
                _refuse(conn, account_id, -amount)
        else:
            row = _CREDIT.one(conn, {"p_id": account_id, "p_amount": amount,
                                     "p_earned": amount if earning > 0 else 0})
        assert row is not None
        after[account_id], held[account_id] = row

    now = utcnow()
    occurred = utc_naive(occurred_at) if occurred_at is not None else now
    head = _NEXT_SEQ.one(conn, {"p_id": comm.id})
    assert head is not None
    seq, prev_hash = head
    entry = Entry(comm.code, seq, str(kind), legs, reason, actor, occurred, now, reverses,
                  dict(meta or {}))
    digest = entry.digest(prev_hash)
    try:
        entry_id = _INSERT_ENTRY.one(conn, {
            "p_community_id": comm.id, "p_seq": seq, "p_kind": str(kind), "p_reason": reason,
            "p_actor": actor, "p_occurred_at": occurred, "p_recorded_at": now,
            "p_reverses_id": reverses, "p_meta": json_text(entry.meta),
            "p_hash": digest})[0]  # type: ignore[index]
    except conn.dialect.dbapi.IntegrityError as exc:  # type: ignore[union-attr]
        if reverses is not None:
            raise AlreadyReversed(f"entry {reverses} is already reversed") from exc
        raise
    _INSERT_POSTING.many(conn, _posting_rows(entry_id, legs, after))
    _SET_HEAD.run(conn, {"p_id": comm.id, "p_hash": digest})
    return Posted(entry_id, seq, after, held)


def _refuse(conn: Connection, account_id: int, needed: int) -> None:
    """Raise ``InsufficientPoints`` for a member account that cannot give ``needed``."""
    row = conn.execute(
        sa.select(accounts.c.posted, accounts.c.held, accounts.c.unit, members.c.code)
        .join(members, members.c.id == accounts.c.member_id)
        .where(accounts.c.id == account_id)).one()
    available = row.posted - row.held
    raise InsufficientPoints(
        f"member {row.code!r} has {available} {row.unit} available, {needed} needed",
        field="amount", available=available, needed=needed)


def _posting_rows(entry_id: int, legs: Sequence[Posting],
                  after: Mapping[int, int]) -> list[dict[str, int]]:
    """Rows with each leg's running balance, ending at the account's stored balance."""
    remaining: defaultdict[int, int] = defaultdict(int)
    for leg in legs:
        remaining[leg.account_id] += leg.amount
    rows = []
    for leg in legs:
        remaining[leg.account_id] -= leg.amount
        rows.append({"p_entry_id": entry_id, "p_account_id": leg.account_id,
                     "p_amount": leg.amount,
                     "p_balance_after": after[leg.account_id] - remaining[leg.account_id]})
    return rows


# -- reversals -----------------------------------------------------------------------------


@attrs.frozen
class StoredEntry:
    id: int
    seq: int
    kind: str
    reverses: int | None
    reversed_by: int | None
    legs: tuple[Posting, ...]
    meta: Mapping[str, Any]


def load_entry(conn: Connection, comm: CommunityRef, entry_id: int) -> StoredEntry:
    row = conn.execute(
        sa.select(entries.c.id, entries.c.seq, entries.c.kind, entries.c.reverses_id,
                  entries.c.meta)
        .where(entries.c.id == entry_id, entries.c.community_id == comm.id)).first()
    if row is None:
        raise UnknownEntry(f"unknown entry {entry_id}", field="entry")
    legs = conn.execute(
        sa.select(postings.c.account_id, accounts.c.unit, postings.c.amount)
        .join(accounts, accounts.c.id == postings.c.account_id)
        .where(postings.c.entry_id == entry_id).order_by(postings.c.id)).all()
    reversed_by = conn.execute(
        sa.select(entries.c.id).where(entries.c.reverses_id == entry_id)).scalar()
    return StoredEntry(row.id, row.seq, row.kind, row.reverses_id, reversed_by,
                       tuple(Posting(a, u, n) for a, u, n in legs), row.meta)


# -- holds ---------------------------------------------------------------------------------


def place_hold(conn: Connection, comm: CommunityRef, account_id: int, amount: int,
               reason: str) -> tuple[int, int]:
    """Reserve ``amount``: returns (hold id, available after)."""
    row = conn.execute(
        accounts.update()
        .where(accounts.c.id == account_id, accounts.c.posted - accounts.c.held >= amount)
        .values(held=accounts.c.held + amount)
        .returning(accounts.c.posted, accounts.c.held)).first()
    if row is None:
        _refuse(conn, account_id, amount)
    assert row is not None
    hold_id = conn.execute(holds.insert().values(
        community_id=comm.id, account_id=account_id, amount=amount, status="held",
        reason=reason, created_at=utcnow()).returning(holds.c.id)).scalar_one()
    return hold_id, row.posted - row.held


def resolve_hold(conn: Connection, comm: CommunityRef, hold_id: int,
                 status: str) -> tuple[int, int]:
    """Mark a held hold ``captured`` or ``released`` exactly once and free its amount.

    Returns (account id, amount). The state change is a guarded update, so of two
    racing resolutions only one finds the hold still ``held``.
    """
    row = conn.execute(
        holds.update()
        .where(holds.c.id == hold_id, holds.c.community_id == comm.id,
               holds.c.status == "held")
        .values(status=status, resolved_at=utcnow())
        .returning(holds.c.account_id, holds.c.amount)).first()
    if row is None:
        current = conn.execute(sa.select(holds.c.status).where(
            holds.c.id == hold_id, holds.c.community_id == comm.id)).scalar()
        if current is None:
            raise UnknownEntry(f"unknown hold {hold_id}", field="hold")
        raise InvalidState(f"hold {hold_id} is already {current}", state=current)
    conn.execute(accounts.update().where(accounts.c.id == row.account_id)
                 .values(held=accounts.c.held - row.amount))
    return int(row.account_id), int(row.amount)


def link_hold(conn: Connection, hold_id: int, entry_id: int) -> None:
    conn.execute(holds.update().where(holds.c.id == hold_id).values(entry_id=entry_id))


# -- reads ---------------------------------------------------------------------------------


def member_codes(conn: Connection, account_ids: Sequence[int]) -> dict[int, str]:
    """Member codes of those ``account_ids`` that belong to members."""
    return dict(conn.execute(
        sa.select(accounts.c.id, members.c.code)
        .join(members, members.c.id == accounts.c.member_id)
        .where(accounts.c.id.in_(list(account_ids)))).all())


def account_unit(conn: Connection, account_id: int) -> str:
    return str(conn.execute(
        sa.select(accounts.c.unit).where(accounts.c.id == account_id)).scalar_one())


@attrs.frozen
class AccountBalance:
    member: str | None
    unit: str
    posted: int
    held: int
    lifetime_earned: int


def account_balance(conn: Connection, account_id: int) -> AccountBalance:
    row = conn.execute(
        sa.select(members.c.code, accounts.c.unit, accounts.c.posted, accounts.c.held,
                  accounts.c.lifetime_earned)
        .select_from(accounts.outerjoin(members, members.c.id == accounts.c.member_id))
        .where(accounts.c.id == account_id)).one()
    return AccountBalance(*row)


_MEMBER_BALANCES = Statement(
    sa.select(members.c.id, accounts.c.unit, accounts.c.posted, accounts.c.held,
              accounts.c.lifetime_earned)
    .select_from(members.outerjoin(accounts, accounts.c.member_id == members.c.id))
    .where(members.c.community_id == sa.bindparam("p_community"),
           members.c.code == sa.bindparam("p_code")))


def member_balances(conn: Connection, community_id: int, member_code: str) -> dict[str, Balance]:
    """Stored balances per unit: one indexed read, whatever the history's length."""
    rows = _MEMBER_BALANCES.all(conn, {"p_community": community_id, "p_code": member_code})
    if not rows:
        raise UnknownMember(f"unknown member {member_code!r}", field="member")
    return {unit: Balance(posted, held, earned)
            for _, unit, posted, held, earned in rows if unit}
