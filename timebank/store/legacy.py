"""TEMPORARY: the old connection-passing API on top of the unit of work, so modules not
yet moved keep working while the seam lands. Deleted when the last caller is gone."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs
from sqlalchemy.engine import Connection

from timebank.domain.community import CommunityRef
from timebank.domain.ledger import Balance, EntryKind, Posting, SystemAccount, move
from timebank.store import idempotency
from timebank.store.fast import insert_rows  # noqa: F401
from timebank.store.idempotency import claimed  # noqa: F401
from timebank.store.ledger import AccountBalance, StoredEntry
from timebank.store.posting import NewEntry, Posted, allocate_ids  # noqa: F401
from timebank.store.uow import UnitOfWork


def _uow(conn: Connection, comm: CommunityRef | int) -> UnitOfWork:
    ref = comm if isinstance(comm, CommunityRef) else CommunityRef(comm, "", "UTC", {})
    uow = UnitOfWork(None, conn, ref.code or None)  # type: ignore[arg-type]
    uow.__dict__["community"] = ref
    return uow


def community(conn: Connection, code: str) -> CommunityRef:
    uow = UnitOfWork(None, conn, code)  # type: ignore[arg-type]
    return uow.communities.get(code)


def member_id(conn: Connection, community_id: int, code: str) -> int:
    return _uow(conn, community_id).members.id_of(code)


def member_ids(conn: Connection, community_id: int, codes: Iterable[str]) -> dict[str, int]:
    return _uow(conn, community_id).members.ids(codes)


def member_account(conn: Connection, community_id: int, code: str, unit: str) -> int:
    return _uow(conn, community_id).ledger.member_account(code, unit)


def open_member_accounts(conn: Connection, community_id: int, ids: Sequence[int],
                         unit: str) -> dict[int, int]:
    return _uow(conn, community_id).ledger.open_member_accounts(ids, unit)


def system_account(conn: Connection, community_id: int, name: SystemAccount, unit: str) -> int:
    return _uow(conn, community_id).ledger.system_account(name, unit)


def open_system_accounts(conn: Connection, community_id: int) -> None:
    _uow(conn, community_id).ledger.open_system_accounts(community_id)


def post(conn: Connection, comm: CommunityRef, kind: EntryKind, legs: Iterable[Posting], *,
         reason: str, actor: str, occurred_at: datetime | None = None,
         meta: Mapping[str, Any] | None = None, reverses: int | None = None,
         earning: int = 0) -> Posted:
    return _uow(conn, comm).ledger.post(NewEntry(kind, tuple(legs), reason, actor, occurred_at,
                                                 dict(meta or {}), reverses, earning))


def load_entry(conn: Connection, comm: CommunityRef, entry_id: int) -> StoredEntry:
    return _uow(conn, comm).ledger.load_entry(entry_id)


def place_hold(conn: Connection, comm: CommunityRef, account_id: int, amount: int,
               reason: str) -> tuple[int, int]:
    return _uow(conn, comm).ledger.place_hold(account_id, amount, reason)


def resolve_hold(conn: Connection, comm: CommunityRef, hold_id: int,
                 status: str) -> tuple[int, int]:
    uow = _uow(conn, comm)
    bal, amount = uow.ledger.resolve_hold(hold_id, status)
    acc = uow.ledger.member_account(str(bal.member), bal.unit)
    return acc, amount


def link_hold(conn: Connection, hold_id: int, entry_id: int) -> None:
    _uow(conn, 0).ledger.link_hold(hold_id, entry_id)


def member_codes(conn: Connection, account_ids: Sequence[int]) -> dict[int, str]:
    return _uow(conn, 0).ledger.member_codes(account_ids)


def member_balances(conn: Connection, community_id: int, code: str) -> dict[str, Balance]:
    return _uow(conn, community_id).ledger.member_balances(code)


def account_balance(conn: Connection, account_id: int) -> AccountBalance:
    import sqlalchemy as sa

    from timebank.store.tables import accounts, members
    row = conn.execute(
        sa.select(members.c.code, accounts.c.unit, accounts.c.posted, accounts.c.held,
                  accounts.c.lifetime_earned)
        .select_from(accounts.outerjoin(members, members.c.id == accounts.c.member_id))
        .where(accounts.c.id == account_id)).one()
    return AccountBalance(*row)


def account_unit(conn: Connection, account_id: int) -> str:
    return account_balance(conn, account_id).unit


def once(conn: Connection, community_id: int, key: str, request: Mapping[str, Any],
         work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    found = idempotency.claim(conn, community_id, key, request)
    if found.stored is not None:
        return dict(found.stored)
    import json
    result = json.loads(idempotency._stored_text(work()))
    idempotency.answer(conn, found.id, result)
    return dict(result)


@attrs.frozen
class Award:
    account_id: int
    amount: int
    unit: str = "points"
    reason: str = ""
    occurred_at: datetime | None = None
    meta: Mapping[str, Any] = attrs.field(factory=dict)
    key: str | None = None
    request: Mapping[str, Any] | None = None
    response: Mapping[str, Any] | None = None


def award_many(conn: Connection, comm: CommunityRef, awards: Sequence[Award], *,
               actor: str) -> list[int]:
    uow = _uow(conn, comm)
    sources = {u: uow.ledger.system_account(SystemAccount.ISSUANCE, u)
               for u in {a.unit for a in awards}}
    posted = uow.ledger.post_many([
        NewEntry(EntryKind.AWARD, move(sources[a.unit], a.account_id, a.unit, a.amount),
                 a.reason, actor, a.occurred_at, dict(a.meta), earning=1) for a in awards])
    keyed = [(a.key, a.request or {}, a.response or {"entry_id": p.entry_id, "seq": p.seq,
                                                     "kind": "award", "balances": {}})
             for a, p in zip(awards, posted, strict=True) if a.key is not None]
    idempotency.store_many(conn, comm.id, keyed)  # type: ignore[arg-type]
    return [p.entry_id for p in posted]
