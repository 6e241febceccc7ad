"""A member's statement as plain values: the lines that explain every posting on his
accounts, and the balance per unit before the first line and after the last."""

from __future__ import annotations

from datetime import date, datetime

import attrs


@attrs.frozen
class StatementLine:
    """One posting on the member's account. ``at`` is when it was written (naive UTC),
    ``occurred_at`` when what it pays for happened; ``reason`` is the entry's reason."""

    entry_id: int
    at: datetime
    occurred_at: datetime
    kind: str
    amount: int
    unit: str
    balance_after: int
    reason: str
    rule: str | None = None
    contribution: int | None = None
    approver: str | None = None
    reverses: int | None = None
    request: int | None = None       # an exchange line: the request it pays
    counterparty: str | None = None  # ... and the other member(s) of it


@attrs.frozen
class Statement:
    """A member's lines in the order they were written, with the balance per unit
    before the first line and after the last (``opening``/``closing``)."""

    member: str
    from_: date | None
    to: date | None
    lines: tuple[StatementLine, ...]
    opening: dict[str, int]
    closing: dict[str, int]
    timezone: str = "UTC"    # the community's: how its times are shown in exports

    @property
    def owed(self) -> dict[str, int]:
        """欠 per unit: a closing balance below zero (an award reversed after it was spent)."""
        return {unit: -bal for unit, bal in self.closing.items() if bal < 0}
