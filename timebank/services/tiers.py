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
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain.ledger import EntryKind
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
from timebank.store import legacy as books
from timebank.store.db import Store
from timebank.store.tables import accounts, entries, members, postings
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


def policy_of(comm: books.CommunityRef) -> TierPolicy | None:
    """The community's tier policy, or None when it has none."""
    data = comm.settings.get("tiers")
    if not data:
        return None
    return TierPolicy.from_mapping(data, where=f"community {comm.code} settings.tiers")


def member_awards(conn: Connection, account_id: int | None) -> list[Award]:
    """The member's awards that were not reversed, oldest first (one indexed query)."""
    if account_id is None:
        return []
    reversal = sa.alias(entries)
    rows = conn.execute(
        sa.select(entries.c.occurred_at, postings.c.amount)
        .join(entries, entries.c.id == postings.c.entry_id)
        .outerjoin(reversal, reversal.c.reverses_id == entries.c.id)
        .where(postings.c.account_id == account_id, entries.c.kind == str(EntryKind.AWARD),
               postings.c.amount > 0, reversal.c.id.is_(None))
        .order_by(entries.c.occurred_at)).all()
    return [Award(r.occurred_at, int(r.amount)) for r in rows]


def _account(conn: Connection, community_id: int, member: str, unit: str) -> int | None:
    row = conn.execute(
        sa.select(members.c.id, accounts.c.id.label("account_id"))
        .select_from(members.outerjoin(accounts, sa.and_(accounts.c.member_id == members.c.id,
                                                         accounts.c.unit == unit)))
        .where(members.c.community_id == community_id, members.c.code == member)).first()
    if row is None:
        books.member_id(conn, community_id, member)  # raises UnknownMember
    assert row is not None
    return row.account_id


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


def evaluate(conn: Connection, comm: books.CommunityRef, policy: TierPolicy, member: str,
             on: date | None = None) -> TierStatus:
    """A member's tier status inside an open transaction (redemptions use this)."""
    day = on if on is not None else local_date(utcnow(), comm.timezone)
    until = start_of_day_utc(day + timedelta(days=1), comm.timezone) - timedelta(microseconds=1)
    account = _account(conn, comm.id, member, policy.unit)
    ev = _Evaluation(policy, member_awards(conn, account), comm.timezone, until)
    tier = tier_at(policy, ev.changes, until)
    earned = ev.earnings.at(until)
    nxt = policy.next_after(tier)
    return TierStatus(member, day, policy.basis, policy.unit, earned, TierInfo.of(tier),
                      TierInfo.of(nxt), max(0, nxt.threshold - earned) if nxt else 0)


class Tiers:
    def __init__(self, store: Store) -> None:
        self.store = store

    def policy(self, community: str) -> TierPolicy | None:
        """The community's tier policy (None if it has none)."""
        with self.store.read() as conn:
            return policy_of(books.community(conn, community))

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
        with self.store.read() as conn:
            comm = books.community(conn, community)
            policy = policy_of(comm)
            if policy is None:
                books.member_id(conn, comm.id, member)
                return None
            return evaluate(conn, comm, policy, member, on)

    def history(self, community: str, member: str, *, until: date | None = None
                ) -> list[TierChange]:
        """Every change of the member's tier up to the end of ``until`` (default today),
        oldest first; times are naive UTC."""
        with self.store.read() as conn:
            comm = books.community(conn, community)
            policy = policy_of(comm)
            if policy is None:
                books.member_id(conn, comm.id, member)
                return []
            day = until if until is not None else local_date(utcnow(), comm.timezone)
            end = start_of_day_utc(day + timedelta(days=1), comm.timezone) \
                - timedelta(microseconds=1)
            account = _account(conn, comm.id, member, policy.unit)
            return _Evaluation(policy, member_awards(conn, account), comm.timezone,
                               end).changes

