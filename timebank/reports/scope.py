"""Who a report covers: the whole community, or everyone under one org unit.

A unit's subtree is a prefix of its materialised path. Members belong to a unit by where
they live (``members.unit_id``) and by the teams they serve in (``member_teams``), so a
report for a team, or for a grid with its teams, finds both.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.errors import NotFound
from timebank.services.rules import BEGINNING, load_versions
from timebank.store.tables import member_teams, members, units


@attrs.frozen
class Scope:
    unit: str | None       # the unit's code, None for the whole community
    name: str | None
    kind: str | None
    path: str | None
    unit_id: int | None

    def members(self, community_id: int) -> Any:
        """A subquery of the member ids covered."""
        if self.path is None:
            return (sa.select(members.c.id)
                    .where(members.c.community_id == community_id).scalar_subquery())
        subtree = sa.select(units.c.id).where(
            units.c.community_id == community_id,
            units.c.path.startswith(self.path, autoescape=True))
        living = sa.select(members.c.id).where(members.c.community_id == community_id,
                                               members.c.unit_id.in_(subtree))
        serving = sa.select(member_teams.c.member_id).where(
            member_teams.c.unit_id.in_(subtree))
        return sa.union(living, serving)

    def child_of(self, path: str | None) -> str | None:
        """The path of the unit just below this scope that ``path`` lies in."""
        if path is None:
            return None
        base = self.path or "/"
        if not path.startswith(base) or len(path) <= len(base):
            return None
        rest = path[len(base):]
        return base + rest.split("/", 1)[0] + "/"


def scope(conn: Connection, community_id: int, unit: str | None) -> Scope:
    if unit is None or unit == "":
        return Scope(None, None, None, None, None)
    row = conn.execute(sa.select(units.c.id, units.c.name, units.c.kind, units.c.path)
                       .where(units.c.community_id == community_id, units.c.code == unit)
                       ).first()
    if row is None:
        raise NotFound(f"unknown unit {unit!r}", field="unit")
    return Scope(unit, row.name, row.kind, row.path, row.id)


def children(conn: Connection, community_id: int, where: Scope) -> list[Any]:
    """The non-team units right below the scope (grids, for the whole community)."""
    query = sa.select(units.c.code, units.c.name, units.c.path).where(
        units.c.community_id == community_id, units.c.kind != "team")
    query = query.where(units.c.parent_id.is_(None) if where.unit_id is None
                        else units.c.parent_id == where.unit_id)
    return list(conn.execute(query.order_by(units.c.path)))


@attrs.frozen
class RuleInfo:
    code: str
    name_zh: str
    name_en: str
    unit: str
    eligible_roles: tuple[str, ...]
    ineligible_tags: tuple[str, ...]

    def eligible(self, roles: Iterable[str], tags: Iterable[str]) -> bool:
        if self.eligible_roles and not set(self.eligible_roles) & set(roles):
            return False
        return not set(self.ineligible_tags) & set(tags)


def rule_infos(conn: Connection, community_id: int, on: date,
               codes: Iterable[str] | None = None) -> dict[str, RuleInfo]:
    """Each rule as it stood on local day ``on`` (its first version if it came later)."""
    found = {}
    for code, history in load_versions(conn, community_id, codes).items():
        rule = history[0][1]
        for _, version in history:
            if (version.effective_from or BEGINNING) <= on:
                rule = version
        found[code] = RuleInfo(code, rule.name_zh, rule.name_en, rule.unit,
                               tuple(rule.eligible_roles), tuple(rule.ineligible_tags))
    return found
