"""The reports' gateway: set-based reads of the running totals (``earnings_monthly``),
the members and org units they cover, and the ledger streamed for an export.

A report never re-sums the ledger: the totals kept as awards post answer it in a few
thousand rows. Who a report covers is a unit's subtree (a prefix of its materialised
path): the members living there and those serving in its teams.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from timebank.store.gateway import Gateway
from timebank.store.tables import (
    accounts,
    earnings_monthly,
    entries,
    exchange_monthly,
    member_teams,
    members,
    postings,
    units,
)

# (member id, rule, points, contributions) summed over a period's months.
EarnedRow = tuple[int, str, int, int]
# (member id, code, name, unit code, unit name, unit path, points, contributions).
TotalRow = tuple[int, str, str, str | None, str | None, str | None, int, int]
# (code, name, unit code, unit name, points).
TopRow = tuple[str, str, str | None, str | None, int]
# (member id, code, name, unit code, unit name, unit path, given, received, served).
ExchangeRow = tuple[int, str, str, str | None, str | None, str | None, int, int, int]
# (member id, roles, tags, unit path).
PersonRow = tuple[int, list[str], list[str], str | None]
# (id, seq, occurred_at, recorded_at, kind, member code, system account, name, unit,
#  amount, balance_after, reason, actor, reverses, rule, contribution).
LedgerRow = tuple[Any, ...]

STREAM = 2_000  # rows a server-side cursor hands over at a time


class ReportsGateway(Gateway):
    # -- who a report covers -------------------------------------------------------------

    def unit(self, code: str) -> tuple[int, str, str, str] | None:
        """(id, name, kind, path) of the community's unit ``code``, None if unknown."""
        row = self.conn.execute(
            sa.select(units.c.id, units.c.name, units.c.kind, units.c.path)
            .where(units.c.community_id == self.uow.community_id, units.c.code == code)
        ).first()
        return None if row is None else (int(row[0]), row[1], row[2], row[3])

    def public_units(self, codes: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        """For each household among ``codes``: (code, name) of the unit above it (its
        building), what a masked report shows instead of the household."""
        wanted = sorted(set(codes))
        parent = units.alias("parent")
        found: dict[str, tuple[str | None, str | None]] = {}
        for start in range(0, len(wanted), 5_000):
            for code, up, up_name in self.conn.execute(
                    sa.select(units.c.code, parent.c.code, parent.c.name)
                    .select_from(units.outerjoin(parent, parent.c.id == units.c.parent_id))
                    .where(units.c.community_id == self.uow.community_id,
                           units.c.kind == "household",
                           units.c.code.in_(wanted[start:start + 5_000]))):
                found[code] = (up, up_name)
        return found

    def child_units(self, parent_id: int | None) -> list[tuple[str, str, str]]:
        """(code, name, path) of the non-team units right below ``parent_id`` (the top
        level for None), by path."""
        query = sa.select(units.c.code, units.c.name, units.c.path).where(
            units.c.community_id == self.uow.community_id, units.c.kind != "team")
        query = query.where(units.c.parent_id.is_(None) if parent_id is None
                            else units.c.parent_id == parent_id)
        return [(code, name, path)
                for code, name, path in self.conn.execute(query.order_by(units.c.path))]

    def _covered(self, path: str) -> Any:
        """The ids of the members living under ``path`` or serving in a team there."""
        community_id = self.uow.community_id
        subtree = sa.select(units.c.id).where(
            units.c.community_id == community_id,
            units.c.path.startswith(path, autoescape=True))
        living = sa.select(members.c.id).where(members.c.community_id == community_id,
                                               members.c.unit_id.in_(subtree))
        serving = sa.select(member_teams.c.member_id).where(
            member_teams.c.unit_id.in_(subtree))
        return sa.union(living, serving)

    # -- points earned -------------------------------------------------------------------

    def _earned(self, months: Sequence[str], ledger_unit: str, path: str | None) -> Any:
        em = earnings_monthly
        query = (sa.select(em.c.member_id, em.c.rule,
                           sa.func.sum(em.c.points).label("points"),
                           sa.func.sum(em.c.contributions).label("contributions"))
                 .where(em.c.community_id == self.uow.community_id,
                        em.c.month.in_(list(months)), em.c.unit == ledger_unit)
                 .group_by(em.c.member_id, em.c.rule))
        if path is not None:
            query = query.where(em.c.member_id.in_(self._covered(path)))
        return query.subquery("earned")

    def earned(self, months: Sequence[str], ledger_unit: str,
               path: str | None) -> list[EarnedRow]:
        """Points and contributions per (member, rule) over ``months``, for the members
        under ``path`` (everyone for None)."""
        got = self._earned(months, ledger_unit, path)
        return [(int(mid), rule, int(points), int(count))
                for mid, rule, points, count in self.conn.execute(sa.select(got))]

    def member_totals(self, months: Sequence[str], ledger_unit: str,
                      path: str | None) -> list[TotalRow]:
        """Each member's points and contributions over ``months``, with who and where
        they are: one set-based read, fetched whole."""
        got = self._earned(months, ledger_unit, path)
        per = (sa.select(got.c.member_id, sa.func.sum(got.c.points).label("total"),
                         sa.func.sum(got.c.contributions).label("count"))
               .group_by(got.c.member_id).subquery("per"))
        rows = self.conn.execute(
            sa.select(per.c.member_id, members.c.code, members.c.name, units.c.code,
                      units.c.name, units.c.path, per.c.total, per.c.count)
            .select_from(per.join(members, members.c.id == per.c.member_id)
                         .outerjoin(units, units.c.id == members.c.unit_id)))
        return [(int(mid), code, name, unit, unit_name, unit_path, int(total), int(count))
                for mid, code, name, unit, unit_name, unit_path, total, count in rows]

    def exchanged(self, months: Sequence[str], path: str | None) -> list[ExchangeRow]:
        """Each member's exchange over ``months`` (minutes given and received, requests
        served), with who and where they are, from the running totals."""
        xm = exchange_monthly
        per = (sa.select(xm.c.member_id, sa.func.sum(xm.c.given).label("given"),
                         sa.func.sum(xm.c.received).label("received"),
                         sa.func.sum(xm.c.served).label("served"))
               .where(xm.c.community_id == self.uow.community_id,
                      xm.c.month.in_(list(months)))
               .group_by(xm.c.member_id))
        if path is not None:
            per = per.where(xm.c.member_id.in_(self._covered(path)))
        got = per.subquery("per")
        rows = self.conn.execute(
            sa.select(got.c.member_id, members.c.code, members.c.name, units.c.code,
                      units.c.name, units.c.path, got.c.given, got.c.received, got.c.served)
            .select_from(got.join(members, members.c.id == got.c.member_id)
                         .outerjoin(units, units.c.id == members.c.unit_id)))
        return [(int(mid), code, name, unit, unit_name, unit_path, int(given),
                 int(received), int(served))
                for mid, code, name, unit, unit_name, unit_path, given, received, served
                in rows]

    def top_earners(self, months: Sequence[str], ledger_unit: str, path: str | None,
                    limit: int) -> list[TopRow]:
        """The ``limit`` members with the most points over ``months`` (more than none),
        highest first, ties by code."""
        got = self._earned(months, ledger_unit, path)
        total = sa.func.sum(got.c.points).label("total")
        top = (sa.select(got.c.member_id, total).group_by(got.c.member_id)
               .having(sa.func.sum(got.c.points) > 0).subquery("top"))
        rows = self.conn.execute(
            sa.select(members.c.code, members.c.name, units.c.code, units.c.name,
                      top.c.total)
            .select_from(top.join(members, members.c.id == top.c.member_id)
                         .outerjoin(units, units.c.id == members.c.unit_id))
            .order_by(top.c.total.desc(), members.c.code).limit(limit))
        return [(code, name, unit, unit_name, int(points))
                for code, name, unit, unit_name, points in rows]

    # -- participation -------------------------------------------------------------------

    def people(self, path: str | None) -> list[PersonRow]:
        """Every member under ``path`` (everyone for None) with roles, tags and the path
        of the unit lived in: who may be eligible for a rule."""
        community_id = self.uow.community_id
        query = (sa.select(members.c.id, members.c.roles, members.c.tags, units.c.path)
                 .select_from(members.outerjoin(units, units.c.id == members.c.unit_id))
                 .where(members.c.community_id == community_id))
        if path is not None:
            query = query.where(members.c.id.in_(self._covered(path)))
        return [(int(mid), roles or [], tags or [], unit_path)
                for mid, roles, tags, unit_path in self.conn.execute(query)]

    def member_count(self, path: str | None) -> int:
        """How many members live under ``path`` or serve in a team there (all for None)."""
        if path is None:
            return int(self.conn.execute(
                sa.select(sa.func.count()).select_from(members)
                .where(members.c.community_id == self.uow.community_id)).scalar_one())
        covered = self._covered(path).subquery("covered")
        return int(self.conn.execute(
            sa.select(sa.func.count()).select_from(covered)).scalar_one())

    def participants(self, rule: str, months: Sequence[str]) -> set[int]:
        """The members with at least one contribution under ``rule`` in ``months``."""
        em = earnings_monthly
        return set(self.conn.execute(
            sa.select(em.c.member_id)
            .where(em.c.community_id == self.uow.community_id, em.c.rule == rule,
                   em.c.month.in_(list(months)))
            .group_by(em.c.member_id).having(sa.func.sum(em.c.contributions) > 0)
        ).scalars())

    # -- the ledger, streamed ------------------------------------------------------------

    def ledger_lines(self, since: datetime | None,
                     until: datetime | None) -> Iterator[LedgerRow]:
        """Every posting of the community's entries that occurred in [since, until)
        (naive UTC), in entry order, read through a server-side cursor so memory holds
        one batch whatever the history's length."""
        query = (
            sa.select(entries.c.id, entries.c.seq, entries.c.occurred_at,
                      entries.c.recorded_at, entries.c.kind, members.c.code,
                      accounts.c.system, members.c.name, accounts.c.unit, postings.c.amount,
                      postings.c.balance_after, entries.c.reason, entries.c.actor,
                      entries.c.reverses_id, entries.c.meta)
            .select_from(entries.join(postings, postings.c.entry_id == entries.c.id)
                         .join(accounts, accounts.c.id == postings.c.account_id)
                         .outerjoin(members, members.c.id == accounts.c.member_id))
            .where(entries.c.community_id == self.uow.community_id)
            .order_by(entries.c.seq, postings.c.id))
        if since is not None:
            query = query.where(entries.c.occurred_at >= since)
        if until is not None:
            query = query.where(entries.c.occurred_at < until)
        for row in self.conn.execution_options(yield_per=STREAM).execute(query):
            *head, meta = row
            meta = meta or {}
            yield (*head, meta.get("rule", ""), meta.get("contribution", ""))
