"""Contributions: record (one, one activity for many members, or many in bulk), approve,
reject, reverse, and read them back with their anomaly flags.

Every way of recording goes through one set-based pipeline (``_record``): members, rule
versions, cap usage, streak weeks and the neighbours needed for anomaly flags are fetched
with a few queries per call, each contribution is valued by the pure
``timebank.domain.rules.evaluate``, and rows are written with ``executemany``. Awards of
auto-approved rules are posted in the same transaction (``store.bulk.award_many``), and
the monthly running totals (``earnings_monthly``) move with them.

On PostgreSQL the members' rows are locked (``FOR UPDATE``, by id) before their cap usage
is read, so two concurrent recordings cannot both fill the same cap; SQLite writers are
serialised by ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain import anomalies
from timebank.domain import rulebook as books_of_rules
from timebank.domain.ledger import EntryKind, SystemAccount, check_amount, move, negate
from timebank.domain.rules import Claim, Rule, evaluate, period_bounds, period_keys, week_of
from timebank.errors import (
    InvalidAmount,
    InvalidState,
    NotEligible,
    SelfApproval,
    UnknownContribution,
    UnknownMember,
    ValidationError,
)
from timebank.services.rules import Versions, load_versions, version_on
from timebank.store import legacy as bulk
from timebank.store import legacy as books
from timebank.store.tables import (
    contribution_flags,
    contributions,
    earnings_monthly,
)
from timebank.store.db import Store
from timebank.store.idempotency import check_key
from timebank.store.legacy import once
from timebank.store.tables import idempotency_keys, members
from timebank.timeutil import local_date, start_of_day_utc, utc_naive, utcnow

CHUNK = 5000
LIVE = ("pending", "approved")  # statuses that hold cap usage and count for streaks
MAX_BASE_QUANTITY = 10**7
_TAG = re.compile(r"^[\w.-]{1,32}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@attrs.frozen
class ContributionInput:
    """One contribution to record. ``quantity`` is hours for ``per_hour`` rules (or give
    ``started_at`` and ``ended_at``), items or occurrences otherwise (default 1).
    ``occurred_on`` is a local day; times are aware, or naive UTC. ``key`` is only read
    by ``record_many`` (one idempotency key per contribution)."""

    member: str
    rule: str
    quantity: int | float | str | None = None
    occurred_on: date | str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    scheduled_minutes: int | None = None
    tags: tuple[str, ...] = ()
    note: str = ""
    period: str | None = None
    key: str | None = None

    def request(self, recorded_by: str) -> dict[str, Any]:
        """What an idempotency key is bound to, as JSON stores it (dates and times as
        their ``str``, what ``idempotency.canonical`` makes of them)."""
        return {"op": "contribution", "member": self.member, "rule": self.rule,
                "quantity": self.quantity, "occurred_on": _str(self.occurred_on),
                "started_at": _str(self.started_at), "ended_at": _str(self.ended_at),
                "scheduled_minutes": self.scheduled_minutes, "tags": list(self.tags),
                "note": self.note, "period": self.period, "recorded_by": recorded_by}


@attrs.frozen
class ContributionResult:
    """What recording (or approving) one contribution did."""

    id: int
    member: str
    rule: str
    status: str  # pending, approved, rejected, reversed
    points: int
    unit: str
    capped: bool
    entry_id: int | None = None
    flags: tuple[str, ...] = ()

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> ContributionResult:
        return cls(**{**data, "flags": tuple(data.get("flags", ()))})


@attrs.frozen
class BatchResult:
    contributions: tuple[ContributionResult, ...]

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> BatchResult:
        return cls(tuple(ContributionResult.of(c) for c in data["contributions"]))


@attrs.frozen
class BulkResult:
    """``record_many``: how many were recorded now and how many were replays of keys
    already used, the ids in input order, and the points awarded now."""

    recorded: int
    replayed: int
    approved: int
    pending: int
    points: int
    ids: tuple[int, ...]


@attrs.frozen
class Flag:
    kind: str
    detail: str


@attrs.frozen
class Contribution:
    """A stored contribution. ``quantity`` and ``credited`` are in minutes for timed
    rules (``per_hour``), else in items; ``notes`` say why anything was cut."""

    id: int
    member: str
    rule: str
    status: str
    unit: str
    quantity: int
    credited: int
    raw_points: int
    points: int
    capped: bool
    bonus: int
    occurred_on: date
    started_at: datetime
    ended_at: datetime | None
    period: str | None
    tags: tuple[str, ...]
    note: str
    notes: tuple[str, ...]
    recorded_by: str
    recorded_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    entry_id: int | None
    reversal_id: int | None
    flags: tuple[Flag, ...] = ()


@attrs.frozen
class _Item:
    """A validated input, resolved against the member and the rule version in force."""

    index: int
    member_code: str
    member_id: int
    roles: tuple[str, ...]
    version_id: int
    rule: Rule
    claim: Claim
    occurred_at: datetime
    ended_at: datetime | None
    period: str | None
    note: str


class Contributions:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- recording -----------------------------------------------------------------------

    def record(self, community: str, member: str, rule: str, *, key: str,
               quantity: int | float | str | None = None,
               occurred_on: date | str | None = None, started_at: datetime | None = None,
               ended_at: datetime | None = None, scheduled_minutes: int | None = None,
               tags: Sequence[str] = (), note: str = "", period: str | None = None,
               recorded_by: str = "system") -> ContributionResult:
        """Record one contribution; auto-approved rules post their award at once,
        rules that need approval leave it ``pending``. Caps cut points, never reject."""
        item = ContributionInput(member, rule, quantity, occurred_on, started_at, ended_at,
                                 scheduled_minutes, tuple(tags), note, period)
        request = item.request(recorded_by)

        def run(conn: Connection) -> dict[str, Any]:
            comm = books.community(conn, community)
            return once(conn, comm.id, key, request,
                        lambda: _record(conn, comm, [item], recorded_by)[0])
        return ContributionResult.of(self.store.write(run))

    def record_batch(self, community: str, rule: str, members_: Sequence[str], *, key: str,
                     quantity: int | float | str | None = None,
                     occurred_on: date | str | None = None,
                     started_at: datetime | None = None, ended_at: datetime | None = None,
                     scheduled_minutes: int | None = None, tags: Sequence[str] = (),
                     note: str = "", recorded_by: str = "system") -> BatchResult:
        """One activity, many members (a service day, a snow-clearing morning): one
        contribution each, all or none, under one idempotency key."""
        if isinstance(members_, str) or not members_:
            raise ValidationError("a batch names at least one member", field="members")
        if len(set(members_)) != len(members_):
            raise ValidationError("a member is named twice in the batch", field="members")
        items = [ContributionInput(m, rule, quantity, occurred_on, started_at, ended_at,
                                   scheduled_minutes, tuple(tags), note) for m in members_]
        request = {**items[0].request(recorded_by), "op": "batch", "member": None,
                   "members": list(members_)}

        def run(conn: Connection) -> dict[str, Any]:
            comm = books.community(conn, community)
            return once(conn, comm.id, key, request, lambda: {
                "contributions": _record(conn, comm, items, recorded_by)})
        return BatchResult.of(self.store.write(run))

    def record_many(self, community: str, items: Sequence[ContributionInput], *,
                    recorded_by: str = "system") -> BulkResult:
        """Record many contributions (an import: thousands to hundreds of thousands) in
        one transaction with set-based statements. Each item carries its own ``key``;
        items whose key was already used are replayed (not recorded again)."""
        return self.store.write(lambda conn: record_many(
            conn, books.community(conn, community), items, recorded_by=recorded_by))

    # -- decisions -----------------------------------------------------------------------

    def approve(self, community: str, contribution_id: int, *, approver: str,
                key: str) -> ContributionResult:
        """Approve a pending contribution once and post its award in the same
        transaction. The approver is not the recorder unless the community's settings
        say ``allow_self_approval``."""
        request = {"op": "approve", "contribution": contribution_id, "approver": approver}

        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            row = _row(conn, comm.id, contribution_id)
            if row.status != "pending":
                raise InvalidState(f"contribution {contribution_id} is already {row.status}",
                                   field="status", state=row.status)
            if approver == row.recorded_by and not comm.settings.get("allow_self_approval"):
                raise SelfApproval(f"{approver!r} recorded contribution {contribution_id} "
                                   "and may not approve it", field="approver")
            _decide(conn, comm.id, contribution_id, "approved", approver, None)
            entry_id = None
            if row.points > 0:
                acc = books.open_member_accounts(conn, comm.id, [row.member_id],
                                                 row.unit)[row.member_id]
                issuance = books.system_account(conn, comm.id, SystemAccount.ISSUANCE,
                                                row.unit)
                entry_id = books.post(
                    conn, comm, EntryKind.AWARD, move(issuance, acc, row.unit, row.points),
                    reason=_reason(row.definition), actor=approver, occurred_at=row.occurred_at,
                    meta=_meta(contribution_id, row.rule, approver), earning=1).entry_id
                conn.execute(contributions.update()
                             .where(contributions.c.id == contribution_id)
                             .values(entry_id=entry_id))
            _earn(conn, [(comm.id, row.member_id, row.rule, row.unit,
                          f"{row.local_day:%Y-%m}", row.points, 1)])
            return _result(contribution_id, row, "approved", entry_id)
        return ContributionResult.of(self._write(community, key, request, work))

    def reject(self, community: str, contribution_id: int, *, approver: str, reason: str,
               key: str) -> ContributionResult:
        """Reject a pending contribution once, saying why; its points free the caps."""
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
            raise ValidationError("a rejection gives a reason of at most 500 characters",
                                  field="reason")
        request = {"op": "reject", "contribution": contribution_id, "approver": approver,
                   "reason": reason}

        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            row = _row(conn, comm.id, contribution_id)
            _decide(conn, comm.id, contribution_id, "rejected", approver, reason)
            return _result(contribution_id, row, "rejected", None)
        return ContributionResult.of(self._write(community, key, request, work))

    def reverse(self, community: str, contribution_id: int, *, actor: str, reason: str,
                key: str) -> ContributionResult:
        """Undo an approved contribution: reverse its award (the member must still have
        the points available) and take it off the monthly totals."""
        if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
            raise ValidationError("a reversal gives a reason of at most 500 characters",
                                  field="reason")
        request = {"op": "reverse_contribution", "contribution": contribution_id,
                   "actor": actor, "reason": reason}

        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            row = _row(conn, comm.id, contribution_id)
            _decide(conn, comm.id, contribution_id, "reversed", actor, reason,
                    start="approved")
            reversal = None
            if row.entry_id is not None:
                original = books.load_entry(conn, comm, row.entry_id)
                reversal = books.post(
                    conn, comm, EntryKind.REVERSAL, negate(original.legs), reason=reason,
                    actor=actor, reverses=row.entry_id, earning=-1,
                    meta={"reverses_kind": original.kind, **original.meta}).entry_id
                conn.execute(contributions.update()
                             .where(contributions.c.id == contribution_id)
                             .values(reversal_id=reversal))
            _earn(conn, [(comm.id, row.member_id, row.rule, row.unit,
                          f"{row.local_day:%Y-%m}", -row.points, -1)])
            return _result(contribution_id, row, "reversed", row.entry_id)
        return ContributionResult.of(self._write(community, key, request, work))

    def _write(self, community: str, key: str, request: dict[str, Any], work: Any) -> Any:
        def run(conn: Connection) -> dict[str, Any]:
            comm = books.community(conn, community)
            return once(conn, comm.id, key, request, lambda: work(conn, comm))
        return self.store.write(run)

    # -- reads ---------------------------------------------------------------------------

    def get(self, community: str, contribution_id: int) -> Contribution:
        found = self.list(community, ids=[contribution_id])
        if not found:
            raise UnknownContribution(f"unknown contribution {contribution_id}",
                                      field="contribution")
        return found[0]

    def list(self, community: str, *, status: str | None = None, member: str | None = None,
             rule: str | None = None, from_: date | None = None, to: date | None = None,
             flagged: bool | None = None, after: int | None = None, limit: int = 100,
             ids: Sequence[int] | None = None) -> list[Contribution]:
        """Contributions by id, filtered by status, member, rule, local days
        ``from_``..``to`` (inclusive) and whether they carry a flag; ``after`` an id to
        page on."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10_000:
            raise ValidationError("limit is from 1 to 10000", field="limit")
        c = contributions
        with self.store.read() as conn:
            comm = books.community(conn, community)
            query = (sa.select(c, members.c.code.label("member_code"))
                     .join(members, members.c.id == c.c.member_id)
                     .where(c.c.community_id == comm.id).order_by(c.c.id).limit(limit))
            if status is not None:
                query = query.where(c.c.status == status)
            if member is not None:
                query = query.where(c.c.member_id == books.member_id(conn, comm.id, member))
            if rule is not None:
                query = query.where(c.c.rule == rule)
            if from_ is not None:
                query = query.where(c.c.local_day >= from_)
            if to is not None:
                query = query.where(c.c.local_day <= to)
            if after is not None:
                query = query.where(c.c.id > after)
            if ids is not None:
                query = query.where(c.c.id.in_(list(ids)))
            flagged_ids = sa.select(contribution_flags.c.contribution_id)
            if flagged is True:
                query = query.where(c.c.id.in_(flagged_ids))
            elif flagged is False:
                query = query.where(c.c.id.not_in(flagged_ids))
            rows = conn.execute(query).all()
            flags: dict[int, list[Flag]] = defaultdict(list)
            if rows:
                for cid, kind, detail in conn.execute(
                        sa.select(contribution_flags.c.contribution_id,
                                  contribution_flags.c.kind, contribution_flags.c.detail)
                        .where(contribution_flags.c.contribution_id.in_([r.id for r in rows]))
                        .order_by(contribution_flags.c.id)):
                    flags[cid].append(Flag(kind, detail))
        return [Contribution(
            r.id, r.member_code, r.rule, r.status, r.unit, r.quantity, r.credited,
            r.raw_points, r.points, r.capped, r.bonus, r.local_day, r.occurred_at,
            r.ended_at, r.period, tuple(r.tags), r.note, tuple(r.notes), r.recorded_by,
            r.recorded_at, r.decided_by, r.decided_at, r.reason, r.entry_id, r.reversal_id,
            tuple(flags.get(r.id, ()))) for r in rows]


