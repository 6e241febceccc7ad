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

from timebank.domain.community import CommunityRef
from timebank.domain.expiry import ExpiringLot, ExpiryPolicy, expiring, schedule
from timebank.domain.ledger import EntryKind, SystemAccount, move
from timebank.errors import ValidationError
from timebank.i18n import T
from timebank.store.db import Store
from timebank.store.posting import NewEntry
from timebank.store.uow import UnitOfWork
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


@attrs.frozen
class _Posted:
    """What an expiry key stores: a replay answers the first run's entry and amount."""

    entry_id: int
    amount: int


def policy_of(comm: CommunityRef) -> ExpiryPolicy:
    data = comm.settings.get("expiry")
    if not data:
        return ExpiryPolicy()
    return ExpiryPolicy.from_mapping(data, where=f"community {comm.code} settings.expiry")


def _due(uow: UnitOfWork, unit: str, cutoff: date) -> list[tuple[int, str, int]]:
    """(account id, member code, amount) of every member with points older than cutoff."""
    since = start_of_day_utc(cutoff, uow.community.timezone)
    return [(account, member, expiring(posted, held, recent))
            for account, member, posted, held, recent
            in uow.history.expiry_candidates(unit, since)]


def _check_date(value: object, field: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    elif isinstance(value, date):
        return value
    raise ValidationError(T("{field} must be a date YYYY-MM-DD", field=field), field=field)


def _expire_one(uow: UnitOfWork, sink: int, unit: str, account: int, member: str,
                amount: int, as_of: date, cutoff: date, actor: str) -> Expired:
    comm = uow.community
    request = {"op": "expiry", "member": member, "unit": unit, "as_of": as_of.isoformat()}

    def work() -> _Posted:
        posted = uow.ledger.post(NewEntry(
            EntryKind.EXPIRY, move(account, sink, unit, amount),
            f"expired as of {as_of.isoformat()} (earned before {cutoff.isoformat()})",
            actor, start_of_day_utc(as_of, comm.timezone),
            {"as_of": as_of.isoformat(), "cutoff": cutoff.isoformat()}))
        return _Posted(posted.entry_id, amount)
    key = f"expiry:{comm.code}:{member}:{unit}:{as_of.isoformat()}"
    done = uow.once(key, request, work, _Posted)
    return Expired(member, unit, done.amount, done.entry_id)


# -- use cases: primitives and a unit of work ---------------------------------------------


def expire(uow: UnitOfWork, as_of: date, *, actor: str = "system") -> ExpiryRun:
    """Post every member's expired points as of local day ``as_of``; idempotent per
    community, member, unit and date (one entry and one key per member and unit)."""
    comm = uow.community
    policy = policy_of(comm)
    cutoff = policy.cutoff(as_of)
    if cutoff is None:
        return ExpiryRun(comm.code, as_of, None, ())
    done: list[Expired] = []
    for unit in policy.units:
        sink = uow.ledger.system_account(SystemAccount.EXPIRY, unit)
        done += [_expire_one(uow, sink, unit, account, member, amount, as_of, cutoff, actor)
                 for account, member, amount in _due(uow, unit, cutoff)]
    return ExpiryRun(comm.code, as_of, cutoff, tuple(done))


def upcoming(uow: UnitOfWork, within_days: int, as_of: date | None = None
             ) -> list[Expiring]:
    """Members whose points will have expired within ``within_days`` of ``as_of``
    (default today) unless they spend them, with how much."""
    policy = policy_of(uow.community)
    start = _check_date(as_of, "as_of") if as_of is not None \
        else local_date(utcnow(), uow.community.timezone)
    by = start + timedelta(days=within_days)
    cutoff = policy.cutoff(by)
    if cutoff is None:
        return []
    return [Expiring(member, unit, amount, by)
            for unit in policy.units for _, member, amount in _due(uow, unit, cutoff)]


def member_schedule(uow: UnitOfWork, member: str, within_days: int,
                    as_of: date | None = None) -> list[ExpiringLot]:
    """What of ``member``'s balances expires within ``within_days`` of ``as_of`` (default
    today) unless spent, lot by lot in the order they go (a member's own page says it)."""
    comm = uow.community
    policy = policy_of(comm)
    start = _check_date(as_of, "as_of") if as_of is not None \
        else local_date(utcnow(), comm.timezone)
    first = policy.cutoff(start)
    if first is None:
        uow.members.id_of(member)  # an unknown member is still a 404
        return []
    lots: list[ExpiringLot] = []
    for unit in policy.units:
        posted, held, credits = uow.history.member_credits(
            member, unit, start_of_day_utc(first, comm.timezone))
        by_day: dict[date, int] = {}
        for at, amount in credits:
            day = local_date(at, comm.timezone)
            by_day[day] = by_day.get(day, 0) + amount
        lots += schedule(policy, unit, posted, held, by_day, start, within_days)
    return sorted(lots, key=lambda lot: (lot.expires_on, lot.unit))


class Expiry:
    def __init__(self, store: Store) -> None:
        self.store = store

    def policy(self, community: str) -> ExpiryPolicy:
        with self.store.reading(community) as uow:
            return policy_of(uow.community)

    def expire(self, community: str, *, as_of: date, actor: str = "system") -> ExpiryRun:
        """Post every member's expired points as of local day ``as_of`` (one transaction);
        idempotent per community, member, unit and date."""
        day = _check_date(as_of, "as_of")
        return self.store.transact(community, lambda uow: expire(uow, day, actor=actor))

    def expire_all(self, *, as_of: date, actor: str = "system") -> list[ExpiryRun]:
        """``expire`` for every community (a run with no cutoff where the policy is
        ``never``)."""
        return [self.expire(code, as_of=as_of, actor=actor)
                for code in self.community_codes()]

    def community_codes(self) -> list[str]:
        """Every community's code (what ``expire_all`` runs over)."""
        with self.store.reading() as uow:
            return list(uow.history.community_codes())

    def today(self, community: str) -> date:
        """The community's local date now (an ``as_of`` after it is in the future)."""
        with self.store.reading(community) as uow:
            return local_date(utcnow(), uow.community.timezone)

    def upcoming(self, community: str, *, within_days: int, as_of: date | None = None
                 ) -> list[Expiring]:
        """Members whose points will have expired within ``within_days`` of ``as_of``
        (default today) unless they spend them, with how much."""
        if isinstance(within_days, bool) or not isinstance(within_days, int) \
                or not 0 <= within_days <= 3660:
            raise ValidationError(T("within_days must be a whole number from 0 to 3660"),
                                  field="within_days")
        with self.store.reading(community) as uow:
            return upcoming(uow, within_days, as_of)

    def member_schedule(self, community: str, member: str, *, within_days: int = 60,
                        as_of: date | None = None) -> list[ExpiringLot]:
        """What of ``member``'s balances expires within ``within_days`` (0 to 3660) of
        ``as_of`` (default today) unless spent: ``ExpiringLot(unit, amount, expires_on)``
        in the order they go."""
        _check_within(within_days)
        with self.store.reading(community) as uow:
            return member_schedule(uow, member, within_days, as_of)


def _check_within(within_days: object) -> None:
    if isinstance(within_days, bool) or not isinstance(within_days, int) \
            or not 0 <= within_days <= 3660:
        raise ValidationError(T("within_days must be a whole number from 0 to 3660"),
                              field="within_days")
