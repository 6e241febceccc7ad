"""The period report: per member, points earned by rule, the total and the rank; totals
per rule and per unit. A month is the notice board's period (每月统计并上墙公示); a
quarter or a year adds up its months."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain.ledger import check_unit
from timebank.reports.periods import Period
from timebank.reports.scope import Scope, children, rule_infos
from timebank.store.tables import earnings_monthly
from timebank.domain.community import CommunityRef
from timebank.store.tables import members, units


@attrs.frozen
class RuleColumn:
    code: str
    name_zh: str
    name_en: str
    total: int


@attrs.frozen
class MemberLine:
    rank: int
    member: str
    name: str
    unit: str | None          # the org unit the member lives in (code)
    unit_name: str | None
    by_rule: dict[str, int]   # rule code → points in the period
    total: int
    contributions: int


@attrs.frozen
class UnitTotal:
    unit: str | None          # None: members with no unit (or outside every child)
    name: str
    members: int              # members who earned something
    total: int


@attrs.frozen
class PeriodReport:
    community: str
    community_name: str
    period: str
    kind: str                 # month, quarter, year
    first: str                # first and last local day, ISO
    last: str
    unit: str | None
    unit_name: str | None
    ledger_unit: str          # points or minutes
    rules: tuple[RuleColumn, ...]
    lines: tuple[MemberLine, ...]
    units: tuple[UnitTotal, ...]
    total: int


def competition_ranks(totals: list[int]) -> list[int]:
    """1, 2, 2, 4 for totals already sorted from the highest."""
    ranks, previous = [], None
    for index, total in enumerate(totals):
        if total != previous:
            rank, previous = index + 1, total
        ranks.append(rank)
    return ranks


def earned(conn: Connection, comm: CommunityRef, period: Period, where: Scope,
           ledger_unit: str) -> Any:
    """(member id, rule, points, contributions) summed over the period's months."""
    em = earnings_monthly
    query = (sa.select(em.c.member_id, em.c.rule, sa.func.sum(em.c.points).label("points"),
                       sa.func.sum(em.c.contributions).label("contributions"))
             .where(em.c.community_id == comm.id, em.c.month.in_(period.months),
                    em.c.unit == ledger_unit)
             .group_by(em.c.member_id, em.c.rule))
    if where.path is not None:
        query = query.where(em.c.member_id.in_(where.members(comm.id)))
    return query.subquery("earned")


def period_report(conn: Connection, comm: CommunityRef, community_name: str, period: Period,
                  where: Scope, ledger_unit: str = "points") -> PeriodReport:
    check_unit(ledger_unit)
    got = earned(conn, comm, period, where, ledger_unit)
    # Two set-based reads, fetched whole: the points per (member, rule), and each
    # member's total with who and where they are. No per-row query, no ORM objects.
    by_member: dict[int, dict[str, int]] = defaultdict(dict)
    by_rule: dict[str, int] = defaultdict(int)
    for member_id, rule, points, _ in conn.execute(sa.select(got)).all():
        by_member[member_id][rule] = int(points)
        by_rule[rule] += int(points)
    per = (sa.select(got.c.member_id, sa.func.sum(got.c.points).label("total"),
                     sa.func.sum(got.c.contributions).label("count"))
           .group_by(got.c.member_id).subquery("per"))
    rows = conn.execute(
        sa.select(per.c.total, members.c.code, members.c.name, units.c.code, units.c.name,
                  units.c.path, per.c.count, per.c.member_id)
        .select_from(per.join(members, members.c.id == per.c.member_id)
                     .outerjoin(units, units.c.id == members.c.unit_id))).all()
    shown = sorted((-int(total), code, name, unit, unit_name, path, int(count), mid)
                   for total, code, name, unit, unit_name, path, count, mid in rows
                   if total or count)
    ranks = competition_ranks([-row[0] for row in shown])
    lines = tuple(MemberLine(rank, code, name, unit, unit_name,
                             by_member[mid], -negative, count)
                  for rank, (negative, code, name, unit, unit_name, _, count, mid)
                  in zip(ranks, shown, strict=True))
    info = rule_infos(conn, comm.id, period.last, by_rule)
    rules = tuple(RuleColumn(code, info[code].name_zh if code in info else code,
                             info[code].name_en if code in info else code, total)
                  for code, total in sorted(by_rule.items()))
    return PeriodReport(comm.code, community_name, period.label, period.kind,
                        period.first.isoformat(), period.last.isoformat(), where.unit,
                        where.name, ledger_unit, rules, lines,
                        _unit_totals(conn, comm, where, [(r[5], -r[0]) for r in shown]),
                        sum(by_rule.values()))


def _unit_totals(conn: Connection, comm: CommunityRef, where: Scope,
                 shown: list[tuple[str | None, int]]) -> tuple[UnitTotal, ...]:
    """Members and points per unit right below the scope, from (unit path, total)."""
    below = children(conn, comm.id, where)
    sums: dict[str | None, list[int]] = {u.path: [0, 0] for u in below}
    for path, total in shown:
        key = where.child_of(path)
        slot = sums.setdefault(key if key in sums else None, [0, 0])
        slot[0] += 1
        slot[1] += total
    totals = [UnitTotal(u.code, u.name, *sums[u.path]) for u in below]
    if None in sums:
        totals.append(UnitTotal(None, "", *sums[None]))
    return tuple(totals)
