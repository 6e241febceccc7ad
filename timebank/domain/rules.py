"""Point rules as plain values, and how one contribution is valued.

A rule version says what one contribution of an activity is worth: a rate per hour, per
item, per occurrence or per period, with quantity rounding, limits, multipliers, caps per
member and period, eligibility, approval and a streak bonus. Valuing is a pure function
of the rule, the claim, the member's roles and what the member already earned in each
capped period, so it can be tested (and property-tested) without a database.

Quantities are kept in *base units*: minutes for ``per_hour`` rules, whole items or
occurrences (or periods) otherwise. Rulebooks speak hours; ``to_base`` converts.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from fractions import Fraction

import attrs

BASES = ("per_hour", "per_item", "per_occurrence", "per_period")
PERIODS = ("day", "week", "month", "year")
ROUNDINGS = ("down", "nearest", "up")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@attrs.frozen
class Multiplier:
    """Multiply a contribution's points by ``factor`` when every condition given holds:
    its weekday (1 = Monday … 7 = Sunday) is one of ``weekdays``, its day falls in one
    of the inclusive ``dates`` ranges, it carries one of ``tags`` (e.g. ``blizzard``),
    the member has one of ``roles``. An empty condition always holds."""

    factor: Fraction
    weekdays: tuple[int, ...] = ()
    dates: tuple[tuple[date, date], ...] = ()
    tags: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()

    def applies(self, day: date, tags: Iterable[str], roles: Iterable[str]) -> bool:
        if self.weekdays and day.isoweekday() not in self.weekdays:
            return False
        if self.dates and not any(start <= day <= end for start, end in self.dates):
            return False
        if self.tags and not set(self.tags) & set(tags):
            return False
        return not self.roles or bool(set(self.roles) & set(roles))


@attrs.frozen
class Caps:
    """The most points (in the rule's unit) a member earns from one rule per day, ISO
    week, month and year, counted in the community's time zone. ``None``: no cap."""

    day: int | None = None
    week: int | None = None
    month: int | None = None
    year: int | None = None

    def items(self) -> list[tuple[str, int]]:
        return [(p, v) for p in PERIODS if (v := getattr(self, p)) is not None]


@attrs.frozen
class Streak:
    """``bonus`` points for every ``every`` consecutive weeks with at least one
    contribution (the weekly "Friday I'm on duty"), paid on the week's first one."""

    every: int
    bonus: int


@attrs.frozen(cache_hash=True)
class Rule:
    """One version of a point rule, in force from ``effective_from`` (a local day) until
    the next version of the same code. Build it with ``timebank.domain.rulebook.rule``
    (validated) rather than directly."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    basis: str
    rate: Fraction
    effective_from: date | None = None
    round_to: Fraction | None = None       # in hours for per_hour, else in items
    rounding: str = "down"
    min_quantity: Fraction | None = None   # hours for per_hour, else items
    max_quantity: Fraction | None = None
    caps: Caps = Caps()
    multipliers: tuple[Multiplier, ...] = ()
    eligible_roles: tuple[str, ...] = ()   # empty: everyone
    ineligible_tags: tuple[str, ...] = ()  # e.g. "under_discipline"
    approval: bool = False
    streak: Streak | None = None
    min_attendance: Fraction | None = None  # share of the scheduled length, e.g. 0.6
    period: str = "month"                  # per_period: what one period is
    due_day: int | None = None             # per_period: paid by this day of the month
    late_rate: Fraction = Fraction(0)      # per_period: the rate when paid late
    usual_max: Fraction | None = None      # anomaly flag above this quantity
    service: bool = False                  # counts as volunteer service (hours)
    requires_dues: bool = False            # members behind on dues may not earn from it

    @property
    def timed(self) -> bool:
        return self.basis == "per_hour"

    def to_base(self, quantity: Fraction | int | None) -> int | None:
        """A natural quantity (hours or items) in base units (minutes or items)."""
        if quantity is None:
            return None
        return _round_half_up(Fraction(quantity) * (60 if self.timed else 1))

    def eligible(self, roles: Iterable[str], tags: Iterable[str] = ()) -> bool:
        if self.eligible_roles and not set(self.eligible_roles) & set(roles):
            return False
        return not set(self.ineligible_tags) & set(tags)


@attrs.frozen
class Claim:
    """What happened, as the rule sees it: ``quantity`` in base units (minutes or items),
    the local ``day`` it happened on, the contribution's tags, and for timed activities
    the scheduled length in minutes; for ``per_period`` rules the first day of the
    period being paid for (``None``: the period ``day`` falls in)."""

    quantity: int
    day: date
    tags: tuple[str, ...] = ()
    scheduled: int | None = None
    period_start: date | None = None

    @property
    def counted_on(self) -> date:
        """The local day whose periods the caps count (see ``counted_on``)."""
        return counted_on(self.day, self.period_start)


def counted_on(day: date, period_start: date | None) -> date:
    """The local day whose day, week, month and year a contribution's caps count: its
    own ``day``, or for a per_period contribution paying another month than the one it
    was paid in (dues paid in advance) the first day of the month paid for."""
    if period_start is None or (period_start.year == day.year
                                and period_start.month == day.month):
        return day
    return period_start


@attrs.frozen
class Valuation:
    """What a claim is worth: ``credited`` base units after rounding and limits, the
    ``raw_points`` before caps (multipliers and streak bonus included), ``points`` after
    caps, and ``notes`` saying why anything was cut."""

    credited: int
    raw_points: int
    points: int
    capped: bool
    bonus: int = 0
    factor: str = "1"
    notes: tuple[str, ...] = ()
    clipped: bool = False  # the quantity was cut to the rule's max_quantity


@functools.lru_cache(maxsize=4096)
def period_keys(day: date) -> dict[str, str]:
    """The day, ISO week (its Monday), month and year a local day counts toward
    (cached: the result is shared, do not change it)."""
    monday = day - timedelta(days=day.weekday())
    return {"day": day.isoformat(), "week": monday.isoformat(),
            "month": f"{day:%Y-%m}", "year": f"{day:%Y}"}


def period_bounds(day: date) -> tuple[date, date]:
    """The first and last local day of every capped period containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    return (min(date(day.year, 1, 1), monday),
            max(date(day.year, 12, 31), monday + timedelta(days=6)))


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@functools.lru_cache(maxsize=512)
def limits(rule: Rule) -> tuple[int | None, int | None, int | None]:
    """The rule's rounding step, minimum and maximum in base units (cached: hot path)."""
    return (rule.to_base(rule.round_to), rule.to_base(rule.min_quantity),
            rule.to_base(rule.max_quantity))


def credit(rule: Rule, claim: Claim) -> tuple[int, tuple[str, ...]]:
    """Base units credited: attendance share, the scheduled length, rounding, limits."""
    quantity, notes, _clipped = clip(rule, claim)
    return quantity, notes


def clip(rule: Rule, claim: Claim) -> tuple[int, tuple[str, ...], bool]:
    """``credit``, and whether the quantity was cut to the rule's ``max_quantity``."""
    quantity, notes = claim.quantity, []
    if rule.timed and claim.scheduled is not None:
        if rule.min_attendance is not None and \
                quantity < rule.min_attendance * claim.scheduled:
            return 0, (f"attended {quantity} of {claim.scheduled} scheduled minutes, "
                       f"below the {float(rule.min_attendance):.0%} needed",), False
        if quantity > claim.scheduled:
            quantity = claim.scheduled
            notes.append("credited at most the scheduled length")
    step, low, high = limits(rule)
    if step:
        quantity = _round_to_step(quantity, step, rule.rounding)
    if low is not None and quantity < low:
        return 0, (*notes, f"below the minimum of {low} per contribution"), False
    clipped = high is not None and quantity > high
    if high is not None and clipped:
        notes.append(f"credited at most {high} per contribution")
        quantity = high
    return quantity, tuple(notes), clipped


def streak_bonus(rule: Rule, day: date, weeks: Iterable[date]) -> int:
    """The streak bonus earned by a contribution on ``day`` when the member already has
    contributions in ``weeks`` (Mondays): paid only by the first one in its week, when
    the run of consecutive weeks ending with this one is a multiple of ``every``."""
    if rule.streak is None:
        return 0
    seen, this = set(weeks), week_of(day)
    if this in seen:
        return 0
    run, prior = 1, this - timedelta(weeks=1)
    while prior in seen:
        run, prior = run + 1, prior - timedelta(weeks=1)
    return rule.streak.bonus if run % rule.streak.every == 0 else 0


def raw_points(rule: Rule, claim: Claim, credited: int,
               roles: Sequence[str]) -> tuple[int, Fraction, tuple[str, ...]]:
    """Points before the streak bonus and caps, rounded half up."""
    rate, notes = rule.rate, []
    if rule.basis == "per_period" and rule.due_day is not None:
        start = claim.period_start or claim.day.replace(day=1)
        if claim.day > start.replace(day=rule.due_day):
            rate = rule.late_rate
            notes.append(f"paid after the due day {rule.due_day}")
    factor = Fraction(1)
    for mult in rule.multipliers:
        if mult.applies(claim.day, claim.tags, roles):
            factor *= mult.factor
    # Integer arithmetic on the exact fractions: credited × rate × factor (÷ 60).
    num = credited * rate.numerator * factor.numerator
    den = rate.denominator * factor.denominator * (60 if rule.timed else 1)
    return _divide_half_up(num, den), factor, tuple(notes)


def apply_caps(rule: Rule, points: int, used: Mapping[str, int]) -> tuple[int, bool]:
    """Cut ``points`` so no cap is exceeded, given what is ``used`` per period name."""
    allowed = points
    for period, cap in rule.caps.items():
        allowed = min(allowed, max(0, cap - used.get(period, 0)))
    return allowed, allowed < points


def evaluate(rule: Rule, claim: Claim, roles: Sequence[str] = (), *,
             used: Mapping[str, int] | None = None,
             weeks: Iterable[date] = ()) -> Valuation:
    """Value ``claim`` under ``rule`` for a member with ``roles`` who has already earned
    ``used[period]`` points from this rule in the periods of ``claim.day`` and has
    contributions in ``weeks`` (for the streak)."""
    credited, notes, clipped = clip(rule, claim)
    base, factor, more = raw_points(rule, claim, credited, roles)
    bonus = streak_bonus(rule, claim.day, weeks) if credited else 0
    total = base + bonus
    points, capped = apply_caps(rule, total, used or {})
    if capped:
        more = (*more, f"capped from {total} to {points}")
    return Valuation(credited, total, points, capped, bonus, str(factor),
                     (*notes, *more), clipped)


def _round_to_step(quantity: int, step: int, mode: str) -> int:
    whole, rest = divmod(quantity, step)
    if (mode == "up" and rest) or (mode == "nearest" and rest * 2 >= step):
        whole += 1
    return whole * step


def _round_half_up(value: Fraction) -> int:
    return _divide_half_up(value.numerator, value.denominator)


def _divide_half_up(num: int, den: int) -> int:
    """num / den rounded to the nearest integer, halves away from zero (den > 0)."""
    if num < 0:
        return -_divide_half_up(-num, den)
    return (2 * num + den) // (2 * den)
