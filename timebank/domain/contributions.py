"""Contributions as the use cases, the store and the views see them: what a caller asks
to record, what recording or a decision did, and a contribution as stored.

``Resolved`` is an input checked against its member and the rule version in force, the
unit the recording pipeline values, flags and writes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import attrs

from timebank.domain.rules import Claim, Rule

LIVE = ("pending", "approved")  # statuses that hold cap usage and count for streaks


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


def _str(value: object) -> object:
    return value if value is None or isinstance(value, str | int | float) else str(value)


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
    clipped: bool = False  # the quantity was cut to the rule's max_quantity
    storage_capped: bool = False  # the award was cut to the community's storage cap



@attrs.frozen
class BatchResult:
    contributions: tuple[ContributionResult, ...]



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
class ContributionRef:
    """A stored contribution as a decision (approve, reject, reverse) needs it: who
    earned what, its state, and the names of the rule version that valued it."""

    id: int
    member_id: int
    member: str
    rule: str
    unit: str
    points: int
    capped: bool
    status: str
    recorded_by: str
    occurred_at: datetime
    local_day: date
    entry_id: int | None
    name_zh: str
    name_en: str

    @property
    def month(self) -> str:
        """The local month it counts toward in the monthly totals."""
        return f"{self.local_day:%Y-%m}"

    def result(self, status: str, entry_id: int | None) -> ContributionResult:
        return ContributionResult(self.id, self.member, self.rule, status, self.points,
                                  self.unit, self.capped, entry_id)


@attrs.frozen
class Earner:
    """A member about to be credited: the id, and the roles and tags rules look at."""

    id: int
    roles: tuple[str, ...]
    tags: tuple[str, ...]


@attrs.frozen
class Resolved:
    """A validated input, resolved against its member and the rule version in force
    (``index`` is its place in the call)."""

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

    @property
    def auto(self) -> bool:
        """Approved as it is recorded: its rule needs no approval."""
        return not self.rule.approval

    @property
    def status(self) -> str:
        """The status it is recorded with."""
        return "approved" if self.auto else "pending"

    @property
    def month(self) -> str:
        """The local month it counts toward in the monthly totals."""
        return f"{self.claim.day:%Y-%m}"


def award_reason(name_zh: str, name_en: str) -> str:
    """An award's reason: the rule's names, as a statement shows them."""
    return f"{name_zh} / {name_en}"[:500]


def award_meta(contribution_id: int, rule: str, approver: str | None,
               approver_ref: str | None = None) -> dict[str, Any]:
    """An award's meta, naming the contribution, its rule and who approved it: the name
    a statement shows (a key's holder), and the reference the books keep when it
    differs (``key:3``)."""
    meta: dict[str, Any] = {"contribution": contribution_id, "rule": rule}
    if approver is not None:
        meta["approver"] = approver
        if approver_ref is not None and approver_ref != approver:
            meta["approver_ref"] = approver_ref
    return meta
