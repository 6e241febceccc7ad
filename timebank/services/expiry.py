"""Expiry use cases: post what has expired, and list what will expire soon.

The policy lives in the community's settings under ``expiry``. Amounts come from one
set-based query per unit over the credits dated after the cutoff (an index on entries by
community and date); see ``domain.expiry`` for why that is FIFO. Each member's expiry is
one ledger entry (kind ``expiry``, member → the expiry account) under the idempotency
key ``expiry:{community}:{member}:{unit}:{as_of}``, so running a date twice writes
nothing the second time.
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain.expiry import ExpiryPolicy, expiring
from timebank.domain.ledger import EntryKind, SystemAccount, move
from timebank.errors import ValidationError
from timebank.store import legacy as books
from timebank.store.db import Store

from timebank.store.legacy import once
from timebank.store.tables import accounts, communities, entries, members, postings
from timebank.timeutil import local_date, start_of_day_utc, utcnow


@attrs.frozen
class Expired:
    member: str
    unit: str
    amount: int
    entry_id: int


@attrs.frozen
class ExpiryRun:
    community: str
    as_of: date
    cutoff: date | None  # lots earned before this local day expired
    expired: tuple[Expired, ...]

    @property
    def total(self) -> int:
        return sum(e.amount for e in self.expired)


@attrs.frozen
class Expiring:
    """``amount`` of the member's ``unit`` will have expired by ``by`` unless spent."""

    member: str
    unit: str
    amount: int
    by: date


def policy_of(comm: books.CommunityRef) -> ExpiryPolicy:
    data = comm.settings.get("expiry")
    if not data:
        return ExpiryPolicy()
    return ExpiryPolicy.from_mapping(data, where=f"community {comm.code} settings.expiry")


def _due(conn: Connection, comm: books.CommunityRef, unit: str, cutoff: date
         ) -> list[tuple[int, str, int]]:
    """(account id, member code, amount) of every member with points older than cutoff."""
    since = start_of_day_utc(cutoff, comm.timezone)
    recent = (sa.select(postings.c.account_id, sa.func.sum(postings.c.amount).label("amount"))
              .join(entries, entries.c.id == postings.c.entry_id)
              .where(entries.c.community_id == comm.id, entries.c.occurred_at >= since,
                     postings.c.amount > 0)
              .group_by(postings.c.account_id).subquery())
    left = accounts.c.posted - accounts.c.held - sa.func.coalesce(recent.c.amount, 0)
    rows = conn.execute(
        sa.select(accounts.c.id, members.c.code, accounts.c.posted, accounts.c.held,
                  sa.func.coalesce(recent.c.amount, 0).label("recent"))
        .join(members, members.c.id == accounts.c.member_id)
        .outerjoin(recent, recent.c.account_id == accounts.c.id)
        .where(accounts.c.community_id == comm.id, accounts.c.unit == unit, left > 0)
        .order_by(accounts.c.id)).all()
    return [(r.id, r.code, expiring(int(r.posted), int(r.held), int(r.recent))) for r in rows]


def _check_date(value: object, field: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, date):
        return value
    raise ValidationError(f"{field} must be a date YYYY-MM-DD", field=field)


def _expire_one(conn: Connection, comm: books.CommunityRef, sink: int, unit: str,
                account: int, member: str, amount: int, as_of: date, cutoff: date,
                actor: str) -> Expired:
    request = {"op": "expiry", "member": member, "unit": unit, "as_of": as_of.isoformat()}

    def work() -> dict[str, int]:
        posted = books.post(
            conn, comm, EntryKind.EXPIRY, move(account, sink, unit, amount),
            reason=f"expired as of {as_of.isoformat()} (earned before {cutoff.isoformat()})",
            actor=actor, occurred_at=start_of_day_utc(as_of, comm.timezone),
            meta={"as_of": as_of.isoformat(), "cutoff": cutoff.isoformat()})
        return {"entry_id": posted.entry_id, "amount": amount}
    key = f"expiry:{comm.code}:{member}:{unit}:{as_of.isoformat()}"
    result = once(conn, comm.id, key, request, work)
    return Expired(member, unit, int(result["amount"]), int(result["entry_id"]))


class Expiry:
    def __init__(self, store: Store) -> None:
        self.store = store

    def policy(self, community: str) -> ExpiryPolicy:
        with self.store.read() as conn:
            return policy_of(books.community(conn, community))

    def expire(self, community: str, *, as_of: date, actor: str = "system") -> ExpiryRun:
        """Post every member's expired points as of local day ``as_of`` (one transaction);
        idempotent per community, member, unit and date."""
        as_of = _check_date(as_of, "as_of")

        def run(conn: Connection) -> ExpiryRun:
            comm = books.community(conn, community)
            policy = policy_of(comm)
            cutoff = policy.cutoff(as_of)
            if cutoff is None:
                return ExpiryRun(comm.code, as_of, None, ())
            done: list[Expired] = []
            for unit in policy.units:
                sink = books.system_account(conn, comm.id, SystemAccount.EXPIRY, unit)
                done += [_expire_one(conn, comm, sink, unit, account, member, amount,
                                     as_of, cutoff, actor)
                         for account, member, amount in _due(conn, comm, unit, cutoff)]
            return ExpiryRun(comm.code, as_of, cutoff, tuple(done))
        return self.store.write(run)

    def expire_all(self, *, as_of: date, actor: str = "system") -> list[ExpiryRun]:
        """``expire`` for every community (a run with no cutoff where the policy is
        ``never``)."""
        with self.store.read() as conn:
            codes = conn.execute(sa.select(communities.c.code)
                                 .order_by(communities.c.code)).scalars().all()
        return [self.expire(code, as_of=as_of, actor=actor) for code in codes]

    def upcoming(self, community: str, *, within_days: int, as_of: date | None = None
                 ) -> list[Expiring]:
        """Members whose points will have expired within ``within_days`` of ``as_of``
        (default today) unless they spend them, with how much."""
        if isinstance(within_days, bool) or not isinstance(within_days, int) \
                or not 0 <= within_days <= 3660:
            raise ValidationError("within_days must be a whole number from 0 to 3660",
                                  field="within_days")
        with self.store.read() as conn:
            comm = books.community(conn, community)
            policy = policy_of(comm)
            start = _check_date(as_of, "as_of") if as_of is not None \
                else local_date(utcnow(), comm.timezone)
            by = start + timedelta(days=within_days)
            cutoff = policy.cutoff(by)
            if cutoff is None:
                return []
            return [Expiring(member, unit, amount, by)
                    for unit in policy.units
                    for _, member, amount in _due(conn, comm, unit, cutoff)]
