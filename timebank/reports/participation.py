"""Participation rate for a rule (参学率, 参会率): the share of eligible members who
contributed under it in the period. Eligibility is the rule's: its roles, less the
members whose tags bar them (e.g. ``under_discipline``). Rates above 90 % are what
communities report, so the target is part of the answer."""

from __future__ import annotations

from collections import defaultdict

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.errors import UnknownRule
from timebank.reports.periods import Period
from timebank.reports.scope import Scope, children, rule_infos
from timebank.store.tables import earnings_monthly
from timebank.domain.community import CommunityRef
from timebank.store.tables import members, units

TARGET = 0.9


@attrs.frozen
class UnitParticipation:
    unit: str | None
    name: str
    eligible: int
    participated: int
    rate: float


@attrs.frozen
class Participation:
    community: str
    period: str
    rule: str
    rule_name_zh: str
    rule_name_en: str
    unit: str | None
    eligible: int
    participated: int
    rate: float               # 0 … 1; 0 when nobody is eligible
    target: float
    met: bool                 # rate ≥ target
    units: tuple[UnitParticipation, ...]

    @property
    def percent(self) -> str:
        return f"{self.rate:.1%}"


def _rate(took: int, of: int) -> float:
    return took / of if of else 0.0


def participation(conn: Connection, comm: CommunityRef, period: Period, where: Scope,
                  rule: str, *, target: float = TARGET) -> Participation:
    info = rule_infos(conn, comm.id, period.last, [rule]).get(rule)
    if info is None:
        raise UnknownRule(f"unknown rule {rule!r}", field="rule")
    query = (sa.select(members.c.id, members.c.roles, members.c.tags, units.c.path)
             .select_from(members.outerjoin(units, units.c.id == members.c.unit_id))
             .where(members.c.community_id == comm.id))
    if where.path is not None:
        query = query.where(members.c.id.in_(where.members(comm.id)))
    eligible = {mid: path for mid, roles, tags, path in conn.execute(query)
                if info.eligible(roles or (), tags or ())}
    em = earnings_monthly
    took = set(conn.execute(
        sa.select(em.c.member_id)
        .where(em.c.community_id == comm.id, em.c.rule == rule,
               em.c.month.in_(period.months))
        .group_by(em.c.member_id).having(sa.func.sum(em.c.contributions) > 0)).scalars())
    took &= set(eligible)

    counts: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    below = children(conn, comm.id, where)
    paths = {u.path for u in below}
    for mid, path in eligible.items():
        child = where.child_of(path)
        slot = counts[child if child in paths else None]
        slot[0] += 1
        slot[1] += mid in took
    def line(code: str | None, name: str, key: str | None) -> UnitParticipation:
        of, took_part = counts[key]
        return UnitParticipation(code, name, of, took_part, _rate(took_part, of))

    per_unit = [line(u.code, u.name, u.path) for u in below]
    if counts.get(None, [0])[0]:
        per_unit.append(line(None, "", None))
    rate = _rate(len(took), len(eligible))
    return Participation(comm.code, period.label, rule, info.name_zh, info.name_en,
                         where.unit, len(eligible), len(took), rate, target,
                         bool(eligible) and rate >= target, tuple(per_unit))
