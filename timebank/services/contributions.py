"""Contributions: record (one, one activity for many members, or many in bulk), approve,
reject, reverse, and read them back with their anomaly flags.

Every way of recording goes through one set-based pipeline (``record_all``, in
``services/recording.py``).

Each use case is a function taking a unit of work; the ``Contributions`` facade runs it
through ``Store.transact`` (writes) or ``Store.reading`` (reads).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import attrs

from timebank.domain.contributions import (
    BatchResult,
    BulkResult,
    Contribution,
    ContributionInput,
    ContributionResult,
    Flag,
    award_meta,
    award_reason,
)
from timebank.domain.ledger import EntryKind, SystemAccount, move, negate
from timebank.domain.transfers import storage_note
from timebank.errors import InvalidState, SelfApproval, UnknownContribution, ValidationError
from timebank.gcpause import gc_paused
from timebank.i18n import T
from timebank.services.actors import Actor, check_actor, same_person
from timebank.services.recording import record_all
from timebank.services.transfers import policy_of as transfer_policy
from timebank.services.transfers import storage_fit
from timebank.store.db import Store
from timebank.store.idempotency import check_key
from timebank.store.posting import NewEntry
from timebank.store.uow import UnitOfWork

# The value types live in ``timebank.domain.contributions``; hosts import them from here.
__all__ = ["BatchResult", "BulkResult", "Contribution", "ContributionInput",
           "ContributionResult", "Contributions", "Flag", "approve", "get", "listing",
           "record", "record_all", "record_batch", "record_many", "reject", "reverse"]


# -- recording -----------------------------------------------------------------------------


def record(uow: UnitOfWork, item: ContributionInput, *, key: str,
           recorded_by: str) -> ContributionResult:
    """Record one contribution; auto-approved rules post their award at once, rules
    that need approval leave it ``pending``. Caps cut points, never reject."""
    check_key(key)
    return uow.once(key, item.request(recorded_by),
                    lambda: record_all(uow, [item], recorded_by)[0], ContributionResult)


def record_batch(uow: UnitOfWork, items: Sequence[ContributionInput], *, key: str,
                 recorded_by: str) -> BatchResult:
    """One activity (``items`` alike but for their member), all or none, under one key."""
    check_key(key)
    request = {**items[0].request(recorded_by), "op": "batch", "member": None,
               "members": [item.member for item in items]}
    return uow.once(key, request, lambda: BatchResult(tuple(record_all(
        uow, items, recorded_by))), BatchResult)


def record_many(uow: UnitOfWork, items: Sequence[ContributionInput], *,
                recorded_by: str, import_id: int | None = None) -> BulkResult:
    """Record many contributions (an import) in the caller's transaction, each under its
    own ``key``; items whose key was already used are replays, not recorded again.
    ``import_id`` links the fresh ones to the import they came from."""
    if not items:
        raise ValidationError(T("nothing to record"), field="items")
    requests: dict[str, dict[str, Any]] = {}
    keys: list[str] = []
    for index, item in enumerate(items):
        if item.key is None:
            raise ValidationError(T("item {index} has no idempotency key", index=index),
                                  field="key")
        key = check_key(item.key)
        request = item.request(recorded_by)
        if requests.setdefault(key, request) != request:
            raise ValidationError(T("key {key!r} is given to two different items", key=key),
                                  field="key")
        keys.append(key)
    replayed = uow.replays(requests)
    fresh: list[tuple[str, ContributionInput]] = []
    seen = set(replayed)
    for key, item in zip(keys, items, strict=True):
        if key not in seen:  # a key repeated within the call is a replay too
            fresh.append((key, item))
            seen.add(key)
    results = (record_all(uow, [item for _, item in fresh], recorded_by, import_id)
               if fresh else [])
    uow.remember([(key, requests[key], result)
                  for (key, _), result in zip(fresh, results, strict=True)])
    recorded = {key: result.id for (key, _), result in zip(fresh, results, strict=True)}
    ids = tuple(recorded[key] if key in recorded else int(replayed[key].get("id", 0))
                for key in keys)
    return BulkResult(
        len(results), len(items) - len(results),
        sum(r.status == "approved" for r in results),
        sum(r.status == "pending" for r in results),
        sum(r.points for r in results if r.status == "approved"), ids)


# -- decisions -----------------------------------------------------------------------------


def approve(uow: UnitOfWork, contribution_id: int, *, approver: Actor,
            key: str | None) -> ContributionResult:
    """Approve a pending contribution once and post its award in the same transaction.
    The approver is not the person who recorded it (whichever key, host identity or CLI
    name either came through) unless the community allows self-approval."""
    approver = check_actor(approver)
    request = {"op": "approve", "contribution": contribution_id, "approver": approver.ref,
               "approver_name": approver.name}

    def work() -> ContributionResult:
        found = uow.contributions.load(contribution_id)
        if found.status != "pending":
            raise InvalidState(T("contribution {id} is already {state}", id=contribution_id,
                                 state=found.status),
                               field="status", state=found.status)
        if not uow.community.settings.get("allow_self_approval") and \
                same_person(uow, approver, found.recorded_by):
            raise SelfApproval(T("{approver!r} recorded contribution {id} and may not approve it",
                                 approver=approver.shown, id=contribution_id),
                               field="approver")
        entry_id = None
        points = found.points
        if points > 0:
            account = uow.ledger.member_account(found.member, found.unit)
            points = storage_fit(uow, found.unit, [(account, found.points)])[0]
            if points < found.points:  # the storage cap cuts it: say so, keep the note
                uow.contributions.cut_points([(contribution_id, points, storage_note(
                    found.points, points, transfer_policy(uow.community).storage_cap or 0))])
        if points > 0:
            issuance = uow.ledger.system_account(SystemAccount.ISSUANCE, found.unit)
            entry_id = uow.ledger.post(NewEntry(
                EntryKind.AWARD, move(issuance, account, found.unit, points),
                award_reason(found.name_zh, found.name_en), approver.ref, found.occurred_at,
                award_meta(contribution_id, found.rule, approver.shown, approver.ref),
                earning=1)).entry_id
        uow.contributions.decide(contribution_id, "approved", approver.ref, None,
                                 entry_id=entry_id)
        uow.contributions.earn([(found.member_id, found.rule, found.unit, found.month,
                                 points, 1)])
        done = found.result("approved", entry_id)
        return done if points == found.points else attrs.evolve(
            done, points=points, capped=True, storage_capped=True)
    return uow.once(key, request, work, ContributionResult)


def reject(uow: UnitOfWork, contribution_id: int, *, approver: Actor, reason: str,
           key: str | None) -> ContributionResult:
    """Reject a pending contribution once, saying why; its points free the caps. As
    with approving, the person who recorded it may not (unless self-approval is allowed):
    a recorder who rejects her own record would undo the four eyes' record of it."""
    approver = check_actor(approver)
    _check_reason(reason, "a rejection")
    request = {"op": "reject", "contribution": contribution_id, "approver": approver.ref,
               "approver_name": approver.name, "reason": reason}

    def work() -> ContributionResult:
        found = uow.contributions.load(contribution_id)
        _check_status(found.status, "pending", contribution_id)
        if not uow.community.settings.get("allow_self_approval") and \
                same_person(uow, approver, found.recorded_by):
            raise SelfApproval(T("{approver!r} recorded contribution {id} and may not "
                                 "reject it", approver=approver.shown, id=contribution_id),
                               field="approver")
        uow.contributions.decide(contribution_id, "rejected", approver.ref, reason)
        return found.result("rejected", None)
    return uow.once(key, request, work, ContributionResult)


