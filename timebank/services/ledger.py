"""Ledger use cases: award, spend, hold / capture / release, transfer, adjust, reverse, post.

Each use case is a function taking primitives and a unit of work (one transaction); the
``Ledger`` facade runs it through ``Store.transact``. Every write carries an idempotency
key, and a replay returns the first result. Arguments are primitives (codes, amounts), so
the CLI, the HTTP layer and a host system call them alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import attrs

from timebank import i18n
from timebank.domain.ledger import (
    EARNING_KINDS,
    Balance,
    EntryKind,
    Posting,
    SystemAccount,
    check_amount,
    check_unit,
    move,
    negate,
)
from timebank.errors import (
    AlreadyReversed,
    IdempotencyConflict,
    InvalidState,
    ReversalOfReversal,
    ValidationError,
)
from timebank.gcpause import gc_paused
from timebank.services.transfers import TransferResult, give, policy_of, storage_fit
from timebank.store.db import Store
from timebank.store.fused import NamedEntry, Side
from timebank.store.idempotency import check_key, differing_field
from timebank.store.posting import NewEntry
from timebank.store.uow import UnitOfWork

T = TypeVar("T")


@attrs.frozen
class EntryResult:
    """A written entry: its id and sequence, and the posted balance after it of every
    member it touched (by member code)."""

    entry_id: int
    seq: int
    kind: str
    balances: dict[str, int]
    capped_from: int | None = None  # an award the storage cap cut: the amount asked


@attrs.frozen
class HoldResult:
    hold_id: int
    member: str
    unit: str
    amount: int
    available: int


@attrs.frozen
class BulkResult:
    """What a bulk write did: the new entries' ids, and how many keys were replays."""

    entry_ids: list[int]
    replayed: int
    capped: list[str] = attrs.field(factory=list)  # keys of awards the storage cap cut


@attrs.frozen
class Leg:
    """One side of a generic posting: a member (by code) or a system account (by name)."""

    amount: int
    unit: str = "points"
    member: str | None = None
    system: str | None = None


def _text(value: object, field: str, limit: int = 500) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise ValidationError(i18n.T("{field} must be text of at most {limit} characters",
                                     field=field,
                                limit=limit),
                              field=field)
    return value


# -- use cases: primitives and a unit of work ---------------------------------------------


def entry(uow: UnitOfWork, new: NewEntry, names: Mapping[int, str]) -> EntryResult:
    """Post ``new`` and say which named members' balances it left where."""
    done = uow.ledger.post(new)
    return EntryResult(done.entry_id, done.seq, str(new.kind), {
        names[acc]: bal for acc, bal in done.balances.items() if acc in names})


def member_to_system(uow: UnitOfWork, kind: EntryKind, member: str, system: SystemAccount,
                     amount: int, unit: str, *, key: str | None, reason: str, actor: str,
                     inward: bool, occurred_at: datetime | None = None,
                     meta: Mapping[str, Any] | None = None,
                     request: Mapping[str, Any] | None = None) -> EntryResult:
    """Move ``amount`` between a member and one of the community's own accounts."""
    check_unit(unit)
    check_amount(amount)
    reason = _text(reason, "reason")
    if request is None:
        request = {"op": str(kind), "member": member, "amount": amount, "unit": unit,
                   "reason": reason, "actor": actor, "occurred_at": occurred_at,
                   "meta": dict(meta or {})}

    def work() -> EntryResult:
        mine = uow.ledger.member_account(member, unit)
        theirs = uow.ledger.system_account(system, unit)
        credited = _fit_awards(uow, unit, [(member, mine, amount)])[0] \
            if kind == EntryKind.AWARD else amount
        legs = move(theirs, mine, unit, credited) if inward else \
            move(mine, theirs, unit, credited)
        done = entry(uow, NewEntry(kind, legs, reason, actor, occurred_at, dict(meta or {}),
                                   earning=1 if kind in EARNING_KINDS else 0), {mine: member})
        return done if credited == amount else attrs.evolve(done, capped_from=amount)
    # One entry over named accounts: two statements on PostgreSQL (``once_posting``). An
    # award goes the general way when the community has a transfer policy (its storage
    # cap reads the balance first).
    mine_side, theirs_side = Side(0, unit, member=member), Side(0, unit, system=str(system))
    out, into = (theirs_side, mine_side) if inward else (mine_side, theirs_side)
    earns = amount if kind in EARNING_KINDS else 0
    named = NamedEntry(kind, [attrs.evolve(out, amount=-amount),
                              attrs.evolve(into, amount=amount, earned=earns)],
                       reason, actor, occurred_at, dict(meta or {}),
                       unless_setting="transfers" if kind == EntryKind.AWARD else None)
    return uow.once_posting(key, request, named, lambda done, names: EntryResult(
        done.entry_id, done.seq, str(kind), {names[acc]: bal for acc, bal
                                             in done.balances.items() if acc in names}),
        work, EntryResult)