# -- the pipeline --------------------------------------------------------------------------


def record_many(conn: Connection, comm: books.CommunityRef,
                items: Sequence[ContributionInput], *, recorded_by: str) -> BulkResult:
    """``Contributions.record_many`` inside a transaction the caller holds (an import
    writes a whole file in one)."""
    if not items:
        raise ValidationError("nothing to record", field="items")
    requests: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(items):
        if item.key is None:
            raise ValidationError(f"item {index} has no idempotency key", field="key")
        check_key(item.key)
        req = item.request(recorded_by)
        if requests.setdefault(item.key, req) != req:
            raise ValidationError(f"key {item.key!r} is given to two different items",
                                  field="key")
    done = bulk.claimed(conn, comm.id, requests)
    fresh: list[ContributionInput] = []
    for item in items:
        if str(item.key) not in done:
            fresh.append(item)
            done[str(item.key)] = {}  # a repeated key within the call: a replay
    results = _record(conn, comm, fresh, recorded_by) if fresh else []
    now = utcnow()
    bulk.insert_rows(conn, idempotency_keys, [
        {"community_id": comm.id, "key": item.key,
         "request": requests[str(item.key)], "response": result, "created_at": now}
        for item, result in zip(fresh, results, strict=True)])
    by_key = {str(item.key): r for item, r in zip(fresh, results, strict=True)}
    ids = tuple(int((by_key.get(str(i.key)) or done[str(i.key)]).get("id", 0))
                for i in items)
    return BulkResult(
        len(results), len(items) - len(results),
        sum(r["status"] == "approved" for r in results),
        sum(r["status"] == "pending" for r in results),
        sum(r["points"] for r in results if r["status"] == "approved"), ids)


