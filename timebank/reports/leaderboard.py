"""The leaderboard: the members with the most points earned in a month or a year, names
masked for posting (张*明) unless asked otherwise."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from timebank.domain.masking import mask_name
from timebank.errors import ValidationError
from timebank.i18n import T
from timebank.reports.monthly import competition_ranks
from timebank.reports.periods import Period
from timebank.reports.scope import Scope

MAX_LIMIT = 1000


@attrs.frozen
class LeaderLine:
    rank: int
    member: str | None    # None when masked: a code would name the person
    name: str
    unit: str | None
    unit_name: str | None
    total: int


@attrs.frozen
class Leaderboard:
    community: str
    period: str
    kind: str
    unit: str | None
    ledger_unit: str
    masked: bool
    lines: tuple[LeaderLine, ...]


def check_limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(T("limit must be a whole number from 1 to {max_limit}",
                                max_limit=MAX_LIMIT),
                              field="limit")
    return limit


def leaderboard(community: str, period: Period, where: Scope, ledger_unit: str,
                top: Sequence[tuple[str, str, str | None, str | None, int]], *,
                mask: bool = True) -> Leaderboard:
    """The board from the top earners' (code, name, unit, unit name, points), highest
    first."""
    ranks = competition_ranks([row[4] for row in top])
    lines = tuple(
        LeaderLine(rank, None if mask else code, mask_name(name) if mask else name,
                   unit, unit_name, points)
        for rank, (code, name, unit, unit_name, points) in zip(ranks, top, strict=True))
    return Leaderboard(community, period.label, period.kind, where.unit, ledger_unit, mask,
                       lines)
