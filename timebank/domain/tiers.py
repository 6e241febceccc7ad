"""Tiers (等级 / 星级) as plain values: the policy, and a member's tier over time.

A tier is earned, never spent: the earned points it counts are awards (reversed awards
excluded), so spending never demotes anyone. The basis says which awards count at an
instant ``t``: all of them (``lifetime``), those of the last ``window_days`` days
(``window``: ``t - window < at <= t``), or those of ``t``'s calendar year in the
community's zone (``calendar_year``). When the basis can fall, ``demotion`` says what
happens to the tier: ``never`` (keep the best reached), ``automatic`` (follow the
points), or ``grace`` (fall only once the points stayed below for ``grace_days``).

Everything here is computed from the list of awards, so a tier at any date and the whole
history of changes come from the same function.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import Any

import attrs

from timebank.domain.ledger import UNITS
from timebank.errors import NotEligible, RulebookError
from timebank.i18n import T, Text

BASES = ("lifetime", "window", "calendar_year")
DEMOTIONS = ("never", "automatic", "grace")


def _bad(where: str, field: str, what: str | Text) -> RulebookError:
    return RulebookError(T("{where}: {field} {what}", where=where, field=field, what=what),
                         field=field, where=where)


def _int(data: Mapping[str, Any], name: str, where: str, default: int | None = None,
         minimum: int = 0) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _bad(where, name, T("must be a whole number >= {minimum}, got {value!r}",
                                  minimum=minimum, value=value))
    return value


def _text(data: Mapping[str, Any], name: str, where: str, *, required: bool = True) -> str:
    value = data.get(name, "" if not required else None)
    if not isinstance(value, str) or (required and not value.strip()):
        raise _bad(where, name, T("must be non-empty text, got {value!r}", value=value))
    return value


@attrs.frozen
class Tier:
    """One level: reached when the earned points on the basis reach ``threshold``."""

    code: str
    name_zh: str
    name_en: str
    threshold: int
    benefits: tuple[str, ...] = ()
    rank: int = 0  # 0 for the lowest level


@attrs.frozen
class TierPolicy:
    levels: tuple[Tier, ...]
    basis: str = "lifetime"
    window_days: int = 365
    demotion: str = "never"
    grace_days: int = 30
    unit: str = "points"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "tiers") -> TierPolicy:
        """Validate a ``[tiers]`` table; errors name ``where`` and the field."""
        if not isinstance(data, Mapping):
            raise _bad(where, "tiers", T("must be a table"))
        basis = data.get("basis", "lifetime")
        if basis not in BASES:
            raise _bad(where, "basis", T("must be one of {bases}, got {basis!r}",
                                         bases=', '.join(BASES), basis=basis))
        demotion = data.get("demotion", "never")
        if demotion not in DEMOTIONS:
            raise _bad(where, "demotion",
                       T("must be one of {demotions}, got {demotion!r}",
                         demotions=', '.join(DEMOTIONS), demotion=demotion))
        unit = data.get("unit", "points")
        if unit not in UNITS:
            raise _bad(where, "unit", T("must be one of {units}, got {unit!r}",
                                        units=', '.join(UNITS), unit=unit))
        raw_levels = data.get("levels")
        if not isinstance(raw_levels, Sequence) or isinstance(raw_levels, str | bytes) \
                or not raw_levels:
            raise _bad(where, "levels", T("must be a non-empty list of tiers"))
        levels: list[Tier] = []
        for i, level in enumerate(raw_levels):
            at = f"{where}.levels[{i}]"
            if not isinstance(level, Mapping):
                raise _bad(at, "level", T("must be a table"))
            benefits = level.get("benefits", [])
            if not isinstance(benefits, Sequence) or isinstance(benefits, str) or \
                    not all(isinstance(b, str) for b in benefits):
                raise _bad(at, "benefits", T("must be a list of text"))
            tier = Tier(_text(level, "code", at), _text(level, "name_zh", at),
                        _text(level, "name_en", at, required=False),
                        _int(level, "threshold", at), tuple(benefits), i)
            if levels and tier.threshold <= levels[-1].threshold:
                raise _bad(at, "threshold", T("must be greater than the previous level's"))
            if any(t.code == tier.code for t in levels):
                raise _bad(at, "code", T("{tier!r} is used twice", tier=tier.code))
            levels.append(tier)
        return cls(tuple(levels), basis, _int(data, "window_days", where, 365, 1), demotion,
                   _int(data, "grace_days", where, 30, 0), unit)

    def tier_for(self, earned: int) -> Tier | None:
        """The highest level whose threshold ``earned`` reaches (None below the first)."""
        found = None
        for tier in self.levels:
            if earned >= tier.threshold:
                found = tier
        return found

    def level(self, code: str) -> Tier:
        for tier in self.levels:
            if tier.code == code:
                return tier
        raise NotEligible(T("unknown tier {tier!r}", tier=code), field="min_tier")

    def next_after(self, tier: Tier | None) -> Tier | None:
        rank = -1 if tier is None else tier.rank
        return self.levels[rank + 1] if rank + 1 < len(self.levels) else None


@attrs.frozen
class Award:
    """Earned points at an instant (naive UTC)."""

    at: datetime
    amount: int


@attrs.frozen
class TierChange:
    """At ``at`` the tier went from ``previous`` to ``tier`` (codes; None = no tier), with
    ``earned`` points on the basis at that instant."""

    at: datetime
    previous: str | None
    tier: str | None
    earned: int


class Earnings:
    """Earned points on a policy's basis at any instant, from sorted awards (O(log n))."""

    def __init__(self, policy: TierPolicy, awards: Sequence[Award],
                 year_start: Any = None) -> None:
        ordered = sorted(awards, key=lambda a: a.at)
        self.policy = policy
        self.times = [a.at for a in ordered]
        self.sums = [0, *accumulate(a.amount for a in ordered)]
        # year_start(t) -> the instant (naive UTC) the local calendar year of t began
        self.year_start = year_start

    def upto(self, t: datetime) -> int:
        """Sum of awards with ``at <= t``."""
        return self.sums[bisect_right(self.times, t)]

    def before(self, t: datetime) -> int:
        """Sum of awards with ``at < t``."""
        return self.sums[bisect_left(self.times, t)]

    def at(self, t: datetime) -> int:
        basis = self.policy.basis
        if basis == "window":
            return self.upto(t) - self.upto(t - timedelta(days=self.policy.window_days))
        if basis == "calendar_year":
            return self.upto(t) - self.before(self.year_start(t))
        return self.upto(t)

    def events(self, until: datetime, year_starts: Sequence[datetime] = ()) -> list[datetime]:
        """Every instant up to ``until`` where the basis can change."""
        found = {t for t in self.times if t <= until}
        if self.policy.basis == "window":
            window = timedelta(days=self.policy.window_days)
            found |= {t + window for t in self.times if t + window <= until}
        elif self.policy.basis == "calendar_year":
            found |= {t for t in year_starts if t <= until}
        return sorted(found)