def _fit_awards(uow: UnitOfWork, unit: str, awards: Sequence[tuple[str, int, int]]
                ) -> list[int]:
    """What each award (member, account, amount) credits under the storage cap, in order;
    an award that would credit nothing is refused (``LimitExceeded``)."""
    credited = storage_fit(uow, unit, [(account, amount) for _, account, amount in awards])
    for (member, account, _), fits in zip(awards, credited, strict=True):
        if fits == 0:
            held = uow.history.lock_balances([account])[account]
            raise policy_of(uow.community).refuse_award(member, held)
    return credited


def transfer(uow: UnitOfWork, sender: str, receiver: str, amount: int, *, key: str,
             unit: str = "points", reason: str = "", actor: str = "system"
             ) -> TransferResult:
    """Move points or minutes from one member to another: the one transfer path
    (``transfers.give``), so the community's transfer policy (the units that move, the
    yearly maximum, the storage cap) holds however a transfer is asked for."""
    return give(uow, sender, receiver, amount, key=key, unit=unit, reason=reason,
                actor=actor)


def post(uow: UnitOfWork, legs: Sequence[Leg], *, key: str | None, reason: str, actor: str,
         kind: EntryKind = EntryKind.POST,
         meta: Mapping[str, Any] | None = None) -> EntryResult:
    """A generic balanced entry over members' and system accounts."""
    request = {"op": "post", "kind": str(kind), "legs": [attrs.asdict(leg) for leg in legs],
               "reason": reason, "actor": actor, "meta": dict(meta or {})}

    def work() -> EntryResult:
        postings, names = [], {}
        for leg in legs:
            check_unit(leg.unit)
            if (leg.member is None) == (leg.system is None):
                raise ValidationError(i18n.T("a leg names a member or a system account"),
                                      field="legs")
            if leg.member is not None:
                acc = uow.ledger.member_account(leg.member, leg.unit)
                names[acc] = leg.member
            else:
                try:
                    system = SystemAccount(str(leg.system))
                except ValueError:
                    raise ValidationError(i18n.T("unknown system account {system!r}",
                                            system=leg.system),
                                          field="legs") from None
                acc = uow.ledger.system_account(system, leg.unit)
            postings.append(Posting(acc, leg.unit, leg.amount))
        return entry(uow, NewEntry(kind, postings, reason, actor, meta=dict(meta or {})),
                     names)
    return uow.once(key, request, work, EntryResult)


def reverse(uow: UnitOfWork, entry_id: int, *, key: str | None, reason: str,
            actor: str) -> EntryResult:
    """Cancel an entry by posting its negation; the original stays as it was."""
    request = {"op": "reverse", "entry": entry_id, "reason": reason, "actor": actor}

    def work() -> EntryResult:
        original = uow.ledger.load_entry(entry_id)
        if original.kind == EntryKind.REVERSAL:
            raise ReversalOfReversal(
                i18n.T("entry {entry} is a reversal and cannot itself be reversed",
                       entry=entry_id))
        for owner, message in (
                ("contribution", i18n.N_("entry {entry_id} belongs to contribution {meta}: "
                                         "reverse the contribution instead, so its records "
                                         "stay in step")),
                ("redemption", i18n.N_("entry {entry_id} belongs to redemption {meta}: return "
                                       "the redemption instead, so its records stay in step"))):
            if owner in original.meta:
                raise InvalidState(i18n.T(message, entry_id=entry_id, meta=original.meta[owner]),
                                   field="entry")
        if original.reversed_by is not None:
            raise AlreadyReversed(
                i18n.T("entry {entry} is already reversed by entry {by}", entry=entry_id,
                       by=original.reversed_by))
        names = uow.ledger.member_codes(leg.account_id for leg in original.legs)
        # Taking back an award always succeeds, even below zero; anything else is guarded.
        earning = original.kind in EARNING_KINDS
        return entry(uow, NewEntry(
            EntryKind.REVERSAL, negate(original.legs), reason, actor,
            meta={"reverses_kind": original.kind, **original.meta}, reverses=entry_id,
            earning=-1 if earning else 0, overdraw=earning), names)
    return uow.once(key, request, work, EntryResult)


