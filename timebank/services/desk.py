"""What the service-day desk asks before a redemption: the days it can work on, and the
gifts a member may take today with the reason for each one they may not.

The answer is advice for the clerk's screen, read on one snapshot; the redemption itself
checks everything again under its locks (``services.redemptions``), so a gift that was
offered here may still be refused there if the stock moved in between.
"""

from __future__ import annotations

import attrs

from timebank.domain.catalogue import period_start, unit_price
from timebank.domain.service_days import ServiceDay
from timebank.domain.tiers import TierPolicy
from timebank.errors import NotEligible, UnknownMember, ValidationError
from timebank.i18n import T
from timebank.services.tiers import evaluate, policy_of
from timebank.store.db import Store
from timebank.store.uow import UnitOfWork
from timebank.timeutil import local_date, start_of_day_utc, utcnow

__all__ = ["Desk", "GiftOffer", "days", "offers"]

DAY_STATUSES = ("open", "closed")


@attrs.frozen
class GiftOffer:
    """One gift as this member sees it today. ``cost`` is the member's own unit price
    (after price rules); ``limit_left`` is None without a per-member limit; ``blocked``
    names why the member may not take it now (``out_of_stock``, ``not_eligible``,
    ``limit_exceeded``), None when they may."""

    code: str
    name: str
    name_en: str
    cost: int
    unit: str
    stock: int
    min_tier: str | None
    limit_per_member: int | None
    limit_period: str
    limit_left: int | None
    blocked: str | None


def days(uow: UnitOfWork, status: str | None = None) -> list[ServiceDay]:
    if status is not None and status not in DAY_STATUSES:
        raise ValidationError(T("status is open or closed"), field="status")
    return uow.catalogue.service_days(status)


def offers(uow: UnitOfWork, member: str) -> list[GiftOffer]:
    """The gifts offered today, each with what this member may still take."""
    found = uow.redemptions.redeemers("code", member)
    if len(found) != 1:
        raise UnknownMember(T("no member with code {member!r}", member=member), field="member")
    who = found[0]
    today = local_date(utcnow(), uow.community.timezone)
    policy = policy_of(uow.community)
    rank = -1
    gifts = uow.catalogue.gifts(active_on=today)
    if policy is not None and any(g.min_tier for g in gifts):
        status = evaluate(uow, policy, who.code, today)
        rank = -1 if status.tier is None else policy.level(status.tier.code).rank
    result = []
    for gift in gifts:
        left: int | None = None
        if gift.limit_per_member is not None:
            terms = uow.catalogue.terms(gift.code)
            since = start_of_day_utc(period_start(gift.limit_period, today),
                                     uow.community.timezone)
            left = max(0, gift.limit_per_member -
                       uow.redemptions.taken_since(who.id, terms.id, since))
        blocked = None
        if gift.min_tier and (policy is None or rank < _rank(policy, gift.min_tier)):
            blocked = "not_eligible"
        elif left == 0:
            blocked = "limit_exceeded"
        elif gift.stock <= 0:
            blocked = "out_of_stock"
        result.append(GiftOffer(gift.code, gift.name, gift.name_en,
                                unit_price(gift.cost, gift.price_rules, who.tags), gift.unit,
                                gift.stock, gift.min_tier, gift.limit_per_member,
                                gift.limit_period, left, blocked))
    return result


def _rank(policy: TierPolicy, code: str) -> int:
    try:
        return policy.level(code).rank
    except NotEligible:  # an unknown tier gate: nobody passes it
        return 1 << 30


class Desk:
    def __init__(self, store: Store) -> None:
        self.store = store

    def days(self, community: str, status: str | None = None) -> list[ServiceDay]:
        """The community's service days, newest first (``status``: open or closed)."""
        with self.store.reading(community) as uow:
            return days(uow, status)

    def offers(self, community: str, member: str) -> list[GiftOffer]:
        """The gifts offered today and what ``member`` may take of each."""
        with self.store.reading(community) as uow:
            return offers(uow, member)
