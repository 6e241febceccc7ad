"""Who a report covers, and the rules it names.

A report covers the whole community or everyone under one org unit: the unit's subtree
is a prefix of its materialised path, and members belong to a unit by where they live
and by the teams they serve in (the store finds both). Rules are shown as they stood on
the period's last day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import attrs

from timebank.domain.rule_versions import BEGINNING, Versions


@attrs.frozen
class Scope:
    unit: str | None       # the unit's code, None for the whole community
    name: str | None
    kind: str | None
    path: str | None
    unit_id: int | None

    def child_of(self, path: str | None) -> str | None:
        """The path of the unit just below this scope that ``path`` lies in."""
        if path is None:
            return None
        base = self.path or "/"
        if not path.startswith(base) or len(path) <= len(base):
            return None
        rest = path[len(base):]
        return base + rest.split("/", 1)[0] + "/"


WHOLE = Scope(None, None, None, None, None)


@attrs.frozen
class Child:
    """A unit right below a report's scope: its lines are summed per child."""

    code: str
    name: str
    path: str


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


def rule_infos(versions: Versions, on: date) -> dict[str, RuleInfo]:
    """Each rule as it stood on local day ``on`` (its first version if it came later),
    from every stored version of it, oldest first."""
    found = {}
    for code, history in versions.items():
        rule = history[0][1]
        for _, version in history:
            if (version.effective_from or BEGINNING) <= on:
                rule = version
        found[code] = RuleInfo(code, rule.name_zh, rule.name_en, rule.unit,
                               tuple(rule.eligible_roles), tuple(rule.ineligible_tags))
    return found
