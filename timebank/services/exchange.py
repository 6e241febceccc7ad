"""Exchange (互助) use cases: post, claim, withdraw, confirm, dispute, settle, cancel and
expire requests between members, paid minute for minute.

Posting holds the estimate on the payer (the member, or the donation pool for members
tagged as in need), so the payment can never find the time gone. Every state change
locks the request row first and starts from named statuses, so it happens once; the
payment is one ``exchange`` entry payer → volunteers that captures the hold, and the
rest of the hold goes back. ``as_member`` is the member a member key acts for (None for
a clerk or an administrator): such a caller acts for its own member only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import attrs

from timebank import i18n
from timebank.domain.catalogue import check_text
from timebank.domain.exchange import (
    ACTS,
    FUNDERS,
    HELD,
    STATUSES,
    Category,
    ExchangePolicy,
    ExchangeRequest,
    Settlement,
    StoredRequest,
    categories_of,
    check_category,
    check_minutes,
    check_status,
    split,
)
from timebank.domain.ledger import EntryKind, Posting, SystemAccount
from timebank.errors import Forbidden, InvalidState, LimitExceeded, NotEligible, ValidationError
from timebank.services import crossing
from timebank.services.offers import listed_near, offer_request
from timebank.store.db import Store
from timebank.store.idempotency import check_key
from timebank.store.posting import NewEntry
from timebank.store.uow import UnitOfWork
from timebank.timeutil import local_date, utcnow

T = TypeVar("T")
UNIT = "minutes"
MATCHES = 5


def _acting(as_member: str | None, member: str) -> None:
    if as_member is not None and as_member != member:
        raise Forbidden(i18n.T("a member key acts for its own member only"), field="member")


def _key(key: str | None, required: bool) -> str | None:
    return check_key(key) if required or key is not None else None


# -- posting --------------------------------------------------------------------------------


def post(uow: UnitOfWork, member: str, title: str, category: str, minutes: int, *,
         key: str, needed_on: date | None = None, place: str = "",
         funded_by: str = "member", max_volunteers: int = 1, offer: int | None = None,
         as_member: str | None = None, actor: str = "system") -> ExchangeRequest:
    """Post a request and hold its estimate on the payer."""
    _acting(as_member, member)
    check_text(title, "title", 200)
    check_text(place, "place", 200, required=False)
    check_minutes(minutes)
    if funded_by not in FUNDERS:
        raise ValidationError(i18n.T("funded_by must be one of {funders}",
                                     funders=', '.join(FUNDERS)),
                              field="funded_by")
    if needed_on is not None and not isinstance(needed_on, date):
        raise ValidationError(i18n.T("needed_on must be a date"), field="needed_on")
    request = {"op": "exchange.post", "member": member, "title": title,
               "category": category, "minutes": minutes, "needed_on": needed_on,
               "place": place, "funded_by": funded_by, "max_volunteers": max_volunteers,
               "offer": offer, "actor": actor}

    def work() -> ExchangeRequest:
        settings = uow.community.settings
        check_category(settings, category)
        policy = ExchangePolicy.of(settings)
        check_minutes(minutes, high=policy.max_minutes)
        check_minutes(max_volunteers, "max_volunteers", high=policy.max_volunteers)
        member_id, tags, own_account = uow.exchange.requester(member)
        if offer is not None:
            offer_request(uow, offer, category, member)
        if funded_by == "pool":
            if not set(tags) & set(policy.pool_tags):
                raise NotEligible(i18n.T("member {member!r} is not served from the donation pool "
                                    "(needs a tag of {pool_tags})", member=member,
                                    pool_tags=', '.join(policy.pool_tags)),
                                  field="funded_by")
            # The hold's guarded update refuses a pool that cannot give the minutes.
            account = uow.ledger.system_account(SystemAccount.DONATION_POOL, UNIT)
        elif own_account is not None:
            account = own_account
        else:
            account = uow.ledger.member_account(member, UNIT)
        hold_id, _ = uow.ledger.place_hold(account, minutes, f"互助需求 {title}"[:500])
        stored = uow.exchange.add_request(
            member_id, member, title=title, category=category, minutes=minutes,
            needed_on=needed_on, place=place, funded_by=funded_by, payer_account=account,
            hold_id=hold_id, max_volunteers=max_volunteers, offer=offer, actor=actor)
        uow.exchange.event(stored.id, "posted", member_id=member_id, minutes=minutes,
                           actor=actor)
        return stored.shown()
    return uow.once(check_key(key), request, work, ExchangeRequest)


# -- claims ---------------------------------------------------------------------------------


def claim(uow: UnitOfWork, request_id: int, member: str, *, key: str | None = None,
          as_member: str | None = None, actor: str = "system") -> ExchangeRequest:
    """A volunteer takes the request (one, or up to ``max_volunteers`` for a group job)."""
    _acting(as_member, member)

    def work() -> ExchangeRequest:
        found = uow.exchange.lock(request_id)
        if member == found.requester:
            raise Forbidden(i18n.T("a member cannot claim their own request"), field="member")
        check_status(found.status, ("open", "claimed"), "claim")
        if member in found.volunteers:
            raise InvalidState(i18n.T("member {member!r} has already claimed request {request_id}",
                                 member=member, request_id=request_id),
                               state=found.status)
        if len(found.volunteers) >= found.max_volunteers:
            raise InvalidState(i18n.T("request {request_id} already has its {max_volunteers} "
                                 "volunteer(s)", request_id=request_id,
                                 max_volunteers=found.max_volunteers), state=found.status)
        away = crossing.away(member)  # "A:CODE": a partner's member serves here
        member_id = (crossing.claim_across(uow, request_id, away) if away
                     else uow.exchange.claim(request_id, member))
        if found.status == "open":
            found = uow.exchange.set_status(found, "claimed")
        uow.exchange.event(request_id, "claimed", member_id=member_id, actor=actor)
        return found.shown(volunteers=(*found.volunteers, member))
    return uow.once(_key(key, False), {"op": "exchange.claim", "request": request_id,
                                       "member": member, "actor": actor},
                    work, ExchangeRequest)


def withdraw(uow: UnitOfWork, request_id: int, member: str, *, key: str | None = None,
             as_member: str | None = None, actor: str = "system") -> ExchangeRequest:
    """A volunteer gives the claim back before the request is done; with no volunteer
    left it is open again."""
    _acting(as_member, member)

    def work() -> ExchangeRequest:
        found = uow.exchange.lock(request_id)
        check_status(found.status, ("claimed",), "withdraw from")
        if member not in found.volunteers:
            raise InvalidState(i18n.T("member {member!r} has not claimed request {request_id}",
                                 member=member, request_id=request_id),
                               state=found.status)
        member_id = found.volunteer_ids[found.volunteers.index(member)]
        uow.exchange.withdraw_claim(request_id, member_id)
        left = tuple(code for code in found.volunteers if code != member)
        if not left:
            found = uow.exchange.set_status(found, "open")
        uow.exchange.event(request_id, "withdrawn", member_id=member_id, actor=actor)
        return found.shown(volunteers=left)
    return uow.once(_key(key, False), {"op": "exchange.withdraw", "request": request_id,
                                       "member": member, "actor": actor},
                    work, ExchangeRequest)


# -- paying ---------------------------------------------------------------------------------


def _requester_or_clerk(found: StoredRequest, as_member: str | None, act: str) -> None:
    if as_member is not None and as_member != found.requester:
        raise Forbidden(i18n.T("a volunteer cannot {act} this request", act=i18n.T(ACTS[act]))
                        if as_member in found.volunteers else
                        i18n.T("only the requester (or a clerk) may {act} this request",
                               act=i18n.T(ACTS[act])), field="request")


def _pay(uow: UnitOfWork, found: StoredRequest, minutes: int, status: str, event: str,
         reason: str, actor: str) -> Settlement:
    """Capture the hold, pay ``minutes`` payer → volunteers in one entry, give back the
    rest; ``minutes`` 0 pays nothing and releases the hold."""
    assert found.hold_id is not None
    entry_id: int | None = None
    shares = dict(zip(found.volunteers, split(minutes, len(found.volunteers)), strict=True))
    if minutes:
        uow.ledger.resolve_hold(found.hold_id, "captured")
        if found.funded_by == "pool":
            uow.exchange.pool_available(found.payer_account, minutes)
        reason = f"互助 #{found.id} {found.title}"[:500]
        meta = {"request": found.id, "requester": found.requester,
                "volunteers": list(found.volunteers), "payer": found.payer}
        # Partners' volunteers ("A:CODE") are paid into their own books, across.
        ids = dict(zip(found.volunteers, found.volunteer_ids, strict=True))
        away = {code: (ids[code], share) for code, share in shares.items()
                if share and ":" in code}
        paid = (crossing.pay_served(uow, found.payer_account, meta, away, reason, actor)
                if away else [])
        accounts = dict(zip(found.volunteers, found.volunteer_accounts, strict=True))
        legs = [Posting(accounts[code] or uow.ledger.member_account(code, UNIT), UNIT, share)
                for code, share in shares.items() if share and code not in away]
        if legs:
            legs.insert(0, Posting(found.payer_account, UNIT, -sum(leg.amount for leg in legs)))
            paid.insert(0, uow.ledger.post(NewEntry(EntryKind.EXCHANGE, legs, reason, actor,
                                                    meta=meta)).entry_id)
        entry_id = paid[0]
        uow.ledger.link_hold(found.hold_id, entry_id)
        uow.exchange.count_paid(
            local_date(utcnow(), uow.community.timezone).strftime("%Y-%m"),
            found.requester_id, minutes,
            [(ids[code], share) for code, share in shares.items() if share and code not in away])
    else:
        uow.ledger.resolve_hold(found.hold_id, "released")
    uow.exchange.set_status(found, status, final=True, minutes_paid=minutes,
                            entry_id=entry_id, reason=reason or None)
    uow.exchange.event(found.id, event, minutes=minutes, reason=reason, actor=actor)
    return Settlement(found.id, status, minutes, entry_id, found.payer, shares,
                      max(found.minutes - minutes, 0))


def confirm(uow: UnitOfWork, request_id: int, minutes: int, *, key: str,
            as_member: str | None = None, actor: str = "system") -> Settlement:
    """The requester (or a clerk) confirms the real minutes: they move payer →
    volunteer(s) and the rest of the hold goes back. Minutes above the estimate need the
    payer's available balance and stay within the rulebook's maximum per request."""
    check_minutes(minutes)

    def work() -> Settlement:
        found = uow.exchange.lock(request_id)
        _requester_or_clerk(found, as_member, "confirm")
        check_status(found.status, ("claimed",), "confirm")
        cap = ExchangePolicy.of(uow.community.settings).max_minutes
        if minutes > cap:
            raise LimitExceeded(i18n.T("a request is paid at most {cap} minutes, {minutes} asked",
                                  cap=cap, minutes=minutes),
                                field="minutes", limit=cap)
        return _pay(uow, found, minutes, "done", "confirmed", "", actor)
    return uow.once(check_key(key), {"op": "exchange.confirm", "request": request_id,
                                     "minutes": minutes, "actor": actor}, work, Settlement)


def dispute(uow: UnitOfWork, request_id: int, reason: str, *, key: str | None = None,
            as_member: str | None = None, actor: str = "system") -> ExchangeRequest:
    """The requester disputes instead of confirming; the community office settles."""
    check_text(reason, "reason", 500)

    def work() -> ExchangeRequest:
        found = uow.exchange.lock(request_id)
        _requester_or_clerk(found, as_member, "dispute")
        check_status(found.status, ("claimed",), "dispute")
        found = uow.exchange.set_status(found, "disputed", reason=reason)
        uow.exchange.event(request_id, "disputed", reason=reason, actor=actor)
        return found.shown()
    return uow.once(_key(key, False), {"op": "exchange.dispute", "request": request_id,
                                       "reason": reason, "actor": actor},
                    work, ExchangeRequest)


def settle(uow: UnitOfWork, request_id: int, minutes: int, reason: str, *, key: str,
           settler: str | None = None, actor: str = "system") -> Settlement:
    """A clerk (neither the requester nor a volunteer) settles a dispute with 0 to the
    estimated minutes."""
    check_text(reason, "reason", 500)
    check_minutes(minutes, low=0)

    def work() -> Settlement:
        found = uow.exchange.lock(request_id)
        if settler is not None and (settler == found.requester
                                    or settler in found.volunteers):
            raise Forbidden(i18n.T("a dispute is settled by someone outside it"), field="request")
        check_status(found.status, ("disputed",), "settle")
        if minutes > found.minutes:
            raise ValidationError(i18n.T("a settlement pays 0 to {minutes} minutes",
                                    minutes=found.minutes),
                                  field="minutes")
        return _pay(uow, found, minutes, "done", "settled", reason, actor)
    return uow.once(check_key(key), {"op": "exchange.settle", "request": request_id,
                                     "minutes": minutes, "reason": reason,
                                     "settler": settler, "actor": actor}, work, Settlement)


# -- ending without payment -----------------------------------------------------------------


def _close(uow: UnitOfWork, found: StoredRequest, status: str, reason: str,
           actor: str) -> StoredRequest:
    assert found.hold_id is not None
    uow.ledger.resolve_hold(found.hold_id, "released")
    closed = uow.exchange.set_status(found, status, final=True, reason=reason)
    uow.exchange.event(found.id, status, reason=reason, actor=actor)
    return closed


def cancel(uow: UnitOfWork, request_id: int, reason: str, *, key: str | None = None,
           as_member: str | None = None, actor: str = "system") -> ExchangeRequest:
    """The requester cancels before anyone claims; a clerk at any time before it ends.
    The hold goes back."""
    check_text(reason, "reason", 500)

    def work() -> ExchangeRequest:
        found = uow.exchange.lock(request_id)
        _requester_or_clerk(found, as_member, "cancel")
        check_status(found.status, ("open",) if as_member is not None
                     else ("open", "claimed", "disputed"), "cancel")
        return _close(uow, found, "cancelled", reason, actor).shown()
    return uow.once(_key(key, False), {"op": "exchange.cancel", "request": request_id,
                                       "reason": reason, "actor": actor},
                    work, ExchangeRequest)


def expire(uow: UnitOfWork, *, today: date | None = None, actor: str = "system") -> list[int]:
    """Expire open requests needed before ``today`` (the community's local date): their
    holds go back. Returns the ids expired."""
    day = today or local_date(utcnow(), uow.community.timezone)
    ids = uow.exchange.open_before(day)
    for request_id in ids:
        _close(uow, uow.exchange.lock(request_id), "expired", "", actor)
    return ids


# -- reads ----------------------------------------------------------------------------------


def find(uow: UnitOfWork, *, status: str | None = None, category: str | None = None,
         member: str | None = None, unit: str | None = None, limit: int = 50,
         offset: int = 0) -> list[ExchangeRequest]:
    """Requests newest first; open ones by the date needed, each with its nearest
    matching offers (same category; same building, then same grid first)."""
    if status is not None and status not in STATUSES:
        raise ValidationError(i18n.T("status must be one of {statuses}",
                                     statuses=', '.join(STATUSES)), field="status")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= 1000:
        raise ValidationError(i18n.T("limit must be from 1 to 1000"), field="limit")
    path = uow.exchange.unit_path(unit) if unit is not None else None
    placed = uow.exchange.placed(status=status, category=category, member=member,
                                 unit_path=path, limit=limit, offset=offset,
                                 by_date=status == "open")
    opened = [(r, p) for r, p in placed if r.status == "open"]
    near = listed_near(uow, opened, MATCHES)
    return [attrs.evolve(r, matches=near.get(r.id, ())) for r, _ in placed]


def under_way(uow: UnitOfWork, member: str, *, limit: int = 100) -> list[ExchangeRequest]:
    """The member's requests still under way (open, claimed or disputed): the ones he
    posted and the ones he has claimed as a volunteer, by the date needed."""
    uow.members.id_of(member)  # an unknown member is a 404, not an empty list
    return [r for r, _ in uow.exchange.placed(involving=member, statuses=sorted(HELD),
                                              limit=limit, by_date=True)]


def categories(uow: UnitOfWork) -> tuple[Category, ...]:
    return categories_of(uow.community.settings)


class Exchange:
    """The exchange's use cases for a host: each call is one transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _run(self, community: str, fn: Callable[[UnitOfWork], T]) -> T:
        return self.store.transact(community, fn)

    def post(self, community: str, member: str, title: str, category: str, minutes: int,
             *, key: str, **options: Any) -> ExchangeRequest:
        """Post a request (``needed_on``, ``place``, ``funded_by`` member|pool,
        ``max_volunteers``, ``offer``, ``as_member``, ``actor``); holds the minutes."""
        return self._run(community, lambda uow: post(uow, member, title, category, minutes,
                                                     key=key, **options))

    def claim(self, community: str, request_id: int, member: str, **options: Any
              ) -> ExchangeRequest:
        return self._run(community, lambda uow: claim(uow, request_id, member, **options))

    def withdraw(self, community: str, request_id: int, member: str, **options: Any
                 ) -> ExchangeRequest:
        return self._run(community, lambda uow: withdraw(uow, request_id, member, **options))

    def confirm(self, community: str, request_id: int, minutes: int, *, key: str,
                **options: Any) -> Settlement:
        return self._run(community, lambda uow: confirm(uow, request_id, minutes, key=key,
                                                        **options))

    def dispute(self, community: str, request_id: int, reason: str, **options: Any
                ) -> ExchangeRequest:
        return self._run(community, lambda uow: dispute(uow, request_id, reason, **options))

    def settle(self, community: str, request_id: int, minutes: int, reason: str, *,
               key: str, **options: Any) -> Settlement:
        return self._run(community, lambda uow: settle(uow, request_id, minutes, reason,
                                                       key=key, **options))

    def cancel(self, community: str, request_id: int, reason: str, **options: Any
               ) -> ExchangeRequest:
        return self._run(community, lambda uow: cancel(uow, request_id, reason, **options))

    def expire(self, community: str, *, today: date | None = None,
               actor: str = "system") -> list[int]:
        return self._run(community, lambda uow: expire(uow, today=today, actor=actor))

    def due(self, community: str, today: date) -> list[int]:
        """The open requests ``expire`` would expire as of ``today`` (nothing written)."""
        with self.store.reading(community) as uow:
            return uow.exchange.open_before(today)

    def get(self, community: str, request_id: int) -> ExchangeRequest:
        with self.store.reading(community) as uow:
            return uow.exchange.get(request_id)

    def find(self, community: str, **filters: Any) -> list[ExchangeRequest]:
        with self.store.reading(community) as uow:
            return find(uow, **filters)

    def categories(self, community: str) -> tuple[Category, ...]:
        with self.store.reading(community) as uow:
            return categories(uow)

    def under_way(self, community: str, member: str) -> list[ExchangeRequest]:
        """The member's requests still under way, posted or claimed (see ``under_way``)."""
        with self.store.reading(community) as uow:
            return under_way(uow, member)


__all__ = ["Exchange", "ExchangeRequest", "Settlement"]