def _record(conn: Connection, comm: books.CommunityRef, inputs: Sequence[ContributionInput],
            recorded_by: str) -> list[dict[str, Any]]:
    """Validate, value, flag and write ``inputs``; returns one result dict each."""
    now = utcnow()
    today = local_date(now, comm.timezone)
    for input_ in inputs:  # cheap checks first: nothing is read for a malformed call
        _check_shape(input_)
    people = _members(conn, comm.id, {i.member for i in inputs})
    versions = load_versions(conn, comm.id, {i.rule for i in inputs})
    midnights: dict[date, datetime] = {}
    items = [_resolve(comm, index, input_, people, versions, today, midnights)
             for index, input_ in enumerate(inputs)]
    used, weeks = _usage(conn, comm.id, items)
    timed_codes = {code for code, hist in load_versions(conn, comm.id).items()
                   if any(r.timed for _, r in hist)}
    flags = _flags(conn, comm, items, timed_codes, now)

    ids = bulk.allocate_ids(conn, contributions, len(items))
    valued = []
    for item in items:
        keys = period_keys(item.claim.day)
        mine = {p: used[item.member_id, item.rule.code, p, keys[p]] for p in keys}
        value = evaluate(item.rule, item.claim, item.roles, used=mine,
                         weeks=weeks[item.member_id, item.rule.code])
        for p in keys:
            used[item.member_id, item.rule.code, p, keys[p]] += value.points
        weeks[item.member_id, item.rule.code].add(week_of(item.claim.day))
        valued.append(value)

    # Awards for rules that need no approval, posted in bulk.
    approved = [(item, value, cid) for item, value, cid in zip(items, valued, ids, strict=True)
                if not item.rule.approval]
    entry_of: dict[int, int] = {}
    paying = [(item, value, cid) for item, value, cid in approved if value.points > 0]
    if paying:
        accounts: dict[str, dict[int, int]] = {}
        for unit in {item.rule.unit for item, _, _ in paying}:
            accounts[unit] = books.open_member_accounts(
                conn, comm.id, sorted({i.member_id for i, _, _ in paying
                                       if i.rule.unit == unit}), unit)
        rules_paid = {item.version_id: item.rule for item, _, _ in paying}
        reasons = {vid: _reason(books_of_rules.to_dict(r)) for vid, r in rules_paid.items()}
        awards = [bulk.Award(accounts[item.rule.unit][item.member_id], value.points,
                             item.rule.unit, reasons[item.version_id],
                             item.occurred_at, _meta(cid, item.rule.code, None))
                  for item, value, cid in paying]
        entry_ids = bulk.award_many(conn, comm, awards, actor=recorded_by)
        entry_of = {cid: eid for (_, _, cid), eid in zip(paying, entry_ids, strict=True)}

    rows = []
    for item, value, cid in zip(items, valued, ids, strict=True):
        auto = not item.rule.approval
        rows.append({
            "id": cid, "community_id": comm.id, "member_id": item.member_id,
            "rule": item.rule.code, "rule_version_id": item.version_id,
            "unit": item.rule.unit, "quantity": item.claim.quantity,
            "credited": value.credited, "occurred_at": item.occurred_at,
            "ended_at": item.ended_at, "local_day": item.claim.day, "period": item.period,
            "tags": list(item.claim.tags), "note": item.note,
            "status": "approved" if auto else "pending", "raw_points": value.raw_points,
            "points": value.points, "capped": value.capped, "bonus": value.bonus,
            "notes": list(value.notes), "recorded_by": recorded_by, "recorded_at": now,
            "decided_by": None, "decided_at": now if auto else None, "reason": None,
            "entry_id": entry_of.get(cid), "reversal_id": None})
    bulk.insert_rows(conn, contributions, rows)
    bulk.insert_rows(conn, contribution_flags, [
        {"community_id": comm.id, "contribution_id": ids[item.index], "kind": f.kind,
         "detail": f.detail[:500]}
        for item in items for f in flags.get(item.index, ())])
    totals: dict[tuple[int, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for item, value, _ in approved:
        total = totals[item.member_id, item.rule.code, item.rule.unit,
                       f"{item.claim.day:%Y-%m}"]
        total[0] += value.points
        total[1] += 1
    _earn(conn, [(comm.id, *k, p, n) for k, (p, n) in totals.items()])
    return [{"id": cid, "member": item.member_code, "rule": item.rule.code,
             "status": row["status"], "points": value.points, "unit": item.rule.unit,
             "capped": value.capped, "entry_id": entry_of.get(cid),
             "flags": [f.kind for f in flags.get(item.index, ())]}
            for item, value, cid, row in zip(items, valued, ids, rows, strict=True)]


def _check_shape(item: ContributionInput) -> None:
    if not isinstance(item.member, str) or not item.member:
        raise ValidationError("a contribution names a member", field="member")
    if not isinstance(item.rule, str) or not item.rule:
        raise ValidationError("a contribution names a rule", field="rule")
    if not isinstance(item.note, str) or len(item.note) > 500:
        raise ValidationError("note is text of at most 500 characters", field="note")
    if isinstance(item.tags, str) or not all(
            isinstance(t, str) and _TAG.match(t) for t in item.tags):
        raise ValidationError("tags are short names such as 'blizzard'", field="tags")
    if item.period is not None and (not isinstance(item.period, str)
                                    or not _MONTH.match(item.period)):
        raise ValidationError("period is a month 'YYYY-MM'", field="period")
    if item.scheduled_minutes is not None:
        check_amount(item.scheduled_minutes, "scheduled_minutes")


def _members(conn: Connection, community_id: int, codes: set[str]
             ) -> dict[str, tuple[int, tuple[str, ...], tuple[str, ...]]]:
    """code → (id, roles, tags); on PostgreSQL the rows are locked by id (caps)."""
    found = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), CHUNK):
        query = (sa.select(members.c.id, members.c.code, members.c.roles, members.c.tags)
                 .where(members.c.community_id == community_id,
                        members.c.code.in_(ordered[start:start + CHUNK]))
                 .order_by(members.c.id))
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        for mid, code, roles, tags in conn.execute(query):
            found[code] = (mid, tuple(roles), tuple(tags))
    return found


