"""Expiry as plain values: the policy and how much of a balance has expired.

Earned points form lots dated by when they were earned; every debit (spends, transfers
out, earlier expiries, points on hold) uses the oldest lots first. So at a cutoff the
points still left from lots dated before it are

    max(0, posted - held - credits dated on or after the cutoff)

which needs only the recent credits, never the whole history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import attrs

from timebank.domain.ledger import UNITS
from timebank.errors import RulebookError
from timebank.i18n import T, Text

POLICIES = ("never", "months", "yearly_reset")


def _bad(where: str, field: str, what: str | Text) -> RulebookError:
    return RulebookError(T("{where}: {field} {what}", where=where, field=field, what=what),
                         field=field, where=where)


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` (may be negative), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@attrs.frozen
class ExpiryPolicy:
    """``never``; ``months``: a lot expires ``months`` after the day it was earned (it is
    good through that day); ``yearly_reset``: at the end of ``reset_on`` (MM-DD) each year
    everything earned up to then expires."""

    policy: str = "never"
    months: int = 12
    reset_on: tuple[int, int] = (12, 31)
    units: tuple[str, ...] = ("points",)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "expiry") -> ExpiryPolicy:
        if not isinstance(data, Mapping):
            raise _bad(where, "expiry", T("must be a table"))
        policy = data.get("policy", "never")
        if policy not in POLICIES:
            raise _bad(where, "policy", T("must be one of {policies}, got {policy!r}",
                                          policies=', '.join(POLICIES), policy=policy))
        months = data.get("months", 12)
        if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 600:
            raise _bad(where, "months", T("must be a whole number from 1 to 600, got {months!r}",
                                          months=months))
        if policy == "months" and "months" not in data:
            raise _bad(where, "months", T("is required by policy 'months'"))
        reset = data.get("reset_on", "12-31")
        parsed = _month_day(reset)
        if parsed is None:
            raise _bad(where, "reset_on", T("must be a day MM-DD (not 02-29), got {reset!r}",
                                            reset=reset))
        units = data.get("units", ["points"])
        if not isinstance(units, Sequence) or isinstance(units, str) or not units or \
                any(u not in UNITS for u in units):
            raise _bad(where, "units", T("must be a non-empty list of {units}",
                                         units=', '.join(UNITS)))
        return cls(policy, months, parsed, tuple(units))

    def cutoff(self, as_of: date) -> date | None:
        """Lots earned before this local day have expired on ``as_of`` (None: never)."""
        if self.policy == "months":
            return add_months(as_of, -self.months)
        if self.policy == "yearly_reset":
            month, day = self.reset_on
            reset = date(as_of.year, month, day)
            if reset >= as_of:
                reset = date(as_of.year - 1, month, day)
            return reset + timedelta(days=1)
        return None


def _month_day(text: object) -> tuple[int, int] | None:
    if not isinstance(text, str) or len(text) != 5 or text[2] != "-":
        return None
    try:
        month, day = int(text[:2]), int(text[3:])
        date(2023, month, day)  # a non-leap year: 02-29 is refused
    except ValueError:
        return None
    return month, day


def expiring(posted: int, held: int, recent_credits: int) -> int:
    """Points left from lots older than the cutoff (see the module docstring)."""
    return max(0, posted - held - recent_credits)


def fifo_expired(lots: Iterable[tuple[date, int]], debits: int, cutoff: date) -> int:
    """The same amount by walking the lots oldest first: a reference for tests."""
    left = debits
    expired = 0
    for day, amount in sorted(lots):
        used = min(left, amount)
        left -= used
        if day < cutoff:
            expired += amount - used
    return expired


@attrs.frozen
class ExpiringLot:
    """``amount`` of ``unit`` is gone on local day ``expires_on`` unless spent before:
    ``last_day`` is the last day it can still be used."""

    unit: str
    amount: int
    expires_on: date

    @property
    def last_day(self) -> date:
        return self.expires_on - timedelta(days=1)


def schedule(policy: ExpiryPolicy, unit: str, posted: int, held: int,
             credits: Mapping[date, int], start: date, days: int) -> list[ExpiringLot]:
    """What of one balance expires on each day from ``start`` to ``start + days``, in
    order: on day ``d`` the amount gone is ``expiring(posted, held, credits dated on or
    after cutoff(d))``, which only grows with ``d``; each step up is a lot expiring that
    day. ``credits`` are the account's credits by local day (those before
    ``cutoff(start)`` never count). A step on ``start`` itself is what is due but not yet
    posted by the day's expiry run."""
    lots: list[ExpiringLot] = []
    before = 0
    for offset in range(days + 1):
        day = start + timedelta(days=offset)
        cutoff = policy.cutoff(day)
        if cutoff is None:
            return []
        amount = expiring(posted, held, sum(n for d, n in credits.items() if d >= cutoff))
        if amount > before:
            lots.append(ExpiringLot(unit, amount - before, day))
            before = amount
    return lots