def hold(uow: UnitOfWork, member: str, amount: int, *, key: str | None,
         unit: str = "points", reason: str = "") -> HoldResult:
    """Reserve points: they stay posted but are no longer available."""
    check_unit(unit)
    check_amount(amount)
    request = {"op": "hold", "member": member, "amount": amount, "unit": unit,
               "reason": reason}

    def work() -> HoldResult:
        acc = uow.ledger.member_account(member, unit)
        hold_id, available = uow.ledger.place_hold(acc, amount, reason)
        return HoldResult(hold_id, member, unit, amount, available)
    return uow.once(key, request, work, HoldResult)


def capture(uow: UnitOfWork, hold_id: int, *, key: str | None, reason: str = "",
            actor: str = "system") -> EntryResult:
    """Turn a hold into a spend, exactly once."""
    request = {"op": "capture", "hold": hold_id, "reason": reason, "actor": actor}

    def work() -> EntryResult:
        account, amount = uow.ledger.resolve_hold(hold_id, "captured")
        acc = uow.ledger.member_account(str(account.member), account.unit)
        sink = uow.ledger.system_account(SystemAccount.REDEMPTION, account.unit)
        result = entry(uow, NewEntry(EntryKind.CAPTURE, move(acc, sink, account.unit, amount),
                                     reason, actor, meta={"hold": hold_id}),
                       {acc: str(account.member)})
        uow.ledger.link_hold(hold_id, result.entry_id)
        return result
    return uow.once(key, request, work, EntryResult)


def release(uow: UnitOfWork, hold_id: int, *, key: str | None) -> HoldResult:
    """Give a hold's points back to the member's available balance, exactly once."""
    def work() -> HoldResult:
        account, amount = uow.ledger.resolve_hold(hold_id, "released")
        return HoldResult(hold_id, str(account.member), account.unit, amount,
                          account.posted - account.held)
    return uow.once(key, {"op": "release", "hold": hold_id}, work, HoldResult)


def award_many(uow: UnitOfWork, awards: Iterable[Mapping[str, Any]], *,
               unit: str = "points", reason: str = "", actor: str = "system") -> BulkResult:
    """Many awards in one transaction (see ``Ledger.award_many``)."""
    check_unit(unit)
    requests: dict[str, dict[str, Any]] = {}
    for award in awards:
        check_amount(award["amount"])
        key = check_key(award["key"])
        request = {"op": "award", "member": award["member"], "amount": award["amount"],
                   "unit": unit, "reason": award.get("reason", reason), "actor": actor,
                   "occurred_at": award.get("occurred_at"),
                   "meta": dict(award.get("meta") or {})}
        first = requests.setdefault(key, request)
        if first is not request and (field := differing_field(first, request)):
            raise IdempotencyConflict(
                i18n.T("idempotency key {key!r} is used twice in the batch for different "
                       "{field!r}", key=key, field=field), field=field, key=key)
    replayed = uow.replays(requests)
    fresh = [(k, r) for k, r in requests.items() if k not in replayed]
    ids = uow.members.ids({r["member"] for _, r in fresh})
    account = uow.ledger.open_member_accounts(list(ids.values()), unit)
    source = uow.ledger.system_account(SystemAccount.ISSUANCE, unit)
    amounts = _fit_awards(uow, unit, [(r["member"], account[ids[r["member"]]], r["amount"])
                                      for _, r in fresh])
    posted = uow.ledger.post_many([
        NewEntry(EntryKind.AWARD, move(source, account[ids[r["member"]]], unit, credited),
                 r["reason"], actor, r["occurred_at"], r["meta"], earning=1)
        for (_, r), credited in zip(fresh, amounts, strict=True)])
    # A replay decodes this into ``EntryResult``; built as JSON here, as it is stored.
    uow.remember([(key, request, {"entry_id": done.entry_id, "seq": done.seq,
                                  "kind": "award", "balances": {},
                                  "capped_from": request["amount"]
                                  if credited < request["amount"] else None})
                  for (key, request), done, credited
                  in zip(fresh, posted, amounts, strict=True)])
    return BulkResult([done.entry_id for done in posted], len(replayed),
                      [k for (k, r), credited in zip(fresh, amounts, strict=True)
                       if credited < r["amount"]])


