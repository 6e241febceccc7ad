"""Dues (党费) from the books: which monthly periods a member has left unpaid, and whether
that makes him ineligible for the rules that say so (``requires_dues = true``).

A rulebook's ``[community.dues]`` names the ``per_period`` rule members pay (``rule``),
how many unpaid periods make a member ineligible (``unpaid_periods``: N or more), and the
first period counted (``since``; default: the month the rulebook was first installed).
A period is *paid* when a live (pending or approved) contribution of that rule names it,
whenever it was paid: dues paid in advance count for the month paid for, and dues paid
late still pay the month. A period is *due* on a local day once its due day (the rule's
``due_day``, else the month's last day) has passed. Only members the dues rule is open
to (its ``eligible_roles``) owe dues.

Everything here is pure: the store hands over the periods already paid, and a batch is
checked in input order, each item seeing the payments before it.
"""

from __future__ import annotations

import calendar
import contextlib
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from timebank.domain.contributions import Resolved
from timebank.domain.rule_versions import Versions, version_on
from timebank.domain.rules import Rule
from timebank.errors import NotEligible, RulebookError, UnknownRule
from timebank.i18n import T, Text

KEYS = ("rule", "unpaid_periods", "since")
MAX_UNPAID = 120


@attrs.frozen
class DuesPolicy:
    """The community's dues setting, as installed in its settings."""

    rule: str
    unpaid_periods: int  # N: a member with N or more unpaid periods is not eligible
    since: date          # the first day of the first period counted

    @classmethod
    def from_settings(cls, raw: Any) -> DuesPolicy | None:
        """The policy stored in a community's settings (``settings["dues"]``), if any."""
        if not isinstance(raw, Mapping) or not raw.get("since"):
            return None
        return cls(str(raw["rule"]), int(raw["unpaid_periods"]),
                   month_start(date.fromisoformat(str(raw["since"]))))


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_key(day: date) -> str:
    return f"{day:%Y-%m}"


def due_periods(since: date, day: date, due_day: int | None) -> list[str]:
    """The months (``YYYY-MM``) from ``since``'s month on whose dues are due by local
    ``day``: their due day (else their last day) is before ``day``."""
    found = []
    year, month = since.year, since.month
    while (year, month) <= (day.year, day.month):
        last = due_day or calendar.monthrange(year, month)[1]
        if day > date(year, month, last):
            found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def unpaid(since: date, day: date, due_day: int | None, paid: set[str]) -> list[str]:
    """The due months of ``due_periods`` not in ``paid``."""
    return [p for p in due_periods(since, day, due_day) if p not in paid]


def owes(dues: Rule, roles: Sequence[str]) -> bool:
    """Whether a member with ``roles`` owes dues under ``dues`` (it is open to him)."""
    return not dues.eligible_roles or bool(set(dues.eligible_roles) & set(roles))


def check(policy: DuesPolicy, items: Sequence[Resolved], versions: Versions,
          paid: Mapping[int, set[str]]) -> None:
    """Refuse (``NotEligible``, naming the unpaid periods) the first of ``items`` whose
    rule ``requires_dues`` while its member has ``policy.unpaid_periods`` or more unpaid
    periods on its day. ``paid`` holds the periods already paid per member id; items of
    the dues rule itself pay their period for the items after them."""
    mine: dict[int, set[str]] = {}
    due: dict[tuple[date, int | None], list[str]] = {}
    for item in items:
        if item.rule.code == policy.rule and item.period is not None:
            mine.setdefault(item.member_id, set(paid.get(item.member_id, ()))).add(
                item.period)
            continue
        if not item.rule.requires_dues:
            continue
        day = item.claim.day
        try:
            dues = version_on(versions, policy.rule, day)[1]
        except UnknownRule:
            continue  # no dues rule in force that day: nothing is owed
        if not owes(dues, item.roles):
            continue
        if (day, dues.due_day) not in due:
            due[day, dues.due_day] = due_periods(policy.since, day, dues.due_day)
        have = mine.get(item.member_id, paid.get(item.member_id, set()))
        missing = [p for p in due[day, dues.due_day] if p not in have]
        if len(missing) >= policy.unpaid_periods:
            raise NotEligible(
                T("member {member!r} may not earn from rule {rule!r}: {count} periods of "
                  "{dues!r} are unpaid ({periods}); with {limit} or more unpaid a member "
                  "is not eligible", member=item.member_code, rule=item.rule.code,
                  count=len(missing), dues=policy.rule, periods=", ".join(missing),
                  limit=policy.unpaid_periods),
                field="member", rule=item.rule.code, dues=policy.rule, unpaid=missing)


def check_table(value: Any, rules: Mapping[str, Rule], origin: str) -> dict[str, Any]:
    """A rulebook's ``[community.dues]`` table checked against its ``rules``: the plain
    form installed in the community's settings (``since`` as ``YYYY-MM-DD`` or None)."""
    def fail(field: str, problem: Text) -> RulebookError:
        return RulebookError(T("{where}: community.dues.{field}: {problem}", where=origin,
                               field=field, problem=problem),
                             field=f"community.dues.{field}", file=origin)

    if not isinstance(value, Mapping):
        raise RulebookError(T("{where}: community.dues must be a table", where=origin),
                            field="community.dues", file=origin)
    for key in value:
        if key not in KEYS:
            raise fail(str(key), T("unknown key; expected one of {keys}",
                                   keys=", ".join(KEYS)))
    code = value.get("rule")
    found = rules.get(code) if isinstance(code, str) else None
    if found is None:
        raise fail("rule", T("{rule!r} is not a rule of this rulebook", rule=code))
    if found.basis != "per_period" or found.period != "month":
        raise fail("rule", T("rule {rule!r} is not paid per month (basis = 'per_period', "
                             "period = 'month')", rule=code))
    if found.requires_dues:
        raise fail("rule", T("rule {rule!r} cannot itself require dues paid", rule=code))
    limit = value.get("unpaid_periods")
    if isinstance(limit, bool) or not isinstance(limit, int) or \
            not 1 <= limit <= MAX_UNPAID:
        raise fail("unpaid_periods", T("a whole number from 1 to {most} (with this many "
                                       "unpaid periods or more a member is not eligible)",
                                       most=MAX_UNPAID))
    since = raw = value.get("since")
    if isinstance(since, str):
        with contextlib.suppress(ValueError):
            since = date.fromisoformat(since)
    if since is not None and (not isinstance(since, date) or isinstance(since, datetime)):
        raise fail("since", T("must be a date like 2026-01-01, got {value!r}", value=raw))
    return {"rule": code, "unpaid_periods": limit,
            "since": None if since is None else month_start(since).isoformat()}
