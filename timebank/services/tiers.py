"""Tiers use cases: a community's tier policy, a member's tier at any date with the points
still needed for the next, and the history of tier changes.

The policy lives in the community's settings under ``tiers`` (see ``docs/policies.md``).
A member's tier is derived from his awards (reversed awards excluded), read with one
indexed query on his account; nothing is stored, so a tier is the same whoever asks
and whenever.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import attrs

from timebank.domain.community import CommunityRef
from timebank.domain.tiers import (
    Award,
    Earnings,
    Tier,
    TierChange,
    TierPolicy,
    history,
    tier_at,
    year_starts_between,
)
from timebank.store.db import Store
from timebank.store.uow import UnitOfWork
from timebank.timeutil import local_date, start_of_day_utc, utcnow


@attrs.frozen
class TierInfo:
    code: str
    name_zh: str
    name_en: str
    threshold: int
    benefits: tuple[str, ...]

    @classmethod
    def of(cls, tier: Tier | None) -> TierInfo | None:
        if tier is None:
            return None
        return cls(tier.code, tier.name_zh, tier.name_en, tier.threshold, tier.benefits)


@attrs.frozen
class TierStatus:
    """A member's tier on ``on`` (end of that local day): ``earned`` on the policy's
    basis, the ``next`` tier and the points ``needed`` to reach it (0 at the top)."""

    member: str
    on: date
    basis: str
    unit: str
    earned: int
    tier: TierInfo | None
    next: TierInfo | None
    needed: int


def policy_of(comm: CommunityRef) -> TierPolicy | None:
    """The community's tier policy, or None when it has none."""
    data = comm.settings.get("tiers")
    if not data:
        return None
    return TierPolicy.from_mapping(data, where=f"community {comm.code} settings.tiers")


class _Evaluation:
    """A member's earnings and tier changes up to an instant, under a policy."""

    def __init__(self, policy: TierPolicy, awards: list[Award], tz: str,
                 until: datetime) -> None:
        def year_start(t: datetime) -> datetime:
            return start_of_day_utc(date(local_date(t, tz).year, 1, 1), tz)

        self.earnings = Earnings(policy, awards, year_start)
        starts: list[datetime] = []
        if awards and policy.basis == "calendar_year":
            first = local_date(min(a.at for a in awards), tz)
            starts = [start_of_day_utc(d, tz)
                      for d in year_starts_between(first, local_date(until, tz))]
        self.changes = history(policy, self.earnings, until, starts)


def _end_of(day: date, tz: str) -> datetime:
    """The last instant (naive UTC) of local day ``day``."""
    return start_of_day_utc(day + timedelta(days=1), tz) - timedelta(microseconds=1)


# -- use cases: primitives and a unit of work ---------------------------------------------


def evaluate(uow: UnitOfWork, policy: TierPolicy, member: str,
             on: date | None = None) -> TierStatus:
    """A member's tier status at the end of local day ``on`` (default today); redemptions
    and the catalogue call it inside their own transaction."""
    tz = uow.community.timezone
    day = on if on is not None else local_date(utcnow(), tz)
    until = _end_of(day, tz)
    ev = _Evaluation(policy, uow.history.awards(member, policy.unit), tz, until)
    tier = tier_at(policy, ev.changes, until)
    earned = ev.earnings.at(until)
    nxt = policy.next_after(tier)
    return TierStatus(member, day, policy.basis, policy.unit, earned, TierInfo.of(tier),
                      TierInfo.of(nxt), max(0, nxt.threshold - earned) if nxt else 0)


def status(uow: UnitOfWork, member: str, on: date | None = None) -> TierStatus | None:
    """``evaluate`` under the community's policy; None (for a known member) without one."""
    policy = policy_of(uow.community)
    if policy is None:
        uow.members.id_of(member)  # raises UnknownMember
        return None
    return evaluate(uow, policy, member, on)


def changes(uow: UnitOfWork, member: str, until: date | None = None) -> list[TierChange]:
    """Every change of the member's tier up to the end of ``until`` (default today)."""
    policy = policy_of(uow.community)
    if policy is None:
        uow.members.id_of(member)  # raises UnknownMember
        return []
    tz = uow.community.timezone
    day = until if until is not None else local_date(utcnow(), tz)
    return _Evaluation(policy, uow.history.awards(member, policy.unit), tz,
                       _end_of(day, tz)).changes


class Tiers:
    def __init__(self, store: Store) -> None:
        self.store = store

    def policy(self, community: str) -> TierPolicy | None:
        """The community's tier policy (None if it has none)."""
        with self.store.reading(community) as uow:
            return policy_of(uow.community)

    def levels(self, community: str) -> list[TierInfo]:
        """The community's tiers, lowest first (empty without a policy)."""
        policy = self.policy(community)
        if policy is None:
            return []
        return [info for tier in policy.levels if (info := TierInfo.of(tier)) is not None]

    def status(self, community: str, member: str, *, on: date | None = None
               ) -> TierStatus | None:
        """The member's tier at the end of local day ``on`` (default today), the next tier
        and the points still needed for it; None when the community has no tiers."""
        with self.store.reading(community) as uow:
            return status(uow, member, on)

    def history(self, community: str, member: str, *, until: date | None = None
                ) -> list[TierChange]:
        """Every change of the member's tier up to the end of ``until`` (default today),
        oldest first; times are naive UTC."""
        with self.store.reading(community) as uow:
            return changes(uow, member, until)