class Ledger:
    """The ledger's use cases for a host: each call is one transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _run(self, community: str, fn: Callable[[UnitOfWork], T]) -> T:
        return self.store.transact(community, fn)

    def award(self, community: str, member: str, amount: int, *, key: str | None,
              unit: str = "points", reason: str = "", actor: str = "system",
              occurred_at: datetime | None = None,
              meta: Mapping[str, Any] | None = None) -> EntryResult:
        """Issue earned points (or minutes) to a member from the community's issuance."""
        return self._run(community, lambda uow: member_to_system(
            uow, EntryKind.AWARD, member, SystemAccount.ISSUANCE, amount, unit, key=key,
            reason=reason, actor=actor, inward=True, occurred_at=occurred_at, meta=meta))

    def spend(self, community: str, member: str, amount: int, *, key: str | None,
              unit: str = "points", reason: str = "", actor: str = "system",
              meta: Mapping[str, Any] | None = None) -> EntryResult:
        """Take points from a member to the redemption account; refused if not available."""
        return self._run(community, lambda uow: member_to_system(
            uow, EntryKind.SPEND, member, SystemAccount.REDEMPTION, amount, unit, key=key,
            reason=reason, actor=actor, inward=False, meta=meta))

    def adjust(self, community: str, member: str, amount: int, *, key: str | None,
               unit: str = "points", reason: str, actor: str) -> EntryResult:
        """An administrator's correction: a signed amount against the issuance account.

        The idempotency request keeps the sign the caller sent, so a replay with the
        sign flipped is a conflict, never the first entry answered again.
        """
        debit = isinstance(amount, int) and not isinstance(amount, bool) and amount < 0
        request = {"op": "adjustment", "member": member, "amount": amount, "unit": unit,
                   "reason": reason, "actor": actor}
        return self._run(community, lambda uow: member_to_system(
            uow, EntryKind.ADJUSTMENT, member, SystemAccount.ISSUANCE,
            -amount if debit else amount, unit, key=key, reason=reason, actor=actor,
            inward=not debit, request=request))

    def transfer(self, community: str, sender: str, receiver: str, amount: int, *,
                 key: str, unit: str = "points", reason: str = "",
                 actor: str = "system") -> TransferResult:
        """Move points or minutes from one member to another, under the community's
        transfer policy: the same use case as ``tb.transfers.give`` (whose default unit
        is minutes)."""
        return self._run(community, lambda uow: transfer(
            uow, sender, receiver, amount, key=key, unit=unit, reason=reason, actor=actor))

    def post(self, community: str, legs: Sequence[Leg], *, key: str | None, reason: str,
             actor: str, kind: EntryKind = EntryKind.POST,
             meta: Mapping[str, Any] | None = None) -> EntryResult:
        """A generic balanced entry over members' and system accounts."""
        return self._run(community, lambda uow: post(
            uow, legs, key=key, reason=reason, actor=actor, kind=kind, meta=meta))

    def reverse(self, community: str, entry_id: int, *, key: str | None, reason: str,
                actor: str) -> EntryResult:
        """Cancel an entry by posting its negation; the original stays as it was."""
        return self._run(community, lambda uow: reverse(
            uow, entry_id, key=key, reason=reason, actor=actor))

    def hold(self, community: str, member: str, amount: int, *, key: str | None,
             unit: str = "points", reason: str = "") -> HoldResult:
        """Reserve points: they stay posted but are no longer available."""
        return self._run(community, lambda uow: hold(
            uow, member, amount, key=key, unit=unit, reason=reason))

    def capture(self, community: str, hold_id: int, *, key: str | None, reason: str = "",
                actor: str = "system") -> EntryResult:
        """Turn a hold into a spend, exactly once."""
        return self._run(community, lambda uow: capture(
            uow, hold_id, key=key, reason=reason, actor=actor))

    def release(self, community: str, hold_id: int, *, key: str | None) -> HoldResult:
        """Give a hold's points back to the member's available balance, exactly once."""
        return self._run(community, lambda uow: release(uow, hold_id, key=key))

    def award_many(self, community: str, awards: Iterable[Mapping[str, Any]], *,
                   unit: str = "points", reason: str = "",
                   actor: str = "system") -> BulkResult:
        """Many awards in one transaction: imports, demo data, paper records typed in.

        Each award is ``{"member", "amount", "key"}`` plus optional ``reason``,
        ``occurred_at`` and ``meta``. Keys already used for the same award are skipped
        (replays); a key used for anything else fails the whole batch, as does an
        unknown member: nothing is written then.
        """
        with gc_paused():
            return self._run(community, lambda uow: award_many(
                uow, awards, unit=unit, reason=reason, actor=actor))

    def balance(self, community: str, member: str) -> dict[str, Balance]:
        """The member's stored balances per unit: one indexed read, O(1) in history."""
        with self.store.reading(community, one_statement=True) as uow:
            return uow.ledger.member_balances(member)
