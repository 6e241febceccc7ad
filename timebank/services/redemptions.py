"""Redemptions (兑换): gifts for points, at the desk or held first.

One redemption holds one or more items, all priced in one unit. Points and stock move in
one transaction: stock by guarded updates (``stock >= n``, gift rows locked by id first),
then the member's account (a hold, or a spend straight away); per-member limits and tiers
are checked inside that transaction, after the gift rows are locked, so racing requests
for one gift are checked one after the other. Each state change (fulfil, cancel,
return) locks the redemption row first and starts from one status, so it happens
exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import attrs

from timebank.domain.catalogue import (
    STATUSES,
    ItemRequest,
    check_text,
    item_requests,
    period_start,
    receipt_code,
    receipt_id,
    unit_price,
)
from timebank.domain.gifts import GiftTerms
from timebank.domain.ledger import EntryKind, SystemAccount, move, negate
from timebank.domain.redemptions import (
    DEFAULT_HOLD_MINUTES,
    Redeemer,
    Redemption,
    RedemptionItem,
    StoredRedemption,
    hold_minutes,
)
from timebank.errors import (
    InvalidState,
    LimitExceeded,
    NotEligible,
    NotFound,
    OutOfStock,
    UnknownMember,
    ValidationError,
)
from timebank.i18n import T
from timebank.services import crossing
from timebank.services.tiers import evaluate, policy_of
from timebank.store.db import Store
from timebank.store.idempotency import check_key
from timebank.store.posting import NewEntry
from timebank.store.uow import UnitOfWork
from timebank.timeutil import local_date, start_of_day_utc, utcnow

__all__ = ["DEFAULT_HOLD_MINUTES", "Redemption", "RedemptionItem", "Redemptions",
           "cancel_held", "hold_minutes"]


# -- checks, inside the redeeming transaction ---------------------------------------------


def _redeemer(uow: UnitOfWork, member: str | None, card: str | None) -> Redeemer:
    if (member is None) == (card is None):
        raise ValidationError(T("name the member by code or by card, not both"),
                              field="member")
    field = "code" if member is not None else "card"
    found = uow.redemptions.redeemers(field, member if member is not None else str(card))
    if len(found) != 1:
        field = "member" if member is not None else "card"
        value = member or card
        raise UnknownMember(T("no member with {field} {value!r}", field=field, value=value)
                            if not found else
                            T("more than one member with {field} {value!r}", field=field,
                              value=value), field=field)
    return found[0]


def _open_day(uow: UnitOfWork, code: str) -> int:
    record = uow.catalogue.service_day(code)
    if record.day.status != "open":
        raise InvalidState(T("service day {code!r} is closed", code=code), field="service_day",
                           state=record.day.status)
    return record.id


def _check_tiers(uow: UnitOfWork, who: Redeemer, wanted: Sequence[GiftTerms],
                 today: date) -> None:
    needing = [g for g in wanted if g.min_tier]
    if not needing:
        return
    policy = policy_of(uow.community)
    if policy is None:
        raise NotEligible(T("gift {gift!r} needs tier {tier!r} but the community has no tiers",
                            gift=needing[0].code, tier=needing[0].min_tier), field="gift")
    uow.ledger.lock_member_account(who.code, policy.unit)  # then read its awards whole
    status = evaluate(uow, policy, who.code, today)
    have = -1 if status.tier is None else policy.level(status.tier.code).rank
    for gift in needing:
        assert gift.min_tier is not None
        if have < policy.level(gift.min_tier).rank:
            raise NotEligible(T("gift {gift!r} needs tier {tier!r}; member {member!r} has {has}",
                                gift=gift.code, tier=gift.min_tier, member=who.code,
                                has=status.tier.code if status.tier else "-"),
                              field="gift", gift=gift.code, min_tier=gift.min_tier)


def _take_stock(uow: UnitOfWork, wanted: Sequence[GiftTerms], qty: dict[str, int]
                ) -> dict[int, int]:
    """Guarded decrements, gift rows by id: the stock after each, or OutOfStock."""
    after: dict[int, int] = {}
    for gift in sorted(wanted, key=lambda g: g.id):
        n = qty[gift.code]
        left = uow.catalogue.take(gift.id, n)
        if left is None:
            raise OutOfStock(T("gift {gift!r} has fewer than {n} in stock", gift=gift.code, n=n),
                             field="quantity", gift=gift.code)
        after[gift.id] = left
    return after


def _check_limits(uow: UnitOfWork, who: Redeemer, wanted: Sequence[GiftTerms],
                  qty: dict[str, int], today: date) -> None:
    for gift in wanted:
        if gift.limit_per_member is None:
            continue
        since = start_of_day_utc(period_start(gift.limit_period, today),
                                 uow.community.timezone)
        taken = uow.redemptions.taken_since(who.id, gift.id, since)
        if taken + qty[gift.code] > gift.limit_per_member:
            raise LimitExceeded(
                T("member {who!r} may take {limit_per_member} of gift {gift!r} a "
                  "{limit_period}: {taken} taken, {asked} more asked", who=who.code,
                  limit_per_member=gift.limit_per_member, gift=gift.code,
                  limit_period=gift.limit_period, taken=taken, asked=qty[gift.code]),
                field="quantity", gift=gift.code, limit=gift.limit_per_member, used=taken)


# -- use cases: primitives and a unit of work ---------------------------------------------


def redeem(uow: UnitOfWork, member: str | None, items: Sequence[Any], *, key: str,
           card: str | None = None, hold: bool = False, service_day: str | None = None,
           actor: str = "system") -> Redemption:
    """See ``Redemptions.redeem``."""
    wanted_items = item_requests(items)
    if service_day is not None:
        check_text(service_day, "service_day", 64)
    request = {"op": "redeem", "member": member, "card": card, "hold": bool(hold),
               "service_day": service_day, "actor": actor,
               "items": [attrs.asdict(i) for i in wanted_items]}
    key = check_key(key)
    named = ((member, "code") if card is None and isinstance(member, str) and ":" not in member
             else (card, "card") if member is None and isinstance(card, str) else None)
    if named is not None:  # not across a district, nor a request to refuse
        done = uow.redemptions.redeem_once(  # two statements on PostgreSQL, or None
            key, request, named[0], wanted_items, service_day, actor, by=named[1],
            hold=bool(hold))
        if done is not None:
            return done
    return uow.once(key, request, lambda: _redeem(
        uow, member, card, wanted_items, bool(hold), service_day, actor), Redemption)


def _redeem(uow: UnitOfWork, member: str | None, card: str | None,
            wanted_items: Sequence[ItemRequest], hold: bool, service_day: str | None,
            actor: str) -> Redemption:
    cross = crossing.away(member) if member is not None else None  # "A:CODE": 通存通兑
    who = crossing.redeemer(uow, cross, hold) if cross else _redeemer(uow, member, card)
    qty = {i.gift: i.quantity for i in wanted_items}
    wanted = [uow.catalogue.terms(i.gift) for i in wanted_items]
    units = {g.unit for g in wanted}
    if len(units) > 1:
        raise ValidationError(T("all items of one redemption are priced in one unit"),
                              field="items")
    unit = units.pop()
    now = utcnow()
    today = local_date(now, uow.community.timezone)
    for gift in wanted:
        gift.check_offered(today)
    day_id = _open_day(uow, service_day) if service_day is not None else None
    if cross:
        crossing.check_tiers_across(uow, cross, wanted)
    else:
        _check_tiers(uow, who, wanted, today)
    stock_after = _take_stock(uow, wanted, qty)
    _check_limits(uow, who, wanted, qty, today)

    lines = [RedemptionItem(g.code, qty[g.code], p, p * qty[g.code])
             for g in wanted for p in [unit_price(g.cost, g.price_rules, who.tags)]]
    total = sum(line.total for line in lines)
    status = "held" if hold else "fulfilled"
    # The id first: the hold or the spend names the receipt, and the row goes in whole.
    redemption_id = uow.redemptions.next_id()
    receipt = receipt_code(redemption_id)
    reason = f"redemption {receipt}"
    hold_id: int | None = None
    entry_id: int | None = None
    if cross and hold:  # reserved in the home books; it crosses when fulfilled
        hold_id, available = crossing.hold_across(uow, cross, who, unit, total, reason)
    elif cross:
        entry_id, available = crossing.pay_across(
            uow, cross, who, unit, total, reason, actor, {"receipt": receipt})
    elif hold:
        account = uow.ledger.member_account(who.code, unit)
        hold_id, available = uow.ledger.place_hold(account, total, reason)
    else:
        account = uow.ledger.member_account(who.code, unit)
        sink = uow.ledger.system_account(SystemAccount.REDEMPTION, unit)
        done = uow.ledger.post(NewEntry(EntryKind.SPEND, move(account, sink, unit, total),
                                        reason, actor,
                                        meta={"redemption": redemption_id, "receipt": receipt}))
        entry_id = done.entry_id
        available = done.balances[account] - done.held[account]
    uow.redemptions.add(redemption_id, who.id, day_id, status, unit, total, available,
                        hold_id=hold_id, entry_id=entry_id, actor=actor, at=now,
                        items=[(g.id, qty[g.code], line.unit_price)
                               for g, line in zip(wanted, lines, strict=True)])
    uow.catalogue.record_taken(redemption_id, "reserve" if hold else "redeem",
                               [(g.id, qty[g.code], stock_after[g.id]) for g in wanted],
                               reason, actor, now)
    return Redemption(redemption_id, status, total, unit, available, receipt, tuple(lines),
                      who.code, service_day)


def _locked(uow: UnitOfWork, redemption_id: int, start: str) -> StoredRedemption:
    """The redemption, its row locked, if it is in ``start`` (else InvalidState)."""
    found = uow.redemptions.lock(redemption_id)
    found.check_status(start)
    return found


def fulfil(uow: UnitOfWork, redemption_id: int, *, key: str | None,
           actor: str = "system") -> Redemption:
    """Hand over a held redemption: its hold is captured (points spent), once."""
    def work() -> Redemption:
        found = _locked(uow, redemption_id, "held")
        assert found.hold_id is not None and found.account_id is not None
        home = crossing.hold_home(uow, found.hold_id)
        if home is not None:  # held in a partner's books: the act crosses now
            receipt = receipt_code(redemption_id)
            entry_id, available = crossing.fulfil_across(
                uow, home, found.hold_id, found.unit, found.total, f"redemption {receipt}",
                actor, {"receipt": receipt, "redemption": redemption_id})
            uow.redemptions.resolve(redemption_id, "fulfilled", available, utcnow(),
                                    entry_id=entry_id)
            return found.after("fulfilled", available,
                               tuple(i.item for i in uow.redemptions.items(redemption_id)))
        _, amount = uow.ledger.resolve_hold(found.hold_id, "captured")
        sink = uow.ledger.system_account(SystemAccount.REDEMPTION, found.unit)
        receipt = receipt_code(redemption_id)
        done = uow.ledger.post(NewEntry(
            EntryKind.CAPTURE, move(found.account_id, sink, found.unit, amount),
            f"redemption {receipt}", actor,
            meta={"redemption": redemption_id, "receipt": receipt, "hold": found.hold_id}))
        uow.ledger.link_hold(found.hold_id, done.entry_id)
        available = done.balances[found.account_id] - done.held[found.account_id]
        uow.redemptions.resolve(redemption_id, "fulfilled", available, utcnow(),
                                entry_id=done.entry_id)
        items = tuple(i.item for i in uow.redemptions.items(redemption_id))
        return found.after("fulfilled", available, items)
    request = {"op": "fulfil", "redemption": redemption_id, "actor": actor}
    if key is not None:
        check_key(key)
    done = uow.redemptions.fulfil_once(redemption_id, key, request, actor)  # or None
    return done if done is not None else uow.once(key, request, work, Redemption)


def _cancel(uow: UnitOfWork, redemption_id: int, actor: str) -> Redemption:
    found = _locked(uow, redemption_id, "held")
    assert found.hold_id is not None
    items = uow.redemptions.items(redemption_id)
    uow.catalogue.give_back(redemption_id, [(i.gift_id, i.item.quantity) for i in items],
                            "release", actor)
    home = crossing.hold_home(uow, found.hold_id)
    if home is not None:  # held in a partner's books
        available = crossing.release_across(uow, home, found.hold_id)
    else:
        balance, _ = uow.ledger.resolve_hold(found.hold_id, "released")
        available = balance.posted - balance.held
    uow.redemptions.resolve(redemption_id, "cancelled", available, utcnow())
    return found.after("cancelled", available, tuple(i.item for i in items))


def cancel(uow: UnitOfWork, redemption_id: int, *, key: str | None,
           actor: str = "system") -> Redemption:
    """Cancel a held redemption: stock and points go back, once."""
    request = {"op": "cancel", "redemption": redemption_id, "actor": actor}
    if key is not None:
        check_key(key)
    done = uow.redemptions.cancel_once(redemption_id, key, request, actor)  # or None
    return done if done is not None else uow.once(
        key, request, lambda: _cancel(uow, redemption_id, actor), Redemption)


def cancel_held(uow: UnitOfWork, redemption_ids: Sequence[int], actor: str) -> None:
    """Cancel these held redemptions in the unit of work (the hold job, a day closing)."""
    for redemption_id in redemption_ids:
        _cancel(uow, redemption_id, actor)


def return_redemption(uow: UnitOfWork, redemption_id: int, *, key: str,
                      reason: str = "returned", actor: str = "system") -> Redemption:
    """Take back a fulfilled redemption: its spend is reversed and the items go back
    into stock, once."""
    check_text(reason, "reason", 500)

    def work() -> Redemption:
        found = _locked(uow, redemption_id, "fulfilled")
        assert found.entry_id is not None and found.account_id is not None
        items = uow.redemptions.items(redemption_id)
        uow.catalogue.give_back(redemption_id, [(i.gift_id, i.item.quantity) for i in items],
                                "return", actor)
        original = uow.ledger.load_entry(found.entry_id)
        if "cross" in original.meta:  # paid from a partner's books: returned across
            return_id, available = crossing.return_across(
                uow, original, reason, actor, {"redemption": redemption_id})
        else:
            done = uow.ledger.post(NewEntry(
                EntryKind.REVERSAL, negate(original.legs), reason, actor,
                meta={"reverses_kind": original.kind, "redemption": redemption_id},
                reverses=found.entry_id))
            return_id = done.entry_id
            available = done.balances[found.account_id] - done.held[found.account_id]
        uow.redemptions.resolve(redemption_id, "returned", available, utcnow(),
                                return_entry_id=return_id)
        return found.after("returned", available, tuple(i.item for i in items))
    return uow.once(check_key(key), {"op": "return", "redemption": redemption_id,
                                     "reason": reason, "actor": actor}, work, Redemption)


def release_stale(uow: UnitOfWork, *, older_than_minutes: int | None = None,
                  now: datetime | None = None, actor: str = "system") -> list[int]:
    """Cancel held redemptions older than ``older_than_minutes`` (default the
    community's ``redemptions.hold_minutes``, else 60); returns the ids released."""
    minutes = older_than_minutes if older_than_minutes is not None \
        else hold_minutes(uow.community)
    ids = uow.redemptions.held_before((now or utcnow()) - timedelta(minutes=minutes))
    cancel_held(uow, ids, actor)
    return ids


def find(uow: UnitOfWork, *, member: str | None = None, status: str | None = None,
         service_day: str | None = None, limit: int = 50, offset: int = 0
         ) -> list[Redemption]:
    """Redemptions newest first, filtered by member code, status and service day."""
    if status is not None and status not in STATUSES:
        raise ValidationError(T("status must be one of {statuses}", statuses=', '.join(STATUSES)),
                              field="status")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= 1000:
        raise ValidationError(T("limit must be from 1 to 1000"), field="limit")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationError(T("offset must be 0 or more"), field="offset")
    return uow.redemptions.find(member=member, status=status, service_day=service_day,
                                limit=limit, offset=offset)


class Redemptions:
    def __init__(self, store: Store) -> None:
        self.store = store

    def redeem(self, community: str, member: str | None, items: Sequence[Any], *, key: str,
               card: str | None = None, hold: bool = False, service_day: str | None = None,
               actor: str = "system") -> Redemption:
        """Redeem ``items`` (``[{"gift": code, "quantity": n}, ...]``) for a member named
        by code, or by ``card`` (kiosk desks; pass ``member=None``).

        ``hold=False`` fulfils at once (points spent, stock handed out); ``hold=True``
        reserves both until ``fulfil`` or ``cancel``. Raises UnknownGift, InvalidAmount,
        InvalidState (gift not offered today, service day closed), NotEligible (tier),
        OutOfStock, LimitExceeded, InsufficientPoints; nothing is written then.
        """
        return self.store.transact(community, lambda uow: redeem(
            uow, member, items, key=key, card=card, hold=hold, service_day=service_day,
            actor=actor))

    def fulfil(self, community: str, redemption_id: int, *, key: str | None,
               actor: str = "system") -> Redemption:
        """Hand over a held redemption: its hold is captured (points spent), once."""
        return self.store.transact(community, lambda uow: fulfil(
            uow, redemption_id, key=key, actor=actor))

    def cancel(self, community: str, redemption_id: int, *, key: str | None,
               actor: str = "system") -> Redemption:
        """Cancel a held redemption: stock and points go back, once."""
        return self.store.transact(community, lambda uow: cancel(
            uow, redemption_id, key=key, actor=actor))

    def return_redemption(self, community: str, redemption_id: int, *, key: str,
                          reason: str = "returned", actor: str = "system") -> Redemption:
        """Take back a fulfilled redemption: its spend is reversed and the items go back
        into stock, once."""
        return self.store.transact(community, lambda uow: return_redemption(
            uow, redemption_id, key=key, reason=reason, actor=actor))

    def release_stale(self, community: str, *, older_than_minutes: int | None = None,
                      now: datetime | None = None, actor: str = "system") -> list[int]:
        """The job: cancel held redemptions older than ``older_than_minutes`` (default the
        community's ``redemptions.hold_minutes``, else 60). Returns the ids released."""
        return self.store.transact(community, lambda uow: release_stale(
            uow, older_than_minutes=older_than_minutes, now=now, actor=actor))

    # -- reads ---------------------------------------------------------------------------

    def get(self, community: str, redemption_id: int) -> Redemption:
        with self.store.reading(community) as uow:
            return uow.redemptions.get(redemption_id)

    def by_receipt(self, community: str, receipt: str) -> Redemption:
        """The redemption a receipt code names."""
        found = receipt_id(receipt) if isinstance(receipt, str) else None
        if found is None:
            raise NotFound(T("unknown receipt {receipt!r}", receipt=receipt), field="receipt")
        return self.get(community, found)

    def find(self, community: str, *, member: str | None = None, status: str | None = None,
             service_day: str | None = None, limit: int = 50, offset: int = 0
             ) -> list[Redemption]:
        """Redemptions newest first, filtered by member code, status and service day."""
        with self.store.reading(community) as uow:
            return find(uow, member=member, status=status, service_day=service_day,
                        limit=limit, offset=offset)
