"""The imports' gateway: what a file import reads a chunk at a time (units, members'
names, roles and tags) and the bulk member insert, plus keeping PostgreSQL's planner
informed while one long transaction grows the tables.

Every read here is one ``IN`` query per chunk, never one per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.store.fast import among
from timebank.store.gateway import Gateway
from timebank.store.idempotency import insert_ignoring_conflicts
from timebank.store.tables import member_teams, members, units
from timebank.timeutil import utcnow

# What an import of each kind grows, so the planner's statistics are refreshed for them.
GROWS = {
    "members": ("members", "member_teams"),
    "contributions": ("contributions", "contribution_flags", "earnings_monthly", "entries",
                      "postings", "idempotency_keys"),
}


@attrs.frozen
class NewMember:
    """A member to insert, with the ids of the unit lived in and the teams served in."""

    code: str
    name: str
    phone: str | None
    card: str | None
    roles: tuple[str, ...]
    tags: tuple[str, ...]
    unit_id: int | None
    team_ids: tuple[int, ...] = ()


class ImportsGateway(Gateway):
    def units(self, codes: Iterable[str]) -> dict[str, tuple[int, str]]:
        """(id, kind) of the community's units among ``codes``."""
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        rows = self.conn.execute(sa.select(units.c.code, units.c.id, units.c.kind).where(
            units.c.community_id == self.uow.community_id, units.c.code.in_(wanted)))
        return {code: (int(uid), kind) for code, uid, kind in rows}

    def member_names(self, codes: Iterable[str]) -> dict[str, str]:
        """The names of the members among ``codes`` that exist."""
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        return dict(self.conn.execute(  # type: ignore[arg-type]
            sa.select(members.c.code, members.c.name).where(
                members.c.community_id == self.uow.community_id,
                members.c.code.in_(wanted))).all())

    def card_holders(self, cards: Iterable[str]) -> dict[str, str]:
        """Card → code of the member holding it, for the cards among ``cards`` in use."""
        wanted = sorted(set(cards))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 5_000):
            found.update(self.conn.execute(  # type: ignore[arg-type]
                sa.select(members.c.card, members.c.code).where(
                    members.c.community_id == self.uow.community_id,
                    among(members.c.card, wanted[start:start + 5_000],
                          self.conn.dialect.name))).all())
        return found

    def people(self, codes: Iterable[str]) -> dict[str, tuple[list[str], list[str]]]:
        """(roles, tags) of the members among ``codes`` that exist."""
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        rows = self.conn.execute(sa.select(members.c.code, members.c.roles, members.c.tags)
                                 .where(members.c.community_id == self.uow.community_id,
                                        among(members.c.code, wanted, self.uow.dialect)))
        return {code: (roles, tags) for code, roles, tags in rows}

    def add_members(self, fresh: Sequence[NewMember]) -> None:
        """Insert ``fresh`` in one multi-row statement (a code that exists by now is
        left alone) and their teams, with the ids the insert returns."""
        if not fresh:
            return
        now = utcnow()
        community_id = self.uow.community_id
        insert = insert_ignoring_conflicts(self.conn, members)
        rows = [{"community_id": community_id, "code": m.code, "name": m.name,
                 "phone": m.phone, "card": m.card, "roles": list(m.roles),
                 "tags": list(m.tags), "unit_id": m.unit_id, "created_at": now}
                for m in fresh]
        if not any(m.team_ids for m in fresh):
            self.conn.execute(insert, rows)
            return
        ids = dict(self.conn.execute(  # type: ignore[arg-type]
            insert.returning(members.c.code, members.c.id), rows).all())
        team_rows = [{"member_id": ids[m.code], "unit_id": team}
                     for m in fresh if m.code in ids for team in m.team_ids]
        if team_rows:
            self.conn.execute(insert_ignoring_conflicts(self.conn, member_teams), team_rows)

    def refresh_statistics(self, kind: str) -> None:
        """Let the planner count what this import's transaction has written so far."""
        _analyze(self.conn, GROWS.get(kind, ()))


def _analyze(conn: Connection, tables: Sequence[str]) -> None:
    """Let PostgreSQL's planner see what a long transaction has written so far.

    A transaction that multiplies a table's rows (a million-row import) leaves the
    planner's statistics describing the small table it started with, and it then scans
    tables it should probe by index: every chunk gets slower than the last. ``ANALYZE``
    inside the transaction counts the transaction's own rows. SQLite needs nothing.
    """
    if tables and conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE " + ", ".join(tables))