def reverse(uow: UnitOfWork, contribution_id: int, *, actor: str, reason: str,
            key: str) -> ContributionResult:
    """Undo an approved contribution: reverse its award and take it off the monthly totals.
    Points already spent are still taken back: the balance goes below zero (owed)."""
    _check_reason(reason, "a reversal")
    check_key(key)
    request = {"op": "reverse_contribution", "contribution": contribution_id,
               "actor": actor, "reason": reason}

    def work() -> ContributionResult:
        found = uow.contributions.load(contribution_id)
        _check_status(found.status, "approved", contribution_id)
        reversal = None
        if found.entry_id is not None:
            original = uow.ledger.load_entry(found.entry_id)
            reversal = uow.ledger.post(NewEntry(
                EntryKind.REVERSAL, negate(original.legs), reason, actor,
                meta={"reverses_kind": original.kind, **original.meta},
                reverses=found.entry_id, earning=-1, overdraw=True)).entry_id
        uow.contributions.decide(contribution_id, "reversed", actor, reason,
                                 start="approved", reversal_id=reversal)
        uow.contributions.earn([(found.member_id, found.rule, found.unit, found.month,
                                 -found.points, -1)])
        return found.result("reversed", found.entry_id)
    return uow.once(key, request, work, ContributionResult)


def _check_reason(reason: object, what: str) -> None:
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
        raise ValidationError(T("a rejection gives a reason of at most 500 characters")
                              if what == "a rejection" else
                              T("a reversal gives a reason of at most 500 characters"),
                              field="reason")


def _check_status(status: str, start: str, contribution_id: int) -> None:
    if status != start:
        raise InvalidState(T("contribution {id} is {state}, not {start}", id=contribution_id,
                             state=status, start=start),
                           field="status", state=status)


# -- reads ---------------------------------------------------------------------------------


