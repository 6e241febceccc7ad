"""The pure steps of recording contributions: check an input's shape, resolve it against
its member and the rule version in force, value a batch through caps and streaks, flag
anomalies and sum the monthly totals.

What was recorded before (cap usage, streak weeks, neighbouring timed contributions)
comes from the store as plain rows; nothing here reads or writes, so one batch of any
size is valued in memory in input order, each item seeing the ones before it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from fractions import Fraction

from timebank.domain import anomalies
from timebank.domain.contributions import ContributionInput, Earner, Resolved
from timebank.domain.ledger import check_amount
from timebank.domain.rule_versions import Versions, version_on
from timebank.domain.rules import (
    Claim,
    Rule,
    Valuation,
    counted_on,
    evaluate,
    period_bounds,
    period_keys,
    week_of,
)
from timebank.errors import InvalidAmount, NotEligible, UnknownMember, ValidationError
from timebank.i18n import T
from timebank.timeutil import local_date, start_of_day_utc, utc_naive

MAX_BASE_QUANTITY = 10**7
_TAG = re.compile(r"^[\w.-]{1,32}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

# (member id, rule code, period, period key) → points counted; (member id, rule) → weeks.
Usage = dict[tuple[int, str, str, str], int]
Weeks = dict[tuple[int, str], set[date]]


# -- checking and resolving ------------------------------------------------------------


def check_shape(item: ContributionInput) -> None:
    """The checks that need nothing stored, run before anything is read."""
    if not isinstance(item.member, str) or not item.member:
        raise ValidationError(T("a contribution names a member"), field="member")
    if not isinstance(item.rule, str) or not item.rule:
        raise ValidationError(T("a contribution names a rule"), field="rule")
    if not isinstance(item.note, str) or len(item.note) > 500:
        raise ValidationError(T("note is text of at most 500 characters"), field="note")
    if isinstance(item.tags, str) or not all(
            isinstance(t, str) and _TAG.match(t) for t in item.tags):
        raise ValidationError(T("tags are short names such as 'blizzard'"), field="tags")
    if item.period is not None and (not isinstance(item.period, str)
                                    or not _MONTH.match(item.period)):
        raise ValidationError(T("period is a month 'YYYY-MM'"), field="period")
    if item.scheduled_minutes is not None:
        check_amount(item.scheduled_minutes, "scheduled_minutes")


def resolve(index: int, item: ContributionInput, people: Mapping[str, Earner],
            versions: Versions, tz: str, today: date,
            midnights: dict[date, datetime]) -> Resolved:
    """``item`` checked against its member and the rule version in force on its day."""
    earner = people.get(item.member)
    if earner is None:
        raise UnknownMember(T("unknown member {member!r}", member=item.member), field="member")
    occurred_at, ended_at, day = when(item, tz, midnights)
    if day > today:
        raise ValidationError(T("a contribution cannot happen in the future ({day})", day=day),
                              field="occurred_on")
    version_id, rule = version_on(versions, item.rule, day)
    if not rule.eligible(earner.roles, earner.tags):
        raise NotEligible(T("member {member!r} may not earn from rule {rule!r}",
                            member=item.member, rule=rule.code),
                          field="member", rule=rule.code)
    base = quantity(item, rule, occurred_at, ended_at)
    period_start = None
    if item.period is not None:
        if rule.basis != "per_period":
            raise ValidationError(T("rule {rule!r} is not paid per period", rule=rule.code),
                                  field="period")
        period_start = date.fromisoformat(item.period + "-01")
    elif rule.basis == "per_period":
        period_start = day.replace(day=1)
    scheduled = item.scheduled_minutes if rule.timed else None
    claim = Claim(base, day, tuple(item.tags), scheduled, period_start)
    period = f"{period_start:%Y-%m}" if period_start is not None else None
    return Resolved(index, item.member, earner.id, earner.roles, version_id, rule, claim,
                    occurred_at, ended_at, period, item.note)


def when(item: ContributionInput, tz: str, midnights: dict[date, datetime]
         ) -> tuple[datetime, datetime | None, date]:
    """(occurred_at UTC, ended_at UTC or None, local day); ``midnights`` caches the
    UTC instant each local day starts."""
    if item.started_at is not None or item.ended_at is not None:
        if item.occurred_on is not None:
            raise ValidationError(T("give occurred_on or started_at/ended_at, not both"),
                                  field="occurred_on")
        for name in ("started_at", "ended_at"):
            if not isinstance(getattr(item, name), datetime):
                raise ValidationError(T("{name} is a date and time", name=name), field=name)
        assert item.started_at is not None and item.ended_at is not None
        start, end = utc_naive(item.started_at), utc_naive(item.ended_at)
        if end <= start:
            raise ValidationError(T("ended_at is after started_at"), field="ended_at")
        return start, end, local_date(start, tz)
    day = item.occurred_on
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            raise ValidationError(T("occurred_on is a date like 2024-03-15, got {day!r}", day=day),
                                  field="occurred_on") from None
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValidationError(T("a contribution gives occurred_on or started_at and ended_at"),
                              field="occurred_on")
    if day not in midnights:
        midnights[day] = start_of_day_utc(day, tz)
    return midnights[day], None, day


def quantity(item: ContributionInput, rule: Rule, start: datetime,
             end: datetime | None) -> int:
    """The quantity in base units: minutes for per_hour rules, else items."""
    raw = item.quantity
    if type(raw) is int and raw > 0 and raw * 60 <= MAX_BASE_QUANTITY:  # the common case
        return raw * 60 if rule.timed else raw
    if type(raw) is float and rule.timed and 0 < raw * 60 <= MAX_BASE_QUANTITY:
        minutes = raw * 60
        if minutes == int(minutes):  # whole minutes, as 1.5 hours is
            return int(minutes)
    if raw is None:
        if end is not None and rule.timed:
            return int((end - start) // timedelta(minutes=1)) or _too_small()
        if rule.timed:
            raise ValidationError(T("rule {rule!r} counts hours: give quantity or started_at "
                                    "and ended_at", rule=rule.code), field="quantity")
        return 1
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise InvalidAmount(T("quantity must be a number, got {raw!r}", raw=raw), field="quantity")
    try:
        number = Fraction(str(raw))
    except (ValueError, ZeroDivisionError):
        raise InvalidAmount(T("quantity must be a number, got {raw!r}", raw=raw),
                            field="quantity") from None
    if number <= 0:
        raise InvalidAmount(T("quantity must be positive, got {raw}", raw=raw), field="quantity")
    if not rule.timed and number.denominator != 1:
        raise InvalidAmount(T("rule {rule!r} counts whole items, got {raw}", rule=rule.code,
                              raw=raw),
                            field="quantity")
    base = rule.to_base(number) or _too_small()
    if base > MAX_BASE_QUANTITY:
        raise InvalidAmount(T("quantity {raw} is out of range", raw=raw), field="quantity")
    return base


def _too_small() -> int:
    raise InvalidAmount(T("quantity must be at least one minute"), field="quantity")


# -- valuing ---------------------------------------------------------------------------


def cap_window(items: Sequence[Resolved]) -> tuple[date, date]:
    """The local days whose points count toward the caps of ``items``' days."""
    return (period_bounds(min(i.claim.counted_on for i in items))[0],
            period_bounds(max(i.claim.counted_on for i in items))[1])


