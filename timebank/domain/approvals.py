"""Approving in bulk, and imports remembered: the values and the one pure rule.

A bulk approval checks each contribution exactly as a single approval does: it is still
pending, its approver is not its recorder (unless the community allows self-approval),
and, unless asked, it carries no anomaly flag. Those that pass are approved in time
order; the others are skipped with the reason, so a clerk sees what is left and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

import attrs

from timebank.errors import ValidationError
from timebank.i18n import T

MAX_IDS = 100_000  # ids named in one act; a filter has no such limit

# Why a contribution was left out of a bulk approval (the ``reason`` codes).
SELF_APPROVAL = "self_approval"
FLAGGED = "flagged"
NOT_PENDING = "not_pending"
UNKNOWN = "unknown"


@attrs.frozen
class ApprovalFilter:
    """What a bulk approval covers: ``ids``, or the pending contributions matching every
    given field (``unit`` is an org unit: its members, living there or serving in it)."""

    ids: tuple[int, ...] | None = None
    import_id: int | None = None
    rule: str | None = None
    unit: str | None = None
    from_: date | None = None
    to: date | None = None
    recorded_by: str | None = None

    def check(self) -> ApprovalFilter:
        if self.ids is not None:
            if len(self.ids) > MAX_IDS:
                raise ValidationError(T("at most {max_ids} ids in one approval, got {n}",
                                        max_ids=MAX_IDS, n=len(self.ids)),
                                      field="ids", limit=MAX_IDS)
            if any(isinstance(i, bool) or not isinstance(i, int) or i < 1
                   for i in self.ids):
                raise ValidationError(T("ids are positive whole numbers"), field="ids")
            if any(v is not None for v in (self.import_id, self.rule, self.unit, self.from_,
                                           self.to, self.recorded_by)):
                raise ValidationError(T("give ids or a filter, not both"), field="ids")
        if self.from_ is not None and self.to is not None and self.from_ > self.to:
            raise ValidationError(T("from is on or before to"), field="from")
        return self

    def request(self) -> dict[str, object]:
        """As an idempotency key binds it (JSON)."""
        return {"ids": list(self.ids) if self.ids is not None else None,
                "import": self.import_id, "rule": self.rule, "unit": self.unit,
                "from": None if self.from_ is None else self.from_.isoformat(),
                "to": None if self.to is None else self.to.isoformat(),
                "recorded_by": self.recorded_by}


@attrs.frozen
class Candidate:
    """A contribution a bulk approval looks at, with what a decision needs."""

    id: int
    member_id: int
    rule: str
    unit: str
    points: int
    status: str
    recorded_by: str
    occurred_at: datetime
    local_day: date
    name_zh: str
    name_en: str
    flags: tuple[str, ...] = ()

    @property
    def month(self) -> str:
        return f"{self.local_day:%Y-%m}"


@attrs.frozen
class Skipped:
    id: int
    reason: str   # one of the codes above
    detail: str = ""


@attrs.frozen
class BulkApproval:
    """What one bulk approval did: how many it approved (and their points), and every
    contribution it looked at and left, with the reason."""

    approved: int
    points: int
    skipped: tuple[Skipped, ...]
    approver: str
    capped: tuple[int, ...] = ()  # approved, but the storage cap cut their awards


@attrs.frozen
class ImportSummary:
    """An import remembered: what the file held and what it left to do. ``pending`` and
    ``flagged`` are as the import ended; ``still_pending`` is now."""

    id: int
    kind: str
    file: str
    actor: str
    started_at: datetime
    finished_at: datetime | None
    committed: bool
    rows: int
    added: int
    unchanged: int
    rejected: int
    pending: int
    flagged: int
    problems: tuple[dict[str, object], ...] = ()
    still_pending: int = 0


def sort_key(c: Candidate) -> tuple[datetime, int]:
    """Time order: when it happened, then the order it was recorded in."""
    return c.occurred_at, c.id


def triage(candidates: Iterable[Candidate], approver: str, *, allow_self: bool,
           include_flagged: bool, persons: Mapping[str, str] | None = None,
           shown: str | None = None) -> tuple[list[Candidate], list[Skipped]]:
    """(to approve in time order, skipped with reasons), as ``approve`` would decide
    each one. With ``persons`` (each recorder's reference → the person behind it),
    ``approver`` is the approver's person, and ``shown`` the name the reasons give."""
    passing: list[Candidate] = []
    skipped: list[Skipped] = []
    for c in candidates:
        recorder = c.recorded_by if persons is None else persons.get(c.recorded_by,
                                                                     c.recorded_by)
        if c.status != "pending":
            skipped.append(Skipped(c.id, NOT_PENDING, f"already {c.status}"))
        elif recorder == approver and not allow_self:
            skipped.append(Skipped(c.id, SELF_APPROVAL,
                                   f"{shown or approver} recorded it and may not approve it"))
        elif c.flags and not include_flagged:
            skipped.append(Skipped(c.id, FLAGGED, ", ".join(c.flags)))
        else:
            passing.append(c)
    passing.sort(key=sort_key)
    return passing, skipped


def unknown(asked: Sequence[int], found: Iterable[int]) -> list[Skipped]:
    """The named ids that are no contribution of the community."""
    seen = set(found)
    return [Skipped(i, UNKNOWN, "no such contribution") for i in dict.fromkeys(asked)
            if i not in seen]


def monthly_totals(approved: Iterable[Candidate]
                   ) -> list[tuple[int, str, str, str, int, int]]:
    """(member, rule, unit, month, points, contributions) the approvals add."""
    totals: dict[tuple[int, str, str, str], list[int]] = {}
    for c in approved:
        total = totals.setdefault((c.member_id, c.rule, c.unit, c.month), [0, 0])
        total[0] += c.points
        total[1] += 1
    return [(*k, p, n) for k, (p, n) in totals.items()]
