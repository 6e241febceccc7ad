"""Ledger use cases: award, spend, hold / capture / release, transfer, adjust, reverse, post.

Each call is one transaction and carries an idempotency key; a replay returns the first
result. Arguments are primitives (codes, amounts), so the CLI, the HTTP layer and a host
system call them alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs
from sqlalchemy.engine import Connection

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
from timebank.store import bulk
from timebank.store import ledger as books
from timebank.store.db import Store
from timebank.store.idempotency import check_key, differing_field, once


@attrs.frozen
class EntryResult:
    """A written entry: its id and sequence, and the posted balance after it of every
    member it touched (by member code)."""

    entry_id: int
    seq: int
    kind: str
    balances: dict[str, int]

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> EntryResult:
        return cls(**data)


@attrs.frozen
class HoldResult:
    hold_id: int
    member: str
    unit: str
    amount: int
    available: int

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> HoldResult:
        return cls(**data)


@attrs.frozen
class BulkResult:
    """What a bulk write did: the new entries' ids, and how many keys were replays."""

    entry_ids: list[int]
    replayed: int


@attrs.frozen
class Leg:
    """One side of a generic posting: a member (by code) or a system account (by name)."""

    amount: int
    unit: str = "points"
    member: str | None = None
    system: str | None = None


def _text(value: object, field: str, limit: int = 500) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise ValidationError(f"{field} must be text of at most {limit} characters",
                              field=field)
    return value


