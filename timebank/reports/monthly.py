"""The period report: per member, points earned by rule, the total and the rank; totals
per rule and per unit. A month is the notice board's period (每月统计并上墙公示); a
quarter or a year adds up its months.

Pure assembly: the store hands over the points per (member, rule) and each member's
total with who and where they are, two set-based reads; ranking and totals are here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import attrs

from timebank.reports.periods import Period
from timebank.reports.scope import Child, RuleInfo, Scope


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
    minutes_given: int = 0    # the exchange (互助): minutes served to neighbours
    minutes_received: int = 0  # minutes neighbours served this member


@attrs.frozen
class UnitTotal:
    unit: str | None          # None: members with no unit (or outside every child)
    name: str
    members: int              # members who earned something
    total: int


@attrs.frozen
class ExchangeFigures:
    """The exchange over the period: minutes given and received, the services done (a
    group job counts once per volunteer), and who helped: members of the scope who gave
    time, against all members of the scope (the exchange's participation figure)."""

    given: int = 0
    received: int = 0
    services: int = 0
    helpers: int = 0
    members: int = 0

    @property
    def rate(self) -> float:
        return self.helpers / self.members if self.members else 0.0


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
    exchange: ExchangeFigures = ExchangeFigures()


def competition_ranks(totals: list[int]) -> list[int]:
    """1, 2, 2, 4 for totals already sorted from the highest."""
    ranks, previous = [], None
    for index, total in enumerate(totals):
        if total != previous:
            rank, previous = index + 1, total
        ranks.append(rank)
    return ranks


def by_rule(earned: Sequence[tuple[int, str, int, int]]
            ) -> tuple[dict[int, dict[str, int]], dict[str, int]]:
    """Points per member per rule, and per rule, from (member id, rule, points, count)."""
    per_member: dict[int, dict[str, int]] = defaultdict(dict)
    per_rule: dict[str, int] = defaultdict(int)
    for member_id, rule, points, _ in earned:
        per_member[member_id][rule] = points
        per_rule[rule] += points
    return per_member, per_rule


def period_report(community: str, community_name: str, period: Period, where: Scope,
                  ledger_unit: str, earned: Sequence[tuple[int, str, int, int]],
                  totals: Sequence[tuple[int, str, str, str | None, str | None, str | None,
                                         int, int]],
                  info: Mapping[str, RuleInfo], below: Sequence[Child],
                  exchanged: Sequence[tuple[int, str, str, str | None, str | None,
                                            str | None, int, int, int]] = (),
                  members: int = 0) -> PeriodReport:
    """The report from the points per (member, rule), each member's (id, code, name,
    unit, unit name, unit path, total, contributions), the rules as they stood, the
    units right below the scope, and the exchange: each member's (id, code, name, unit,
    unit name, unit path, minutes given, received, services) with the scope's number of
    members. A member who gave time but earned no points is listed with a total of 0."""
    per_member, per_rule = by_rule(earned)
    shown = sorted((-total, code, name, unit, unit_name, path, count, mid)
                   for mid, code, name, unit, unit_name, path, total, count in totals
                   if total or count)
    swaps = {row[0]: row for row in exchanged}
    listed = {row[-1] for row in shown}
    helpers_only = sorted((0, code, name, unit, unit_name, path, 0, mid)
                          for mid, code, name, unit, unit_name, path, given, _, _
                          in exchanged if given and mid not in listed)
    ranked = shown + helpers_only
    ranks = competition_ranks([-row[0] for row in ranked])
    lines = tuple(MemberLine(rank, code, name, unit, unit_name,
                             per_member.get(mid, {}), -negative, count,
                             swaps[mid][6] if mid in swaps else 0,
                             swaps[mid][7] if mid in swaps else 0)
                  for rank, (negative, code, name, unit, unit_name, _, count, mid)
                  in zip(ranks, ranked, strict=True))
    figures = ExchangeFigures(sum(r[6] for r in exchanged), sum(r[7] for r in exchanged),
                              sum(r[8] for r in exchanged),
                              sum(1 for r in exchanged if r[6]), members)
    rules = tuple(RuleColumn(code, info[code].name_zh if code in info else code,
                             info[code].name_en if code in info else code, total)
                  for code, total in sorted(per_rule.items()))
    return PeriodReport(community, community_name, period.label, period.kind,
                        period.first.isoformat(), period.last.isoformat(), where.unit,
                        where.name, ledger_unit, rules, lines,
                        unit_totals(where, below, [(r[5], -r[0]) for r in shown]),
                        sum(per_rule.values()), figures)


def unit_totals(where: Scope, below: Sequence[Child],
                shown: list[tuple[str | None, int]]) -> tuple[UnitTotal, ...]:
    """Members and points per unit right below the scope, from (unit path, total)."""
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
