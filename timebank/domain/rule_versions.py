"""Versions of a rule: which one is in force on a local day.

A change to a rule is a new version in force from a local day on, so contributions are
valued by the version in force on the day they happened, whenever they are recorded.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from datetime import date
from typing import Any

import attrs

from timebank.domain.rules import Rule
from timebank.errors import UnknownRule
from timebank.i18n import T

# A rule's first version with no date of its own is in force from the beginning, so
# history can be imported; later versions default to the day they are made.
BEGINNING = date(1970, 1, 1)

# Rule code → its stored versions (version id, rule), oldest first.
Versions = dict[str, list[tuple[int, Rule]]]


@attrs.frozen
class StoredVersion:
    """The newest stored version of a rule, as a change compares against it."""

    id: int
    effective_from: date
    definition: Mapping[str, Any]  # ``rulebook.to_dict`` of the rule


def version_on(versions: Versions, code: str, day: date) -> tuple[int, Rule]:
    """The version of rule ``code`` in force on local ``day``."""
    history = versions.get(code)
    if not history:
        raise UnknownRule(T("unknown rule {rule!r}", rule=code), field="rule")
    starts = [r.effective_from or BEGINNING for _, r in history]
    at = bisect_right(starts, day)
    if at == 0:
        raise UnknownRule(T("rule {rule!r} is not in force on {day} (from {start})", rule=code,
                            day=day.isoformat(), start=starts[0].isoformat()), field="rule")
    return history[at - 1]


def timed_codes(versions: Versions) -> set[str]:
    """Codes of the rules counting hours in any version (their minutes add up per day)."""
    return {code for code, history in versions.items() if any(r.timed for _, r in history)}


def same_rule(stored: Mapping[str, Any], fresh: Mapping[str, Any]) -> bool:
    """Whether two definitions say the same, whatever their dates."""
    undated = {k: v for k, v in fresh.items() if k != "effective_from"}
    return {k: v for k, v in stored.items() if k != "effective_from"} == undated
