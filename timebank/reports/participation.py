"""Participation rate for a rule (参学率, 参会率): the share of eligible members who
contributed under it in the period. Eligibility is the rule's: its roles, less the
members whose tags bar them (e.g. ``under_discipline``). Rates above 90 % are what
communities report, so the target is part of the answer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import attrs

from timebank.reports.periods import Period
from timebank.reports.scope import Child, RuleInfo, Scope

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


def participation(community: str, period: Period, where: Scope, info: RuleInfo,
                  people: Sequence[tuple[int, list[str], list[str], str | None]],
                  took_part: set[int], below: Sequence[Child], *,
                  target: float = TARGET) -> Participation:
    """The rate from the members in scope (id, roles, tags, unit path), those who
    contributed under the rule, and the units right below the scope."""
    eligible = {mid: path for mid, roles, tags, path in people
                if info.eligible(roles or (), tags or ())}
    took = took_part & set(eligible)

    counts: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    paths = {u.path for u in below}
    for mid, path in eligible.items():
        child = where.child_of(path)
        slot = counts[child if child in paths else None]
        slot[0] += 1
        slot[1] += mid in took

    def line(code: str | None, name: str, key: str | None) -> UnitParticipation:
        of, joined = counts[key]
        return UnitParticipation(code, name, of, joined, _rate(joined, of))

    per_unit = [line(u.code, u.name, u.path) for u in below]
    if counts.get(None, [0])[0]:
        per_unit.append(line(None, "", None))
    rate = _rate(len(took), len(eligible))
    return Participation(community, period.label, info.code, info.name_zh, info.name_en,
                         where.unit, len(eligible), len(took), rate, target,
                         bool(eligible) and rate >= target, tuple(per_unit))
