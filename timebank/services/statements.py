"""Statements that explain: every ledger line of a member, with the rule, the
contribution and the approver behind it, and the running balance as stored with each
posting (``balance_after``), never re-summed."""

from __future__ import annotations

from datetime import date, timedelta

from timebank.domain.ledger import check_unit
from timebank.domain.statements import Statement, StatementLine
from timebank.errors import ValidationError
from timebank.i18n import T
from timebank.store.db import Store
from timebank.store.uow import UnitOfWork
from timebank.timeutil import start_of_day_utc

__all__ = ["Statement", "StatementLine", "Statements", "statement"]


def statement(uow: UnitOfWork, member: str, *, from_: date | None = None,
              to: date | None = None, unit: str | None = None,
              limit: int = 10_000) -> Statement:
    """The member's ledger lines written on local days ``from_``..``to`` (inclusive),
    in one unit or all, read on one snapshot."""
    if unit is not None:
        check_unit(unit)
    if from_ is not None and to is not None and to < from_:
        raise ValidationError(T("'to' is before 'from'"), field="to")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100_000:
        raise ValidationError(T("limit is from 1 to 100000"), field="limit")
    tz = uow.community.timezone
    since = start_of_day_utc(from_, tz) if from_ is not None else None
    until = start_of_day_utc(to + timedelta(days=1), tz) if to is not None else None
    # The stored balances first: they say which units the member has, and an unknown
    # member is refused before his lines are looked for.
    stored = uow.ledger.member_balances(member)
    lines = uow.history.statement_lines(member, unit, since, until, limit)
    opening: dict[str, int] = {}
    closing: dict[str, int] = {}
    for line in lines:
        opening.setdefault(line.unit, line.balance_after - line.amount)
        closing[line.unit] = line.balance_after
    for u in [unit] if unit else sorted(stored):
        # A unit without lines in the window: its balance did not move within it.
        if u not in closing:
            opening[u] = closing[u] = uow.history.balance_before(member, u, until) \
                if until is not None else stored[u].posted
    return Statement(member, from_, to, tuple(lines), opening, closing,
                     uow.community.timezone)


class Statements:
    def __init__(self, store: Store) -> None:
        self.store = store

    def statement(self, community: str, member: str, *, from_: date | None = None,
                  to: date | None = None, unit: str | None = None,
                  limit: int = 10_000) -> Statement:
        """The member's ledger lines written on local days ``from_``..``to`` (inclusive),
        in one unit or all."""
        with self.store.reading(community) as uow:
            return statement(uow, member, from_=from_, to=to, unit=unit, limit=limit)
