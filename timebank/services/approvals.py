"""Approving in bulk: a month of paper records reviewed in one act, four-eyes kept.

``approve_many`` checks each contribution exactly as ``contributions.approve`` does (still
pending, approver other than the recorder, flags unless asked) and approves the rest in
time order, a chunk at a time: the chunk's awards go through ``uow.ledger.post_many`` (the
one posting path), its decisions are one statement, and the monthly totals move with
them. The whole act is one transaction under one idempotency key: a replay returns the
first answer and approves nothing more.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime

import attrs

from timebank.domain.approvals import (
    ApprovalFilter,
    BulkApproval,
    Candidate,
    ImportSummary,
    Skipped,
    sort_key,
    triage,
    unknown,
)
from timebank.domain.approvals import monthly_totals as approval_totals
from timebank.domain.contributions import award_meta, award_reason
from timebank.domain.ledger import EntryKind, SystemAccount, move
from timebank.domain.transfers import storage_note
from timebank.errors import ValidationError
from timebank.i18n import T
from timebank.services.actors import Actor, check_actor, persons
from timebank.services.transfers import policy_of as transfer_policy
from timebank.services.transfers import storage_fit
from timebank.store.db import Store
from timebank.store.idempotency import check_key
from timebank.store.posting import NewEntry
from timebank.store.uow import UnitOfWork

CHUNK = 5000

__all__ = ["ApprovalFilter", "Approvals", "BulkApproval", "ImportSummary", "Skipped",
           "approve_many", "import_summary"]


def approve_many(uow: UnitOfWork, where: ApprovalFilter, *, approver: Actor, key: str,
                 include_flagged: bool = False) -> BulkApproval:
    """Approve every pending contribution ``where`` covers that a single approval by
    ``approver`` would approve; the rest are skipped, each with the reason (those the
    approver's person recorded, through any key, host identity or CLI name)."""
    check_key(key)
    approver = check_actor(approver)
    if not isinstance(include_flagged, bool):
        raise ValidationError(T("include_flagged is true or false"), field="include_flagged")
    where.check()
    request = {"op": "approve_many", **where.request(), "approver": approver.ref,
               "approver_name": approver.name, "include_flagged": include_flagged}

    def work() -> BulkApproval:
        if where.import_id is not None:
            uow.approvals.check_import(where.import_id)
        uow.approvals.lock(where)
        allow_self = bool(uow.community.settings.get("allow_self_approval"))
        approved = points = 0
        skipped: list[Skipped] = []
        capped: list[int] = []
        for chunk in _chunks(uow, where, skipped):
            who = persons(uow, [approver.ref, *{c.recorded_by for c in chunk}])
            passing, left = triage(chunk, who[approver.ref], allow_self=allow_self,
                                   include_flagged=include_flagged, persons=who,
                                   shown=approver.shown)
            skipped.extend(left)
            done = _approve(uow, passing, approver, capped)
            approved += len(done)
            points += sum(c.points for c in done)
        return BulkApproval(approved, points, tuple(sorted(skipped, key=lambda s: s.id)),
                            approver.ref, tuple(capped))
    return uow.once(key, request, work, BulkApproval)


def _chunks(uow: UnitOfWork, where: ApprovalFilter, skipped: list[Skipped]
            ) -> Iterator[list[Candidate]]:
    """The contributions ``where`` covers, a chunk at a time in time order (named ids
    that are no contribution of the community are added to ``skipped``)."""
    if where.ids is not None:
        order = uow.approvals.order_of(where.ids)
        skipped.extend(unknown(where.ids, (cid for _, cid in order)))
        for start in range(0, len(order), CHUNK):
            found = uow.approvals.by_ids([cid for _, cid in order[start:start + CHUNK]])
            yield sorted(found, key=sort_key)
        return
    after: tuple[datetime, int] | None = None
    while True:
        chunk = uow.approvals.pending_after(where, after, CHUNK)
        if not chunk:
            return
        yield chunk
        after = sort_key(chunk[-1])


def _approve(uow: UnitOfWork, passing: Sequence[Candidate], approver: Actor,
             capped: list[int]) -> Sequence[Candidate]:
    """Post the awards of ``passing`` (in time order) in one batch, mark them approved
    and add them to the monthly totals: what ``approve`` does for one. Awards the
    storage cap cuts are credited what fits (their ids added to ``capped``); returns
    ``passing`` with the points credited."""
    if not passing:
        return passing
    paying = [c for c in passing if c.points > 0]
    entry_of: dict[int, int] = {}
    if paying:
        accounts: dict[str, dict[int, int]] = {}
        sources: dict[str, int] = {}
        for unit in sorted({c.unit for c in paying}):
            accounts[unit] = uow.ledger.open_member_accounts(
                sorted({c.member_id for c in paying if c.unit == unit}), unit)
            sources[unit] = uow.ledger.system_account(SystemAccount.ISSUANCE, unit)
        credited = _storage_cap(uow, paying, accounts)
        if credited:
            capped.extend(credited)
            passing = [attrs.evolve(c, points=credited[c.id]) if c.id in credited else c
                       for c in passing]
            paying = [c for c in passing if c.points > 0]
        posted = uow.ledger.post_many([
            NewEntry(EntryKind.AWARD, move(sources[c.unit], accounts[c.unit][c.member_id],
                                           c.unit, c.points),
                     award_reason(c.name_zh, c.name_en), approver.ref, c.occurred_at,
                     award_meta(c.id, c.rule, approver.shown, approver.ref), earning=1)
            for c in paying])
        entry_of = {c.id: done.entry_id for c, done in zip(paying, posted, strict=True)}
    uow.approvals.approve([(c.id, entry_of.get(c.id)) for c in passing], approver.ref)
    uow.contributions.earn(approval_totals(passing))
    return passing


def _storage_cap(uow: UnitOfWork, paying: Sequence[Candidate],
                 accounts: dict[str, dict[int, int]]) -> dict[int, int]:
    """The awards among ``paying`` (in time order) the community's storage cap cuts:
    contribution id → the points that fit. Their rows are lowered, marked capped and
    keep the note."""
    policy = transfer_policy(uow.community)
    cut: dict[int, int] = {}
    for unit, account_of in accounts.items():
        if not policy.caps(unit):
            continue
        mine = [c for c in paying if c.unit == unit]
        fitted = storage_fit(uow, unit, [(account_of[c.member_id], c.points) for c in mine])
        cut.update({c.id: fits for c, fits in zip(mine, fitted, strict=True)
                    if fits < c.points})
    uow.contributions.cut_points([
        (c.id, cut[c.id], storage_note(c.points, cut[c.id], policy.storage_cap or 0))
        for c in paying if c.id in cut])
    return cut


def import_summary(uow: UnitOfWork, import_id: int) -> ImportSummary:
    return uow.approvals.import_summary(import_id)


class Approvals:
    """``tb.approvals``: bulk approval and the imports it starts from."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def approve_many(self, community: str, *, approver: Actor, key: str,
                     ids: Sequence[int] | None = None, import_id: int | None = None,
                     rule: str | None = None, unit: str | None = None,
                     from_: date | None = None, to: date | None = None,
                     recorded_by: str | None = None,
                     include_flagged: bool = False) -> BulkApproval:
        """Approve ``ids``, or every pending contribution matching the filter (an import,
        a rule, an org unit's members, local days ``from_``..``to``, a recorder), as
        ``approver``: each one checked as a single approval is, in time order, under one
        idempotency ``key``. Flagged ones are skipped unless ``include_flagged``."""
        where = ApprovalFilter(None if ids is None else tuple(ids), import_id, rule, unit,
                               from_, to, recorded_by)
        return self.store.transact(community, lambda uow: approve_many(
            uow, where, approver=approver, key=key, include_flagged=include_flagged))

    def import_summary(self, community: str, import_id: int) -> ImportSummary:
        """An import remembered: rows, added, pending approval, flagged, skipped."""
        with self.store.reading(community) as uow:
            return import_summary(uow, import_id)