class Ledger:
    def __init__(self, store: Store) -> None:
        self.store = store
        # Community codes and ids never change once created, so the hot path looks each
        # up once per process (only ``id`` and ``code`` of the cached ref are used here).
        self._communities: dict[str, books.CommunityRef] = {}

    # -- the one write path ------------------------------------------------------------

    def _community(self, conn: Connection, code: str) -> books.CommunityRef:
        ref = self._communities.get(code)
        if ref is None:
            ref = self._communities[code] = books.community(conn, code)
        return ref

    def _write(self, community: str, key: str, request: dict[str, Any], work: Any) -> Any:
        def run(conn: Connection) -> dict[str, Any]:
            comm = self._community(conn, community)
            return once(conn, comm.id, key, request, lambda: work(conn, comm))
        return self.store.write(run)

    def _entry(self, conn: Connection, comm: books.CommunityRef, kind: EntryKind,
               legs: Sequence[Posting], names: Mapping[int, str], *, reason: str,
               actor: str, occurred_at: datetime | None = None,
               meta: Mapping[str, Any] | None = None, reverses: int | None = None,
               earning: int = 0) -> dict[str, Any]:
        done = books.post(conn, comm, kind, legs, reason=reason, actor=actor,
                          occurred_at=occurred_at, meta=meta, reverses=reverses,
                          earning=earning)
        return attrs.asdict(EntryResult(done.entry_id, done.seq, str(kind), {
            names[acc]: bal for acc, bal in done.balances.items() if acc in names}))

    def _member_to_system(self, community: str, kind: EntryKind, member: str,
                          system: SystemAccount, amount: int, unit: str, *, key: str,
                          reason: str, actor: str, inward: bool,
                          occurred_at: datetime | None = None,
                          meta: Mapping[str, Any] | None = None) -> EntryResult:
        check_unit(unit)
        check_amount(amount)
        reason = _text(reason, "reason")
        request = {"op": str(kind), "member": member, "amount": amount, "unit": unit,
                   "reason": reason, "actor": actor, "occurred_at": occurred_at,
                   "meta": dict(meta or {})}

        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            mine = books.member_account(conn, comm.id, member, unit)
            theirs = books.system_account(conn, comm.id, system, unit)
            legs = move(theirs, mine, unit, amount) if inward else move(mine, theirs, unit,
                                                                        amount)
            return self._entry(conn, comm, kind, legs, {mine: member}, reason=reason,
                               actor=actor, occurred_at=occurred_at, meta=meta,
                               earning=1 if kind in EARNING_KINDS else 0)
        return EntryResult.of(self._write(community, key, request, work))

    # -- use cases -----------------------------------------------------------------------

    def award(self, community: str, member: str, amount: int, *, key: str,
              unit: str = "points", reason: str = "", actor: str = "system",
              occurred_at: datetime | None = None,
              meta: Mapping[str, Any] | None = None) -> EntryResult:
        """Issue earned points (or minutes) to a member from the community's issuance."""
        return self._member_to_system(community, EntryKind.AWARD, member,
                                      SystemAccount.ISSUANCE, amount, unit, key=key,
                                      reason=reason, actor=actor, inward=True,
                                      occurred_at=occurred_at, meta=meta)

    def spend(self, community: str, member: str, amount: int, *, key: str,
              unit: str = "points", reason: str = "", actor: str = "system",
              meta: Mapping[str, Any] | None = None) -> EntryResult:
        """Take points from a member to the redemption account; refused if not available."""
        return self._member_to_system(community, EntryKind.SPEND, member,
                                      SystemAccount.REDEMPTION, amount, unit, key=key,
                                      reason=reason, actor=actor, inward=False, meta=meta)

    def adjust(self, community: str, member: str, amount: int, *, key: str,
               unit: str = "points", reason: str, actor: str) -> EntryResult:
        """An administrator's correction: a signed amount against the issuance account."""
        if isinstance(amount, int) and not isinstance(amount, bool) and amount < 0:
            return self._member_to_system(community, EntryKind.ADJUSTMENT, member,
                                          SystemAccount.ISSUANCE, -amount, unit, key=key,
                                          reason=reason, actor=actor, inward=False)
        return self._member_to_system(community, EntryKind.ADJUSTMENT, member,
                                      SystemAccount.ISSUANCE, amount, unit, key=key,
                                      reason=reason, actor=actor, inward=True)

    def transfer(self, community: str, sender: str, receiver: str, amount: int, *,
                 key: str, unit: str = "points", reason: str = "",
                 actor: str = "system") -> EntryResult:
        """Move points or minutes from one member to another."""
        check_unit(unit)
        check_amount(amount)
        if sender == receiver:
            raise ValidationError("a transfer needs two different members", field="to")
        request = {"op": "transfer", "from": sender, "to": receiver, "amount": amount,
                   "unit": unit, "reason": reason, "actor": actor}

        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            src = books.member_account(conn, comm.id, sender, unit)
            dst = books.member_account(conn, comm.id, receiver, unit)
            return self._entry(conn, comm, EntryKind.TRANSFER, move(src, dst, unit, amount),
                               {src: sender, dst: receiver}, reason=reason, actor=actor)
        return EntryResult.of(self._write(community, key, request, work))

    def post(self, community: str, legs: Sequence[Leg], *, key: str, reason: str,
             actor: str, kind: EntryKind = EntryKind.POST,
             meta: Mapping[str, Any] | None = None) -> EntryResult:
        """A generic balanced entry over members' and system accounts."""
        request = {"op": "post", "kind": str(kind), "legs": [attrs.asdict(leg) for leg in legs],
                   "reason": reason, "actor": actor, "meta": dict(meta or {})}

        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            postings, names = [], {}
            for leg in legs:
                check_unit(leg.unit)
                if (leg.member is None) == (leg.system is None):
                    raise ValidationError("a leg names a member or a system account",
                                          field="legs")
                if leg.member is not None:
                    acc = books.member_account(conn, comm.id, leg.member, leg.unit)
                    names[acc] = leg.member
                else:
                    try:
                        system = SystemAccount(str(leg.system))
                    except ValueError:
                        raise ValidationError(f"unknown system account {leg.system!r}",
                                              field="legs") from None
                    acc = books.system_account(conn, comm.id, system, leg.unit)
                postings.append(Posting(acc, leg.unit, leg.amount))
            return self._entry(conn, comm, kind, postings, names, reason=reason,
                               actor=actor, meta=meta)
        return EntryResult.of(self._write(community, key, request, work))

    def reverse(self, community: str, entry_id: int, *, key: str, reason: str,
                actor: str) -> EntryResult:
        """Cancel an entry by posting its negation; the original stays as it was."""
        request = {"op": "reverse", "entry": entry_id, "reason": reason, "actor": actor}

        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            original = books.load_entry(conn, comm, entry_id)
            if original.kind == EntryKind.REVERSAL:
                raise ReversalOfReversal(
                    f"entry {entry_id} is a reversal and cannot itself be reversed")
            for owner, how in (("contribution", "reverse the contribution"),
                               ("redemption", "return the redemption")):
                if owner in original.meta:
                    raise InvalidState(
                        f"entry {entry_id} belongs to {owner} {original.meta[owner]}: "
                        f"{how} instead, so its records stay in step", field="entry")
            if original.reversed_by is not None:
                raise AlreadyReversed(
                    f"entry {entry_id} is already reversed by entry {original.reversed_by}")
            names = books.member_codes(conn, [leg.account_id for leg in original.legs])
            return self._entry(conn, comm, EntryKind.REVERSAL, negate(original.legs), names,
                               reason=reason, actor=actor, reverses=entry_id,
                               meta={"reverses_kind": original.kind, **original.meta},
                               earning=-1 if original.kind in EARNING_KINDS else 0)
        return EntryResult.of(self._write(community, key, request, work))

    def hold(self, community: str, member: str, amount: int, *, key: str,
             unit: str = "points", reason: str = "") -> HoldResult:
        """Reserve points: they stay posted but are no longer available."""
        check_unit(unit)
        check_amount(amount)
        request = {"op": "hold", "member": member, "amount": amount, "unit": unit,
                   "reason": reason}

        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            acc = books.member_account(conn, comm.id, member, unit)
            hold_id, available = books.place_hold(conn, comm, acc, amount, reason)
            return attrs.asdict(HoldResult(hold_id, member, unit, amount, available))
        return HoldResult.of(self._write(community, key, request, work))

    def capture(self, community: str, hold_id: int, *, key: str, reason: str = "",
                actor: str = "system") -> EntryResult:
        """Turn a hold into a spend, exactly once."""
        request = {"op": "capture", "hold": hold_id, "reason": reason, "actor": actor}

        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            acc, amount = books.resolve_hold(conn, comm, hold_id, "captured")
            unit = books.account_unit(conn, acc)
            sink = books.system_account(conn, comm.id, SystemAccount.REDEMPTION, unit)
            result = self._entry(conn, comm, EntryKind.CAPTURE, move(acc, sink, unit, amount),
                                 books.member_codes(conn, [acc]), reason=reason,
                                 actor=actor, meta={"hold": hold_id})
            books.link_hold(conn, hold_id, result["entry_id"])
            return result
        return EntryResult.of(self._write(community, key, request, work))

    def release(self, community: str, hold_id: int, *, key: str) -> HoldResult:
        """Give a hold's points back to the member's available balance, exactly once."""
        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            acc, amount = books.resolve_hold(conn, comm, hold_id, "released")
            bal = books.account_balance(conn, acc)
            return attrs.asdict(HoldResult(hold_id, str(bal.member), bal.unit, amount,
                                           bal.posted - bal.held))
        return HoldResult.of(self._write(community, key, {"op": "release", "hold": hold_id},
                                         work))

    def award_many(self, community: str, awards: Iterable[Mapping[str, Any]], *,
                   unit: str = "points", reason: str = "",
                   actor: str = "system") -> BulkResult:
        """Many awards in one transaction: imports, demo data, paper records typed in.

        Each award is ``{"member", "amount", "key"}`` plus optional ``reason``,
        ``occurred_at`` and ``meta``. Keys already used for the same award are skipped
        (replays); a key used for anything else fails the whole batch, as does an
        unknown member: nothing is written then.
        """
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
                    f"idempotency key {key!r} is used twice in the batch for different "
                    f"{field!r}", field=field, key=key)

        def run(conn: Connection) -> BulkResult:
            comm = self._community(conn, community)
            replayed = bulk.claimed(conn, comm.id, requests)
            fresh = [(k, r) for k, r in requests.items() if k not in replayed]
            ids = books.member_ids(conn, comm.id, {r["member"] for _, r in fresh})
            account = books.open_member_accounts(conn, comm.id, list(ids.values()), unit)
            entry_ids = bulk.award_many(conn, comm, [
                bulk.Award(account[ids[r["member"]]], r["amount"], unit, r["reason"],
                           r["occurred_at"], r["meta"], key, r) for key, r in fresh],
                actor=actor)
            return BulkResult(entry_ids, len(replayed))
        return self.store.write(run)

    # -- reads ---------------------------------------------------------------------------

    def balance(self, community: str, member: str) -> dict[str, Balance]:
        """The member's stored balances per unit: one indexed read, O(1) in history."""
        with self.store.read() as conn:
            comm = self._community(conn, community)
            return books.member_balances(conn, comm.id, member)
