"""Member transfers (time bank): give to a member, donate to the pool, grant from it.

The community's policy (settings ``transfers``) says which units move, a yearly maximum
per sender and a storage cap on any member balance. Both caps are checked inside the
transaction that posts, after the accounts involved are locked (by id, the lock order),
so two racing transfers cannot both slip under a cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import attrs

from timebank.domain.community import CommunityRef
from timebank.domain.ledger import EntryKind, SystemAccount, check_amount, check_unit, move
from timebank.domain.transfers import TransferPolicy
from timebank.errors import InsufficientPoints, ValidationError
from timebank.i18n import T
from timebank.store.db import Store
from timebank.store.fused import NamedEntry, Side
from timebank.store.idempotency import check_key
from timebank.store.posting import NewEntry
from timebank.store.uow import UnitOfWork
from timebank.timeutil import local_date, start_of_day_utc, utcnow

POOL = "donation_pool"


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
    seq: int = 0   # the entry's place in the community's chain



def policy_of(comm: CommunityRef) -> TransferPolicy:
    data = comm.settings.get("transfers")
    if data is None:
        return TransferPolicy()
    return TransferPolicy.from_mapping(data, where=f"community {comm.code} settings.transfers")


def _year_start(day: date, tz: str) -> datetime:
    """The first instant (naive UTC) of ``day``'s calendar year in zone ``tz``."""
    return start_of_day_utc(date(day.year, 1, 1), tz)


# -- use cases: primitives and a unit of work ---------------------------------------------


def move_units(uow: UnitOfWork, kind: EntryKind, sender: str | None, receiver: str | None,
               amount: int, unit: str, *, key: str, reason: str, actor: str
               ) -> TransferResult:
    """Move ``amount`` from a member (or the pool, ``None``) to a member (or the pool),
    checking the policy's unit, the sender's yearly maximum and the receiver's storage
    cap once the accounts are locked."""
    check_unit(unit)
    check_amount(amount)
    if not isinstance(reason, str) or len(reason) > 500:
        raise ValidationError(T("reason must be text of at most 500 characters"),
                              field="reason")
    request = {"op": str(kind), "from": sender, "to": receiver, "amount": amount,
               "unit": unit, "reason": reason, "actor": actor}

    def work() -> TransferResult:
        comm = uow.community
        policy = policy_of(comm)
        policy.check_unit(unit)
        pool = uow.ledger.system_account(SystemAccount.DONATION_POOL, unit)
        src = uow.ledger.member_account(sender, unit) if sender else pool
        dst = uow.ledger.member_account(receiver, unit) if receiver else pool
        posted = uow.history.lock_balances([src, dst])
        if sender is not None:
            since = _year_start(local_date(utcnow(), comm.timezone), comm.timezone)
            policy.check_yearly(uow.history.sent_since(src, since), amount)
        if receiver is not None:
            policy.check_cap(receiver, posted[dst], amount)
        if sender is None and posted[src] < amount:
            raise InsufficientPoints(T("the donation pool holds {available} {unit}, {needed} "
                                       "asked", available=posted[src], unit=unit,
                                       needed=amount), field="amount",
                                     available=posted[src], needed=amount)
        done = uow.ledger.post(NewEntry(kind, move(src, dst, unit, amount), reason, actor))
        names = {acc: code for acc, code in ((src, sender), (dst, receiver)) if code}
        return TransferResult(
            done.entry_id, str(kind), sender or POOL, receiver or POOL, amount, unit,
            {names[a]: b for a, b in done.balances.items() if a in names}, done.seq)
    # A transfer always carries a key: none is refused, never run unrecorded.
    if sender is not None:
        # A community without a transfer policy: one entry over named accounts, two
        # statements on PostgreSQL (``once_posting``); with one, ``work`` checks it.
        named = NamedEntry(kind, [Side(-amount, unit, member=sender),
                                  Side(amount, unit, member=receiver) if receiver
                                  else Side(amount, unit, system=POOL)],
                           reason, actor, unless_setting="transfers")
        return uow.once_posting(check_key(key), request, named, lambda done, names:
                                TransferResult(done.entry_id, str(kind), sender,
                                               receiver or POOL, amount, unit,
                                               {names[a]: b for a, b in done.balances.items()
                                                if a in names}, done.seq),
                                work, TransferResult)
    return uow.once(check_key(key), request, work, TransferResult)


def give(uow: UnitOfWork, sender: str, receiver: str, amount: int, *, key: str,
         unit: str = "minutes", reason: str = "", actor: str = "system") -> TransferResult:
    """Give ``amount`` to another member (e.g. a parent): kind ``transfer``."""
    if sender == receiver:
        raise ValidationError(T("a transfer needs two different members"), field="to")
    return move_units(uow, EntryKind.TRANSFER, sender, receiver, amount, unit, key=key,
                      reason=reason, actor=actor)


def storage_fit(uow: UnitOfWork, unit: str, awards: Sequence[tuple[int, int]]) -> list[int]:
    """What each award (member account, amount) in ``unit`` may credit, in order, under
    the community's storage cap (all of it when there is none). The accounts are locked
    first (by id, the lock order), so the cap still holds when the awards post."""
    policy = policy_of(uow.community)
    if not awards or not policy.caps(unit):
        return [amount for _, amount in awards]
    return policy.fit(uow.history.lock_balances([account for account, _ in awards]), awards)


def sent_this_year(uow: UnitOfWork, member: str, *, unit: str = "minutes",
                   on: date | None = None) -> int:
    """What the member sent in the calendar year of ``on`` (default today)."""
    check_unit(unit)
    tz = uow.community.timezone
    day = on or local_date(utcnow(), tz)
    return uow.history.member_sent_since(member, unit, _year_start(day, tz))


class Transfers:
    def __init__(self, store: Store) -> None:
        self.store = store

    def policy(self, community: str) -> TransferPolicy:
        with self.store.reading(community) as uow:
            return policy_of(uow.community)

    def give(self, community: str, sender: str, receiver: str, amount: int, *, key: str,
             unit: str = "minutes", reason: str = "", actor: str = "system"
             ) -> TransferResult:
        """Give ``amount`` to another member (e.g. a parent): kind ``transfer``."""
        return self.store.transact(community, lambda uow: give(
            uow, sender, receiver, amount, key=key, unit=unit, reason=reason, actor=actor))

    def donate(self, community: str, member: str, amount: int, *, key: str,
               unit: str = "minutes", reason: str = "", actor: str = "system"
               ) -> TransferResult:
        """Give ``amount`` to the community's donation pool: kind ``donation``."""
        return self.store.transact(community, lambda uow: move_units(
            uow, EntryKind.DONATION, member, None, amount, unit, key=key, reason=reason,
            actor=actor))

    def grant(self, community: str, member: str, amount: int, *, key: str,
              unit: str = "minutes", reason: str = "", actor: str = "system"
              ) -> TransferResult:
        """Grant ``amount`` from the donation pool to a member in need: kind ``grant``;
        refused (InsufficientPoints) beyond what the pool holds."""
        return self.store.transact(community, lambda uow: move_units(
            uow, EntryKind.GRANT, None, member, amount, unit, key=key, reason=reason,
            actor=actor))

    def sent_this_year(self, community: str, member: str, *, unit: str = "minutes",
                       on: date | None = None) -> int:
        """What the member sent in the calendar year of ``on`` (default today)."""
        with self.store.reading(community) as uow:
            return sent_this_year(uow, member, unit=unit, on=on)
