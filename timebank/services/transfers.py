"""Member transfers (time bank): give to a member, donate to the pool, grant from it.

The community's policy (settings ``transfers``) says which units move, a yearly maximum
per sender and a storage cap on any member balance. Both caps are checked inside the
transaction that posts, after the accounts involved are locked (by id, the lock order),
so two racing transfers cannot both slip under a cap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain.ledger import EntryKind, SystemAccount, check_amount, check_unit, move
from timebank.domain.transfers import TransferPolicy
from timebank.errors import InsufficientPoints, ValidationError
from timebank.store import legacy as books
from timebank.store.db import Store

from timebank.store.legacy import once
from timebank.store.tables import accounts, entries, postings
from timebank.timeutil import local_date, start_of_day_utc, utcnow

POOL = "donation_pool"
SENDING_KINDS = (str(EntryKind.TRANSFER), str(EntryKind.DONATION))


@attrs.frozen
class TransferResult:
    """A posted transfer; ``sender``/``receiver`` are member codes or ``donation_pool``,
    ``balances`` the posted balance after it of each member involved."""

    entry_id: int
    kind: str
    sender: str
    receiver: str
    amount: int
    unit: str
    balances: dict[str, int]

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> TransferResult:
        return cls(**data)


def policy_of(comm: books.CommunityRef) -> TransferPolicy:
    data = comm.settings.get("transfers")
    if data is None:
        return TransferPolicy()
    return TransferPolicy.from_mapping(data, where=f"community {comm.code} settings.transfers")


def _lock(conn: Connection, account_ids: Sequence[int]) -> dict[int, int]:
    """Lock the accounts by id and return their posted balances."""
    rows = conn.execute(sa.select(accounts.c.id, accounts.c.posted)
                        .where(accounts.c.id.in_(sorted(set(account_ids))))
                        .order_by(accounts.c.id).with_for_update()).all()
    return {int(r.id): int(r.posted) for r in rows}


def sent_in_year(conn: Connection, account_id: int, since: Any) -> int:
    """What the account sent (transfers and donations) since ``since`` (naive UTC)."""
    total = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(-postings.c.amount), 0))
        .join(entries, entries.c.id == postings.c.entry_id)
        .where(postings.c.account_id == account_id, postings.c.amount < 0,
               entries.c.kind.in_(SENDING_KINDS), entries.c.occurred_at >= since)
    ).scalar_one()
    return int(total)


class Transfers:
    def __init__(self, store: Store) -> None:
        self.store = store

    def policy(self, community: str) -> TransferPolicy:
        with self.store.read() as conn:
            return policy_of(books.community(conn, community))

    def give(self, community: str, sender: str, receiver: str, amount: int, *, key: str,
             unit: str = "minutes", reason: str = "", actor: str = "system"
             ) -> TransferResult:
        """Give ``amount`` to another member (e.g. a parent): kind ``transfer``."""
        if sender == receiver:
            raise ValidationError("a transfer needs two different members", field="to")
        return self._move(community, EntryKind.TRANSFER, sender, receiver, amount, unit,
                          key=key, reason=reason, actor=actor)

    def donate(self, community: str, member: str, amount: int, *, key: str,
               unit: str = "minutes", reason: str = "", actor: str = "system"
               ) -> TransferResult:
        """Give ``amount`` to the community's donation pool: kind ``donation``."""
        return self._move(community, EntryKind.DONATION, member, None, amount, unit,
                          key=key, reason=reason, actor=actor)

    def grant(self, community: str, member: str, amount: int, *, key: str,
              unit: str = "minutes", reason: str = "", actor: str = "system"
              ) -> TransferResult:
        """Grant ``amount`` from the donation pool to a member in need: kind ``grant``;
        refused (InsufficientPoints) beyond what the pool holds."""
        return self._move(community, EntryKind.GRANT, None, member, amount, unit,
                          key=key, reason=reason, actor=actor)

    def sent_this_year(self, community: str, member: str, *, unit: str = "minutes",
                       on: date | None = None) -> int:
        """What the member sent in the calendar year of ``on`` (default today)."""
        check_unit(unit)
        with self.store.read() as conn:
            comm = books.community(conn, community)
            day = on or local_date(utcnow(), comm.timezone)
            owner = books.member_id(conn, comm.id, member)
            acc = conn.execute(sa.select(accounts.c.id).where(
                accounts.c.member_id == owner, accounts.c.unit == unit)).scalar()
            if acc is None:
                return 0
            return sent_in_year(conn, acc, start_of_day_utc(date(day.year, 1, 1),
                                                            comm.timezone))

    def _move(self, community: str, kind: EntryKind, sender: str | None,
              receiver: str | None, amount: int, unit: str, *, key: str, reason: str,
              actor: str) -> TransferResult:
        check_unit(unit)
        check_amount(amount)
        if not isinstance(reason, str) or len(reason) > 500:
            raise ValidationError("reason must be text of at most 500 characters",
                                  field="reason")
        request = {"op": str(kind), "from": sender, "to": receiver, "amount": amount,
                   "unit": unit, "reason": reason, "actor": actor}

        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            policy = policy_of(comm)
            policy.check_unit(unit)
            pool = books.system_account(conn, comm.id, SystemAccount.DONATION_POOL, unit)
            src = books.member_account(conn, comm.id, sender, unit) if sender else pool
            dst = books.member_account(conn, comm.id, receiver, unit) if receiver else pool
            posted = _lock(conn, [src, dst])
            if sender is not None:
                year = local_date(utcnow(), comm.timezone).year
                since = start_of_day_utc(date(year, 1, 1), comm.timezone)
                policy.check_yearly(sent_in_year(conn, src, since), amount)
            if receiver is not None:
                policy.check_cap(receiver, posted[dst], amount)
            if sender is None and posted[src] < amount:
                raise InsufficientPoints(f"the donation pool holds {posted[src]} {unit}, "
                                         f"{amount} asked", field="amount",
                                         available=posted[src], needed=amount)
            done = books.post(conn, comm, kind, move(src, dst, unit, amount),
                              reason=reason, actor=actor)
            names = {acc: code for acc, code in ((src, sender), (dst, receiver)) if code}
            return attrs.asdict(TransferResult(
                done.entry_id, str(kind), sender or POOL, receiver or POOL, amount, unit,
                {names[a]: b for a, b in done.balances.items() if a in names}))

        def run(conn: Connection) -> dict[str, Any]:
            comm = books.community(conn, community)
            return once(conn, comm.id, key, request, lambda: work(conn, comm))
        return TransferResult.of(self.store.write(run))