def _resolve(comm: books.CommunityRef, index: int, item: ContributionInput,
             people: Mapping[str, tuple[int, tuple[str, ...], tuple[str, ...]]],
             versions: Versions, today: date, midnights: dict[date, datetime]) -> _Item:
    if item.member not in people:
        raise UnknownMember(f"unknown member {item.member!r}", field="member")
    member_id, roles, member_tags = people[item.member]
    occurred_at, ended_at, day = _when(item, comm.timezone, midnights)
    if day > today:
        raise ValidationError(f"a contribution cannot happen in the future ({day})",
                              field="occurred_on")
    version_id, rule = version_on(versions, item.rule, day)
    if not rule.eligible(roles, member_tags):
        raise NotEligible(f"member {item.member!r} may not earn from rule {rule.code!r}",
                          field="member", rule=rule.code)
    quantity = _quantity(item, rule, occurred_at, ended_at)
    period_start = None
    if item.period is not None:
        if rule.basis != "per_period":
            raise ValidationError(f"rule {rule.code!r} is not paid per period",
                                  field="period")
        period_start = date.fromisoformat(item.period + "-01")
    elif rule.basis == "per_period":
        period_start = day.replace(day=1)
    scheduled = item.scheduled_minutes if rule.timed else None
    claim = Claim(quantity, day, tuple(item.tags), scheduled, period_start)
    period = f"{period_start:%Y-%m}" if period_start is not None else None
    return _Item(index, item.member, member_id, roles, version_id, rule, claim, occurred_at,
                 ended_at, period, item.note)


