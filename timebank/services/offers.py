"""Offers (服务项目): what a member can do for neighbours, listed and searched by category
and unit; and the matching of open requests to the nearest offers (same building, then
same grid, then anywhere)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from timebank import i18n
from timebank.domain.catalogue import check_text
from timebank.domain.exchange import ExchangeRequest, Offer, check_category, nearness
from timebank.errors import Forbidden, InvalidState, NotFound, ValidationError
from timebank.store.db import Store
from timebank.store.idempotency import check_key
from timebank.store.uow import UnitOfWork

T = TypeVar("T")


def add(uow: UnitOfWork, member: str, category: str, text: str, availability: str = "", *,
        key: str | None = None, as_member: str | None = None) -> Offer:
    """List what ``member`` can do."""
    if as_member is not None and as_member != member:
        raise Forbidden(i18n.T("a member key acts for its own member only"), field="member")
    check_text(text, "text", 500)
    check_text(availability, "availability", 200, required=False)

    def work() -> Offer:
        check_category(uow.community.settings, category)
        member_id, _ = uow.exchange.member(member)
        offer_id = uow.exchange.add_offer(member_id, category, text, availability)
        return uow.exchange.offers(offer_id=offer_id, limit=1)[0]
    return uow.once(check_key(key) if key is not None else None,
                    {"op": "offer.add", "member": member, "category": category,
                     "text": text, "availability": availability}, work, Offer)


def withdraw(uow: UnitOfWork, offer_id: int, *, key: str | None = None,
             as_member: str | None = None) -> Offer:
    """Take an offer off the list (once)."""
    def work() -> Offer:
        found = uow.exchange.offers(offer_id=offer_id, status=None, limit=1)
        if not found:
            raise NotFound(i18n.T("unknown offer {offer_id}", offer_id=offer_id), field="offer")
        if as_member is not None and as_member != found[0].member:
            raise Forbidden(i18n.T("a member key acts for its own member only"), field="offer")
        return uow.exchange.withdraw_offer(offer_id)
    return uow.once(check_key(key) if key is not None else None,
                    {"op": "offer.withdraw", "offer": offer_id}, work, Offer)


def find(uow: UnitOfWork, *, category: str | None = None, unit: str | None = None,
         member: str | None = None, limit: int = 50, offset: int = 0) -> list[Offer]:
    """Listed offers newest first, by category, by unit (a grid or building: everyone
    living under it) and by member."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= 1000:
        raise ValidationError(i18n.T("limit must be from 1 to 1000"), field="limit")
    path = uow.exchange.unit_path(unit) if unit is not None else None
    return uow.exchange.offers(category=category, unit_path=path, member=member,
                               limit=limit, offset=offset)


def offer_request(uow: UnitOfWork, offer_id: int, category: str, requester: str) -> None:
    """A request that answers an offer: the offer is listed, of the same category, and
    someone else's."""
    found = uow.exchange.offers(offer_id=offer_id, status=None, limit=1)
    if not found:
        raise NotFound(i18n.T("unknown offer {offer_id}", offer_id=offer_id), field="offer")
    offer = found[0]
    if offer.status != "listed":
        raise InvalidState(i18n.T("offer {offer_id} is withdrawn", offer_id=offer_id),
                           field="offer",
                           state=offer.status)
    if offer.category != category or offer.member == requester:
        raise ValidationError(i18n.T("the offer must be another member's, of the same category"),
                              field="offer")


def listed_near(uow: UnitOfWork, requests: Sequence[tuple[ExchangeRequest, str | None]],
                limit: int) -> dict[int, tuple[Offer, ...]]:
    """For each open request: up to ``limit`` listed offers of its category by other
    members, the same building first, then the same grid, then the newest."""
    if not requests:
        return {}
    wanted = sorted({r.category for r, _ in requests})
    offers = uow.exchange.placed_offers(categories=wanted, limit=5000)
    out: dict[int, tuple[Offer, ...]] = {}
    for request, path in requests:
        ranked = sorted(((nearness(path, where), -offer.id, offer)
                         for offer, where in offers
                         if offer.category == request.category
                         and offer.member != request.member), key=lambda t: t[:2])
        out[request.id] = tuple(offer for _, _, offer in ranked[:limit])
    return out


class Offers:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _run(self, community: str, fn: Callable[[UnitOfWork], T]) -> T:
        return self.store.transact(community, fn)

    def add(self, community: str, member: str, category: str, text: str,
            availability: str = "", **options: Any) -> Offer:
        """List what ``member`` can do (``key``, ``as_member``)."""
        return self._run(community, lambda uow: add(uow, member, category, text,
                                                    availability, **options))

    def withdraw(self, community: str, offer_id: int, **options: Any) -> Offer:
        return self._run(community, lambda uow: withdraw(uow, offer_id, **options))

    def find(self, community: str, **filters: Any) -> list[Offer]:
        with self.store.reading(community) as uow:
            return find(uow, **filters)