def listing(uow: UnitOfWork, *, status: str | None = None, member: str | None = None,
            rule: str | None = None, from_: date | None = None, to: date | None = None,
            flagged: bool | None = None, after: int | None = None, limit: int = 100,
            ids: Sequence[int] | None = None,
            import_: int | None = None) -> list[Contribution]:
    """Contributions by id (see ``Contributions.list``)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10_000:
        raise ValidationError(T("limit is from 1 to 10000"), field="limit")
    member_id = None if member is None else uow.members.id_of(member)
    if import_ is not None:
        uow.approvals.check_import(import_)
    return uow.contributions.listing(status=status, member_id=member_id, rule=rule,
                                     from_=from_, to=to, flagged=flagged, after=after,
                                     limit=limit, ids=ids, import_id=import_)


def get(uow: UnitOfWork, contribution_id: int) -> Contribution:
    found = listing(uow, ids=[contribution_id])
    if not found:
        raise UnknownContribution(T("unknown contribution {id}", id=contribution_id),
                                  field="contribution")
    return found[0]


def recorder(recorded_by: str | Actor) -> str:
    """What the books keep of a recorder: an ``Actor``'s reference, or a plain name (a
    name recorded so is the same person as ``Actor.operator`` of that name)."""
    return recorded_by.ref if isinstance(recorded_by, Actor) else recorded_by


class Contributions:
    def __init__(self, store: Store) -> None:
        self.store = store

    def record(self, community: str, member: str, rule: str, *, key: str,
               quantity: int | float | str | None = None,
               occurred_on: date | str | None = None, started_at: datetime | None = None,
               ended_at: datetime | None = None, scheduled_minutes: int | None = None,
               tags: Sequence[str] = (), note: str = "", period: str | None = None,
               recorded_by: str | Actor = "system") -> ContributionResult:
        """Record one contribution; auto-approved rules post their award at once,
        rules that need approval leave it ``pending``. Caps cut points, never reject."""
        item = ContributionInput(member, rule, quantity, occurred_on, started_at, ended_at,
                                 scheduled_minutes, tuple(tags), note, period)
        return self.store.transact(community, lambda uow: record(
            uow, item, key=key, recorded_by=recorder(recorded_by)))

    def record_batch(self, community: str, rule: str, members_: Sequence[str], *, key: str,
                     quantity: int | float | str | None = None,
                     occurred_on: date | str | None = None,
                     started_at: datetime | None = None, ended_at: datetime | None = None,
                     scheduled_minutes: int | None = None, tags: Sequence[str] = (),
                     note: str = "", period: str | None = None,
                     recorded_by: str | Actor = "system") -> BatchResult:
        """One activity, many members (a service day, a snow-clearing morning): one
        contribution each, all or none, under one idempotency key."""
        if isinstance(members_, str) or not members_:
            raise ValidationError(T("a batch names at least one member"), field="members")
        if len(set(members_)) != len(members_):
            raise ValidationError(T("a member is named twice in the batch"), field="members")
        items = [ContributionInput(m, rule, quantity, occurred_on, started_at, ended_at,
                                   scheduled_minutes, tuple(tags), note, period)
                 for m in members_]
        return self.store.transact(community, lambda uow: record_batch(
            uow, items, key=key, recorded_by=recorder(recorded_by)))

    def record_many(self, community: str, items: Sequence[ContributionInput], *,
                    recorded_by: str | Actor = "system") -> BulkResult:
        """Record many contributions (an import: thousands to hundreds of thousands) in
        one transaction with set-based statements. Each item carries its own ``key``;
        items whose key was already used are replayed (not recorded again)."""
        with gc_paused():
            return self.store.transact(community, lambda uow: record_many(
                uow, items, recorded_by=recorder(recorded_by)))

    def approve(self, community: str, contribution_id: int, *, approver: Actor,
                key: str | None) -> ContributionResult:
        """Approve a pending contribution once and post its award in the same
        transaction, as ``approver`` (``Actor.key(3, "王芳")``, ``Actor.host("u17")``,
        ``Actor.operator("李四")``): not the person who recorded it, unless the
        community's settings say ``allow_self_approval``."""
        return self.store.transact(community, lambda uow: approve(
            uow, contribution_id, approver=approver, key=key))

    def reject(self, community: str, contribution_id: int, *, approver: Actor, reason: str,
               key: str | None) -> ContributionResult:
        """Reject a pending contribution once, saying why; its points free the caps. The
        person who recorded it may not (unless ``allow_self_approval``)."""
        return self.store.transact(community, lambda uow: reject(
            uow, contribution_id, approver=approver, reason=reason, key=key))

    def reverse(self, community: str, contribution_id: int, *, actor: str, reason: str,
                key: str) -> ContributionResult:
        """Undo an approved contribution: reverse its award and take it off the monthly
        totals, even when the points were spent (the balance is then owed)."""
        return self.store.transact(community, lambda uow: reverse(
            uow, contribution_id, actor=actor, reason=reason, key=key))

    def get(self, community: str, contribution_id: int) -> Contribution:
        with self.store.reading(community) as uow:
            return get(uow, contribution_id)

    def list(self, community: str, *, status: str | None = None, member: str | None = None,
             rule: str | None = None, from_: date | None = None, to: date | None = None,
             flagged: bool | None = None, after: int | None = None, limit: int = 100,
             ids: Sequence[int] | None = None,
             import_: int | None = None) -> builtins.list[Contribution]:
        """Contributions by id, filtered by status, member, rule, local days
        ``from_``..``to`` (inclusive), whether they carry a flag and the import they came
        from; ``after`` an id to page on."""
        with self.store.reading(community) as uow:
            return listing(uow, status=status, member=member, rule=rule, from_=from_, to=to,
                           flagged=flagged, after=after, limit=limit, ids=ids,
                           import_=import_)