def _when(item: ContributionInput, tz: str, midnights: dict[date, datetime]
          ) -> tuple[datetime, datetime | None, date]:
    """(occurred_at UTC, ended_at UTC or None, local day); ``midnights`` caches the
    UTC instant each local day starts."""
    if item.started_at is not None or item.ended_at is not None:
        if item.occurred_on is not None:
            raise ValidationError("give occurred_on or started_at/ended_at, not both",
                                  field="occurred_on")
        for name in ("started_at", "ended_at"):
            if not isinstance(getattr(item, name), datetime):
                raise ValidationError(f"{name} is a date and time", field=name)
        assert item.started_at is not None and item.ended_at is not None
        start, end = utc_naive(item.started_at), utc_naive(item.ended_at)
        if end <= start:
            raise ValidationError("ended_at is after started_at", field="ended_at")
        return start, end, local_date(start, tz)
    day = item.occurred_on
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            raise ValidationError(f"occurred_on is a date like 2024-03-15, got {day!r}",
                                  field="occurred_on") from None
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValidationError("a contribution gives occurred_on or started_at and "
                              "ended_at", field="occurred_on")
    if day not in midnights:
        midnights[day] = start_of_day_utc(day, tz)
    return midnights[day], None, day


def _quantity(item: ContributionInput, rule: Rule, start: datetime,
              end: datetime | None) -> int:
    """The quantity in base units: minutes for per_hour rules, else items."""
    raw = item.quantity
    if type(raw) is int and raw > 0 and raw * 60 <= MAX_BASE_QUANTITY:  # the common case
        return raw * 60 if rule.timed else raw
    if type(raw) is float and rule.timed and 0 < raw * 60 <= MAX_BASE_QUANTITY:
        minutes = raw * 60
        if minutes == int(minutes):  # whole minutes, as 1.5 hours is
            return int(minutes)
    if raw is None:
        if end is not None and rule.timed:
            return int((end - start) // timedelta(minutes=1)) or _too_small()
        if rule.timed:
            raise ValidationError(f"rule {rule.code!r} counts hours: give quantity or "
                                  "started_at and ended_at", field="quantity")
        return 1
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise InvalidAmount(f"quantity must be a number, got {raw!r}", field="quantity")
    try:
        number = Fraction(str(raw))
    except (ValueError, ZeroDivisionError):
        raise InvalidAmount(f"quantity must be a number, got {raw!r}",
                            field="quantity") from None
    if number <= 0:
        raise InvalidAmount(f"quantity must be positive, got {raw}", field="quantity")
    if not rule.timed and number.denominator != 1:
        raise InvalidAmount(f"rule {rule.code!r} counts whole items, got {raw}",
                            field="quantity")
    base = rule.to_base(number) or _too_small()
    if base > MAX_BASE_QUANTITY:
        raise InvalidAmount(f"quantity {raw} is out of range", field="quantity")
    return base


def _str(value: object) -> object:
    return value if value is None or isinstance(value, str | int | float) else str(value)


def _too_small() -> int:
    raise InvalidAmount("quantity must be at least one minute", field="quantity")


def _usage(conn: Connection, community_id: int, items: Sequence[_Item]
           ) -> tuple[dict[tuple[Any, ...], int], dict[tuple[int, str], set[date]]]:
    """Points already counted per (member, rule, period, key) for capped rules, and
    weeks with a contribution per (member, rule) for streak rules: two grouped reads."""
    used: dict[tuple[Any, ...], int] = defaultdict(int)
    weeks: dict[tuple[int, str], set[date]] = defaultdict(set)
    capped = [i for i in items if i.rule.caps.items()]
    streaky = [i for i in items if i.rule.streak is not None]
    c = contributions
    if capped:
        low = period_bounds(min(i.claim.day for i in capped))[0]
        high = period_bounds(max(i.claim.day for i in capped))[1]
        for rows in _chunks(conn, capped, lambda ids, codes: (
                sa.select(c.c.member_id, c.c.rule, c.c.local_day, sa.func.sum(c.c.points))
                .where(c.c.member_id.in_(ids), c.c.rule.in_(codes), c.c.status.in_(LIVE),
                       c.c.local_day.between(low, high))
                .group_by(c.c.member_id, c.c.rule, c.c.local_day))):
            for member_id, code, day, points in rows:
                for period, key in period_keys(day).items():
                    used[member_id, code, period, key] += int(points or 0)
    if streaky:
        for rows in _chunks(conn, streaky, lambda ids, codes: (
                sa.select(c.c.member_id, c.c.rule, c.c.local_day).distinct()
                .where(c.c.member_id.in_(ids), c.c.rule.in_(codes),
                       c.c.status.in_(LIVE)))):
            for member_id, code, day in rows:
                weeks[member_id, code].add(week_of(day))
    return used, weeks


def _chunks(conn: Connection, items: Sequence[_Item], build: Any) -> Any:
    ids = sorted({i.member_id for i in items})
    codes = sorted({i.rule.code for i in items})
    for start in range(0, len(ids), CHUNK):
        yield conn.execute(build(ids[start:start + CHUNK], codes)).all()


def _flags(conn: Connection, comm: books.CommunityRef, items: Sequence[_Item],
           timed_codes: set[str], now: datetime) -> dict[int, list[anomalies.Flag]]:
    """Anomaly flags per item index, checked against the new items and the members'
    stored contributions around the same days."""
    flags: dict[int, list[anomalies.Flag]] = defaultdict(list)
    for item in items:
        for found in (anomalies.late(item.occurred_at, now),
                      anomalies.unusual(item.rule, item.claim.quantity)):
            if found is not None:
                flags[item.index].append(found)
    timed = [i for i in items if i.rule.timed]
    if not timed:
        return flags
    low = min(i.claim.day for i in timed) - timedelta(days=1)
    high = max(i.claim.day for i in timed) + timedelta(days=1)
    c = contributions
    existing_spans, existing_days = [], []
    for rows in _chunks(conn, timed, lambda ids, _codes: (
            sa.select(c.c.id, c.c.member_id, c.c.rule, c.c.occurred_at, c.c.ended_at,
                      c.c.local_day, c.c.credited)
            .where(c.c.member_id.in_(ids), c.c.status.in_(LIVE),
                   c.c.rule.in_(sorted(timed_codes)), c.c.local_day.between(low, high)))):
        for cid, member_id, _rule, start, end, day, credited in rows:
            if end is not None:
                existing_spans.append(anomalies.Span(cid, member_id, start, end))
            existing_days.append(anomalies.DayMinutes(cid, member_id, day, credited))
    new_spans = [anomalies.Span(i.index, i.member_id, i.occurred_at, i.ended_at)
                 for i in timed if i.ended_at is not None]
    new_days = [anomalies.DayMinutes(i.index, i.member_id, i.claim.day, i.claim.quantity)
                for i in timed]
    for by_ref in (anomalies.overlaps(new_spans, existing_spans),
                   anomalies.long_days(new_days, existing_days)):
        for index, flag in by_ref.items():
            assert isinstance(index, int)
            flags[index].append(flag)
    return flags


def _earn(conn: Connection, rows: Sequence[tuple[int, int, str, str, str, int, int]]) -> None:
    """Add to the monthly running totals (one upsert per member, rule and month)."""
    if not rows:
        return
    from sqlalchemy.dialects import postgresql, sqlite

    dialect: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(earnings_monthly)
    stmt = stmt.on_conflict_do_update(
        index_elements=["community_id", "member_id", "rule", "unit", "month"],
        set_={"points": earnings_monthly.c.points + stmt.excluded.points,
              "contributions": earnings_monthly.c.contributions + stmt.excluded.contributions})
    bulk_rows = [{"community_id": c, "member_id": m, "rule": r, "unit": u, "month": mo,
                  "points": p, "contributions": n} for c, m, r, u, mo, p, n in rows]
    for start in range(0, len(bulk_rows), 50_000):
        conn.execute(stmt, bulk_rows[start:start + 50_000])


# -- decisions -----------------------------------------------------------------------------


def _row(conn: Connection, community_id: int, contribution_id: int) -> sa.Row:
    from timebank.store.tables import rule_versions

    c = contributions
    row = conn.execute(
        sa.select(c.c.member_id, members.c.code.label("member"), c.c.rule, c.c.unit,
                  c.c.points, c.c.capped, c.c.status, c.c.recorded_by, c.c.occurred_at,
                  c.c.local_day, c.c.entry_id, rule_versions.c.definition)
        .join(members, members.c.id == c.c.member_id)
        .join(rule_versions, rule_versions.c.id == c.c.rule_version_id)
        .where(c.c.id == contribution_id, c.c.community_id == community_id)).first()
    if row is None:
        raise UnknownContribution(f"unknown contribution {contribution_id}",
                                  field="contribution")
    return row


def _decide(conn: Connection, community_id: int, contribution_id: int, status: str,
            who: str, reason: str | None, *, start: str = "pending") -> None:
    """The guarded state change: of two racing decisions only one finds ``start``."""
    done = conn.execute(
        contributions.update()
        .where(contributions.c.id == contribution_id,
               contributions.c.community_id == community_id,
               contributions.c.status == start)
        .values(status=status, decided_by=who, decided_at=utcnow(), reason=reason)
        .returning(contributions.c.id)).first()
    if done is None:
        current = conn.execute(sa.select(contributions.c.status).where(
            contributions.c.id == contribution_id)).scalar()
        raise InvalidState(f"contribution {contribution_id} is {current}, not {start}",
                           field="status", state=current)


def _result(contribution_id: int, row: sa.Row, status: str,
            entry_id: int | None) -> dict[str, Any]:
    return attrs.asdict(ContributionResult(
        contribution_id, row.member, row.rule, status, row.points, row.unit, row.capped, entry_id))


def _reason(definition: Mapping[str, Any]) -> str:
    """An award's reason: the rule's names, as a statement shows them."""
    return f"{definition['name_zh']} / {definition['name_en']}"[:500]


def _meta(contribution_id: int, rule: str, approver: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"contribution": contribution_id, "rule": rule}
    if approver is not None:
        meta["approver"] = approver
    return meta


__all__ = ["BatchResult", "BulkResult", "Contribution", "ContributionInput",
           "ContributionResult", "Contributions", "Flag"]