def cap_usage(rows: Iterable[tuple[int, str, date, int]]) -> Usage:
    """Points already counted per cap period, from (member, rule, day, points) rows."""
    used: Usage = defaultdict(int)
    for member_id, code, day, points in rows:
        for period, key in period_keys(day).items():
            used[member_id, code, period, key] += int(points or 0)
    return used


def counted_days(rows: Iterable[tuple[int, str, date, str | None, int]]
                 ) -> list[tuple[int, str, date, int]]:
    """(member, rule, day, points) rows of per_period rules from (member, rule, local day,
    period paid for, points): their caps count the period paid for (``counted_on``)."""
    return [(m, code, counted_on(day, date.fromisoformat(period + "-01") if period else None),
             points) for m, code, day, period, points in rows]


def streak_weeks(rows: Iterable[tuple[int, str, date]]) -> Weeks:
    """Weeks with a contribution per (member, rule), from (member, rule, day) rows."""
    weeks: Weeks = defaultdict(set)
    for member_id, code, day in rows:
        weeks[member_id, code].add(week_of(day))
    return weeks


def value(items: Sequence[Resolved], used: Usage, weeks: Weeks) -> list[Valuation]:
    """Value ``items`` in order, each counting toward the caps and streaks of the next
    (``used`` and ``weeks`` are updated as it goes)."""
    valued = []
    for item in items:
        keys = period_keys(item.claim.counted_on)
        code = item.rule.code
        mine = {p: used[item.member_id, code, p, keys[p]] for p in keys}
        found = evaluate(item.rule, item.claim, item.roles, used=mine,
                         weeks=weeks[item.member_id, code])
        for p in keys:
            used[item.member_id, code, p, keys[p]] += found.points
        weeks[item.member_id, code].add(week_of(item.claim.day))
        valued.append(found)
    return valued


def monthly_totals(valued: Iterable[tuple[Resolved, Valuation]]
                   ) -> list[tuple[int, str, str, str, int, int]]:
    """(member, rule, unit, month, points, contributions) for the approved ``valued``."""
    totals: dict[tuple[int, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for item, found in valued:
        total = totals[item.member_id, item.rule.code, item.rule.unit, item.month]
        total[0] += found.points
        total[1] += 1
    return [(*k, points, count) for k, (points, count) in totals.items()]


# -- anomalies -------------------------------------------------------------------------


def flag_window(timed: Sequence[Resolved]) -> tuple[date, date]:
    """The local days whose timed contributions may overlap ``timed`` or share a day."""
    return (min(i.claim.day for i in timed) - timedelta(days=1),
            max(i.claim.day for i in timed) + timedelta(days=1))


def flags(items: Sequence[Resolved], now: datetime,
          stored: tuple[Sequence[anomalies.Span], Sequence[anomalies.DayMinutes]] = ((), ())
          ) -> dict[int, list[anomalies.Flag]]:
    """Anomaly flags per item index, checked against the other new items and the
    members' ``stored`` timed contributions (spans, minutes a day) around their days."""
    found: dict[int, list[anomalies.Flag]] = defaultdict(list)
    for item in items:
        for flag in (anomalies.late(item.occurred_at, now),
                     anomalies.unusual(item.rule, item.claim.quantity)):
            if flag is not None:
                found[item.index].append(flag)
    timed = [i for i in items if i.rule.timed]
    if not timed:
        return found
    spans, days = stored
    new_spans = [anomalies.Span(i.index, i.member_id, i.occurred_at, i.ended_at)
                 for i in timed if i.ended_at is not None]
    new_days = [anomalies.DayMinutes(i.index, i.member_id, i.claim.day, i.claim.quantity)
                for i in timed]
    for by_ref in (anomalies.overlaps(new_spans, spans),
                   anomalies.long_days(new_days, days)):
        for index, flag in by_ref.items():
            assert isinstance(index, int)
            found[index].append(flag)
    return found
