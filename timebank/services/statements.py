"""Statements that explain: every ledger line of a member, with the rule, the
contribution and the approver behind it, and the running balance as stored with each
posting (``balance_after``), never re-summed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import attrs
import sqlalchemy as sa

from timebank.domain.ledger import check_unit
from timebank.errors import ValidationError
from timebank.store import legacy as books
from timebank.store.db import Store
from timebank.store.tables import accounts, entries, postings
from timebank.timeutil import start_of_day_utc


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


class Statements:
    def __init__(self, store: Store) -> None:
        self.store = store

    def statement(self, community: str, member: str, *, from_: date | None = None,
                  to: date | None = None, unit: str | None = None,
                  limit: int = 10_000) -> Statement:
        """The member's ledger lines written on local days ``from_``..``to`` (inclusive),
        in one unit or all."""
        if unit is not None:
            check_unit(unit)
        if from_ is not None and to is not None and to < from_:
            raise ValidationError("'to' is before 'from'", field="to")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100_000:
            raise ValidationError("limit is from 1 to 100000", field="limit")
        with self.store.read() as conn:
            comm = books.community(conn, community)
            member_id = books.member_id(conn, comm.id, member)
            query = (sa.select(postings.c.id, entries.c.id.label("entry_id"),
                               entries.c.recorded_at, entries.c.occurred_at, entries.c.kind,
                               postings.c.amount, accounts.c.unit, postings.c.balance_after,
                               entries.c.reason, entries.c.meta, entries.c.reverses_id)
                     .select_from(postings.join(accounts, accounts.c.id == postings.c.account_id)
                                  .join(entries, entries.c.id == postings.c.entry_id))
                     .where(accounts.c.member_id == member_id)
                     .order_by(postings.c.id).limit(limit))
            if unit is not None:
                query = query.where(accounts.c.unit == unit)
            if from_ is not None:
                query = query.where(entries.c.recorded_at >= start_of_day_utc(from_,
                                                                              comm.timezone))
            if to is not None:
                query = query.where(entries.c.recorded_at < start_of_day_utc(
                    to + timedelta(days=1), comm.timezone))
            rows = conn.execute(query).all()
            units = [unit] if unit else sorted(books.member_balances(conn, comm.id, member))
            closing_now = books.member_balances(conn, comm.id, member)
        lines = []
        opening: dict[str, int] = {}
        closing: dict[str, int] = {}
        for r in rows:
            meta = r.meta or {}
            lines.append(StatementLine(
                r.entry_id, r.recorded_at, r.occurred_at, r.kind, r.amount, r.unit,
                r.balance_after, r.reason, meta.get("rule"), meta.get("contribution"),
                meta.get("approver"), r.reverses_id))
            opening.setdefault(r.unit, r.balance_after - r.amount)
            closing[r.unit] = r.balance_after
        for u in units:
            # A unit without lines in the window: its balance did not move within it.
            if u not in closing:
                before = self._balance_before(community, member, u, to)
                opening[u] = closing[u] = before if before is not None else \
                    closing_now[u].posted
        return Statement(member, from_, to, tuple(lines), opening, closing)

    def _balance_before(self, community: str, member: str, unit: str,
                        to: date | None) -> int | None:
        """The balance after the member's last posting in ``unit`` written before the
        end of the window (None if the window is open-ended: use the stored balance)."""
        if to is None:
            return None
        with self.store.read() as conn:
            comm = books.community(conn, community)
            member_id = books.member_id(conn, comm.id, member)
            found = conn.execute(
                sa.select(postings.c.balance_after)
                .join(accounts, accounts.c.id == postings.c.account_id)
                .join(entries, entries.c.id == postings.c.entry_id)
                .where(accounts.c.member_id == member_id, accounts.c.unit == unit,
                       entries.c.recorded_at < start_of_day_utc(to + timedelta(days=1),
                                                                comm.timezone))
                .order_by(postings.c.id.desc()).limit(1)).scalar()
        return int(found) if found is not None else 0