def history(policy: TierPolicy, earnings: Earnings, until: datetime,
            year_starts: Sequence[datetime] = ()) -> list[TierChange]:
    """Every tier change up to ``until``, applying the demotion policy."""
    changes: list[TierChange] = []
    held: Tier | None = None
    below_since: datetime | None = None
    grace = timedelta(days=policy.grace_days)
    events = earnings.events(until, year_starts)

    def rank(tier: Tier | None) -> int:
        return -1 if tier is None else tier.rank

    def change(t: datetime, tier: Tier | None, earned: int) -> None:
        nonlocal held
        changes.append(TierChange(t, held.code if held else None,
                                  tier.code if tier else None, earned))
        held = tier

    i = 0
    while True:
        deadline = below_since + grace if below_since is not None else None
        upcoming = events[i] if i < len(events) else None
        if deadline is not None and deadline <= until and (upcoming is None
                                                            or deadline <= upcoming):
            earned = earnings.at(deadline)
            raw = policy.tier_for(earned)
            below_since = None
            if rank(raw) != rank(held):
                change(deadline, raw, earned)
            if upcoming == deadline:
                i += 1
            continue
        if upcoming is None:
            break
        i += 1
        earned = earnings.at(upcoming)
        raw = policy.tier_for(earned)
        if rank(raw) > rank(held):
            change(upcoming, raw, earned)
            below_since = None
        elif rank(raw) == rank(held):
            below_since = None
        elif policy.basis == "lifetime" or policy.demotion == "automatic":
            change(upcoming, raw, earned)
        elif policy.demotion == "grace" and below_since is None:
            below_since = upcoming
    return changes


def tier_at(policy: TierPolicy, changes: Sequence[TierChange], t: datetime) -> Tier | None:
    """The tier held at ``t`` given the history of changes."""
    code = None
    for change in changes:
        if change.at > t:
            break
        code = change.tier
    return policy.level(code) if code is not None else None


def year_starts_between(first: date, last: date) -> list[date]:
    """1 January of every year after ``first``'s up to ``last``'s (local dates)."""
    return [date(y, 1, 1) for y in range(first.year + 1, last.year + 1)]
