"""District reports (通存通兑): the period report, the leaderboard and participation over
every community of a district, per community and in total.

Pure assembly, like the community reports it builds on: the store hands over the running
totals summed per (community, rule) and the top earners of the whole district, one
set-based read each (no history scan); participation is each community's own report,
added up. A board line never carries a member code or a unit once masked: the district
office posts it across communities.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from timebank.domain.masking import mask_name
from timebank.io.writers import Table
from timebank.reports.monthly import competition_ranks
from timebank.reports.participation import Participation
from timebank.reports.periods import Period
from timebank.reports.tables import to_table


@attrs.frozen
class CommunityFigures:
    community: str
    name: str
    members: int              # members of the community
    earners: int              # members who earned something in the period
    contributions: int
    total: int
    by_rule: Mapping[str, int]


@attrs.frozen
class DistrictPeriod:
    district: str
    name: str
    period: str
    kind: str
    first: str
    last: str
    ledger_unit: str
    rules: Mapping[str, int]  # rule code → total over the district
    communities: tuple[CommunityFigures, ...]
    members: int
    earners: int
    contributions: int
    total: int


@attrs.frozen
class DistrictLine:
    rank: int                 # in the district
    community: str
    member: str | None        # None when masked
    name: str
    total: int


@attrs.frozen
class DistrictBoard:
    district: str
    period: str
    kind: str
    ledger_unit: str
    masked: bool
    lines: tuple[DistrictLine, ...]


@attrs.frozen
class DistrictParticipation:
    district: str
    period: str
    rule: str
    eligible: int
    participated: int
    rate: float
    target: float
    met: bool
    communities: tuple[Participation, ...]
    without_rule: tuple[str, ...]   # communities whose rulebook has no such rule

    @property
    def percent(self) -> str:
        return f"{self.rate:.1%}"


def district_period(district: str, name: str, period: Period, ledger_unit: str,
                    communities: Sequence[tuple[int, str, str]],
                    earned: Sequence[tuple[int, str, int, int]],
                    earners: Mapping[int, int], members: Mapping[int, int]
                    ) -> DistrictPeriod:
    """From the district's communities (id, code, name), the points and contributions per
    (community id, rule), the earners and the members per community id."""
    by_rule: dict[int, dict[str, int]] = defaultdict(dict)
    counts: dict[int, int] = defaultdict(int)
    rules: dict[str, int] = defaultdict(int)
    for community_id, rule, points, contributions in earned:
        by_rule[community_id][rule] = points
        counts[community_id] += contributions
        rules[rule] += points
    figures = tuple(
        CommunityFigures(code, title, members.get(cid, 0), earners.get(cid, 0), counts[cid],
                         sum(by_rule[cid].values()), dict(sorted(by_rule[cid].items())))
        for cid, code, title in communities)
    return DistrictPeriod(
        district, name, period.label, period.kind, period.first.isoformat(),
        period.last.isoformat(), ledger_unit, dict(sorted(rules.items())), figures,
        sum(f.members for f in figures), sum(f.earners for f in figures),
        sum(f.contributions for f in figures), sum(f.total for f in figures))


def district_board(district: str, period: Period, ledger_unit: str,
                   top: Sequence[tuple[str, str, str, int]], *, mask: bool = True
                   ) -> DistrictBoard:
    """The board from the top earners' (community, code, name, points), highest first."""
    ranks = competition_ranks([row[3] for row in top])
    return DistrictBoard(district, period.label, period.kind, ledger_unit, mask, tuple(
        DistrictLine(rank, community, None if mask else code,
                     mask_name(name) if mask else name, points)
        for rank, (community, code, name, points) in zip(ranks, top, strict=True)))


def district_participation(district: str, period: Period, rule: str, target: float,
                           found: Sequence[Participation], without: Sequence[str]
                           ) -> DistrictParticipation:
    """Each community's participation in ``rule``, added up."""
    eligible = sum(p.eligible for p in found)
    took = sum(p.participated for p in found)
    rate = took / eligible if eligible else 0.0
    return DistrictParticipation(district, period.label, rule, eligible, took, rate, target,
                                 bool(eligible) and rate >= target, tuple(found),
                                 tuple(without))


# -- as tables (CSV, XLSX) ------------------------------------------------------------------


@to_table.register
def _(report: DistrictPeriod, lang: str = "zh") -> Table:
    zh = lang.startswith("zh")
    rules = list(report.rules)
    headers = (("community", "社区"), ("name", "名称"), ("members", "成员数"),
               ("earners", "获得人数"), *((r, r) for r in rules), ("total", "合计"),
               ("contributions", "次数"))
    rows: list[list[Any]] = [
        [c.community, c.name, c.members, c.earners, *(c.by_rule.get(r, 0) for r in rules),
         c.total, c.contributions] for c in report.communities]
    rows.append(["", "合计" if zh else "Total", report.members, report.earners,
                 *(report.rules[r] for r in rules), report.total, report.contributions])
    return Table(f"{report.district} {report.period}", headers, rows)


@to_table.register
def _(report: DistrictBoard, lang: str = "zh") -> Table:
    return Table(f"{report.district} {report.period} top",
                 (("rank", "名次"), ("community", "社区"), ("member", "编号"),
                  ("name", "姓名"), ("total", "积分")),
                 [(line.rank, line.community, line.member or "", line.name, line.total)
                  for line in report.lines])


@to_table.register
def _(report: DistrictParticipation, lang: str = "zh") -> Table:
    zh = lang.startswith("zh")
    rows: list[tuple[Any, ...]] = [
        (p.community, p.eligible, p.participated, p.percent) for p in report.communities]
    rows += [(code, 0, 0, "-") for code in report.without_rule]
    rows.append(("合计" if zh else "Total", report.eligible, report.participated,
                 report.percent))
    return Table(f"{report.district} {report.period} {report.rule}",
                 (("community", "社区"), ("eligible", "应参加人数"),
                  ("participated", "参加人数"), ("rate", "参与率")), rows)
