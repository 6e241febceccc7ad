"""Anomaly flags: signs that a contribution may be invented or mistyped, for a person to
review. A flag never rejects anything; it is listed with the contribution.

- ``overlap``: the same member in two timed contributions whose ranges overlap;
- ``long_day``: more than 16 hours credited to one member on one local day;
- ``late``: recorded more than 30 days after it happened;
- ``unusual``: a quantity above the rule's ``usual_max``, or else above 3× its maximum.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from datetime import date, datetime, timedelta

import attrs

from timebank.domain.rules import Rule

LONG_DAY_MINUTES = 16 * 60
LATE_AFTER = timedelta(days=30)


@attrs.frozen
class Flag:
    kind: str
    detail: str


@attrs.frozen
class Span:
    """A timed contribution of a member (``ref`` names it: an id, or an index)."""

    ref: Hashable
    member: Hashable
    start: datetime
    end: datetime


@attrs.frozen
class DayMinutes:
    """Minutes credited to ``member`` on a local ``day`` by one contribution."""

    ref: Hashable
    member: Hashable
    day: date
    minutes: int


def late(occurred: datetime, recorded: datetime) -> Flag | None:
    if recorded - occurred > LATE_AFTER:
        days = (recorded - occurred).days
        return Flag("late", f"recorded {days} days after it happened")
    return None


def unusual(rule: Rule, quantity: int) -> Flag | None:
    """``quantity`` in base units (minutes or items) against the rule's usual range."""
    base, what = _usual(rule)
    if base is not None and quantity > base:
        return Flag("unusual", f"quantity {quantity} is above {what} ({base})")
    return None


@functools.lru_cache(maxsize=512)
def _usual(rule: Rule) -> tuple[int | None, str]:
    """The largest usual quantity in base units, and how it was set (cached)."""
    if rule.usual_max is not None:
        return rule.to_base(rule.usual_max), "the usual maximum"
    if rule.max_quantity is not None:
        return rule.to_base(rule.max_quantity * 3), "three times the maximum"
    return None, ""


def overlaps(new: Sequence[Span], existing: Iterable[Span] = ()) -> dict[Hashable, Flag]:
    """Flags for the ``new`` spans that overlap another span (new or existing) of the same
    member. Sorting by start per member makes this O(n log n)."""
    by_member: dict[Hashable, list[tuple[Span, bool]]] = defaultdict(list)
    for span in new:
        by_member[span.member].append((span, True))
    for span in existing:
        if span.member in by_member:
            by_member[span.member].append((span, False))
    flags: dict[Hashable, Flag] = {}
    for spans in by_member.values():
        spans.sort(key=lambda s: (s[0].start, s[0].end))
        # Compare each span with the one ending latest among those before it.
        latest: tuple[Span, bool] | None = None
        for span, fresh in spans:
            if latest is not None and span.start < latest[0].end:
                other = latest[0]
                if fresh:
                    flags.setdefault(span.ref, _overlap(other.ref))
                if latest[1]:
                    flags.setdefault(other.ref, _overlap(span.ref))
            if latest is None or span.end > latest[0].end:
                latest = (span, fresh)
    return flags


def _overlap(other: Hashable) -> Flag:
    return Flag("overlap", f"overlaps contribution {other} of the same member")


def long_days(new: Sequence[DayMinutes], existing: Iterable[DayMinutes] = ()
              ) -> dict[Hashable, Flag]:
    """Flags for the ``new`` contributions on a member's day with over 16 hours credited."""
    totals: dict[tuple[Hashable, date], int] = defaultdict(int)
    wanted = {(d.member, d.day) for d in new}
    for item in (*new, *existing):
        if (item.member, item.day) in wanted:
            totals[item.member, item.day] += item.minutes
    flags = {}
    for item in new:
        total = totals[item.member, item.day]
        if total > LONG_DAY_MINUTES:
            flags[item.ref] = Flag(
                "long_day", f"{total / 60:g} hours credited on {item.day.isoformat()}")
    return flags
