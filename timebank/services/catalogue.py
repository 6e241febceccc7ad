"""The gift catalogue: add and update gifts, restock and correct stock, read movements.

Stock moves only with a ``stock_movements`` row in the same transaction (a restock, a
stocktake correction, or a redemption's reserve/redeem/release/return), so a gift's
stock always equals the sum of its movements; ``check_stock`` proves it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from timebank.domain.catalogue import (
    check_count,
    check_period,
    check_quantity,
    check_text,
    price_rules,
)
from timebank.domain.community import CommunityRef
from timebank.domain.gifts import Gift, StockChange, StockCheck, StockMovement
from timebank.domain.ledger import check_amount, check_unit
from timebank.errors import OutOfStock, ValidationError
from timebank.i18n import T
from timebank.services.communities import check_code
from timebank.services.tiers import policy_of
from timebank.store.db import Store
from timebank.store.uow import UnitOfWork

__all__ = ["EDITABLE", "Gift", "Gifts", "StockChange", "StockCheck", "StockMovement"]

EDITABLE = ("name", "name_en", "cost", "unit", "active_from", "active_until", "min_tier",
            "limit_per_member", "limit_period", "price_rules")


@attrs.frozen
class GiftCode:
    """What a key remembers of a gift it created or changed: a replay answers the gift
    as it is then."""

    code: str


def _day(value: object, field: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationError(T("{field} must be a date YYYY-MM-DD", field=field),
                                  field=field) from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError(T("{field} must be a date", field=field), field=field)
    return value


def _fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the editable fields present in ``values``; rows as stored."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        field = sorted(unknown)[0]
        raise ValidationError(
            T("{field!r} cannot be set on a gift (use restock or correct)", field=field)
            if field == "stock" else T("{field!r} cannot be set on a gift", field=field),
            field=field)
    row: dict[str, Any] = {}
    for name, value in values.items():
        if name == "name":
            row[name] = check_text(value, "name")
        elif name == "name_en":
            row[name] = check_text(value or "", "name_en", required=False)
        elif name == "cost":
            row[name] = check_amount(value, "cost")
        elif name == "unit":
            row[name] = check_unit(value)
        elif name in ("active_from", "active_until"):
            row[name] = _day(value, name)
        elif name == "min_tier":
            row[name] = None if value is None else check_text(value, "min_tier", 64)
        elif name == "limit_per_member":
            row[name] = None if value is None else check_quantity(value, "limit_per_member")
        elif name == "limit_period":
            row[name] = check_period(value)
        elif name == "price_rules":
            row[name] = [attrs.asdict(r, filter=lambda _a, v: v is not None)
                         for r in price_rules(value)]
    return row


def _check_window(row: Mapping[str, Any]) -> None:
    start, end = row.get("active_from"), row.get("active_until")
    if start is not None and end is not None and end < start:
        raise ValidationError(T("active_until is before active_from"), field="active_until")


def _check_tier(comm: CommunityRef, code: str | None) -> None:
    if code is None:
        return
    policy = policy_of(comm)
    if policy is None or code not in {t.code for t in policy.levels}:
        raise ValidationError(T("{code!r} is not a tier of community {comm}", code=code,
                                comm=comm.code),
                              field="min_tier")


def _once_gift(uow: UnitOfWork, key: str | None, request: Mapping[str, Any], code: str,
               work: Callable[[], Gift]) -> Gift:
    """Run ``work`` once per key and answer the gift: as written (RETURNING) the first
    time, as it is now on a replay (the key stores only its code)."""
    written: list[Gift] = []

    def run() -> GiftCode:
        written.append(work())
        return GiftCode(code)
    uow.once(key, request, run, GiftCode)
    return written[0] if written else uow.catalogue.gift(code)[1]


# -- use cases: primitives and a unit of work ---------------------------------------------


def create(uow: UnitOfWork, code: str, *, name: str, cost: int, unit: str = "points",
           stock: int = 0, name_en: str = "", active_from: date | str | None = None,
           active_until: date | str | None = None, min_tier: str | None = None,
           limit_per_member: int | None = None, limit_period: str = "month",
           price_rules: Sequence[Mapping[str, Any]] = (), actor: str = "system",
           key: str | None = None) -> Gift:
    """See ``Gifts.create``."""
    check_code(code)
    check_count(stock, "stock")
    row = _fields({"name": name, "name_en": name_en, "cost": cost, "unit": unit,
                   "active_from": active_from, "active_until": active_until,
                   "min_tier": min_tier, "limit_per_member": limit_per_member,
                   "limit_period": limit_period, "price_rules": list(price_rules)})
    _check_window(row)
    request = {"op": "gift.create", "code": code, "stock": stock, **row}

    def work() -> Gift:
        if row["min_tier"] is not None:
            _check_tier(uow.community, row["min_tier"])
        return uow.catalogue.add_gift(code, stock, row, actor)
    return _once_gift(uow, key, request, code, work)


def update(uow: UnitOfWork, code: str, changes: Mapping[str, Any], *, actor: str = "system",
           key: str | None = None) -> Gift:
    """Change the named fields only (PATCH); stock moves by ``restock``/``correct``."""
    row = _fields(changes)

    def work() -> Gift:
        gift_id, current = uow.catalogue.gift(code, lock=True)
        _check_window({"active_from": current.active_from,
                       "active_until": current.active_until, **row})
        if "min_tier" in row:
            _check_tier(uow.community, row["min_tier"])
        return uow.catalogue.update_gift(gift_id, row) if row else current
    request = {"op": "gift.update", "code": code, "actor": actor, **row}
    return _once_gift(uow, key, request, code, work)


def _move(uow: UnitOfWork, gift_id: int, code: str, kind: str, quantity: int, reason: str,
          actor: str) -> StockChange:
    """Move stock by ``quantity`` (guarded: never below zero) and record the movement."""
    moved = uow.catalogue.move_stock(gift_id, kind, quantity, reason, actor)
    if moved is None:
        raise OutOfStock(T("gift {gift!r} has fewer than {n} in stock", gift=code, n=-quantity),
                         field="quantity")
    after, movement_id = moved
    return StockChange(code, kind, quantity, after, movement_id)


def restock(uow: UnitOfWork, code: str, quantity: int, *, reason: str,
            actor: str = "system", key: str | None = None) -> StockChange:
    """Add ``quantity`` items to the stock, recorded with its reason."""
    check_quantity(quantity)
    reason = check_text(reason, "reason", 500)

    def work() -> StockChange:
        gift_id, _ = uow.catalogue.gift(code)
        return _move(uow, gift_id, code, "restock", quantity, reason, actor)
    request = {"op": "gift.restock", "code": code, "quantity": quantity, "reason": reason,
               "actor": actor}
    return uow.once(key, request, work, StockChange)


def correct(uow: UnitOfWork, code: str, counted: int, *, reason: str, actor: str = "system",
            key: str | None = None) -> StockChange:
    """A stocktake: see ``Gifts.correct``."""
    check_count(counted, "counted")
    reason = check_text(reason, "reason", 500)

    def work() -> StockChange:
        gift_id, gift = uow.catalogue.gift(code, lock=True)
        delta = counted - gift.stock
        if delta == 0:
            return StockChange(code, "correction", 0, counted, None)
        return _move(uow, gift_id, code, "correction", delta, reason, actor)
    request = {"op": "gift.correct", "code": code, "counted": counted, "reason": reason,
               "actor": actor}
    return uow.once(key, request, work, StockChange)


class Gifts:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, community: str, code: str, *, name: str, cost: int,
               unit: str = "points", stock: int = 0, name_en: str = "",
               active_from: date | str | None = None, active_until: date | str | None = None,
               min_tier: str | None = None, limit_per_member: int | None = None,
               limit_period: str = "month", price_rules: Sequence[Mapping[str, Any]] = (),
               actor: str = "system", key: str | None = None) -> Gift:
        """Add a gift to the catalogue; an opening ``stock`` is recorded as a movement.

        ``limit_per_member`` items per ``limit_period`` (day, week, month, quarter, year)
        in the community's calendar; ``price_rules`` e.g. ``[{"tag": "low_income",
        "percent_off": 10}]``; ``min_tier`` a tier code of the community's policy.
        """
        return self.store.transact(community, lambda uow: create(
            uow, code, name=name, cost=cost, unit=unit, stock=stock, name_en=name_en,
            active_from=active_from, active_until=active_until, min_tier=min_tier,
            limit_per_member=limit_per_member, limit_period=limit_period,
            price_rules=price_rules, actor=actor, key=key))

    def update(self, community: str, code: str, changes: Mapping[str, Any], *,
               actor: str = "system", key: str | None = None) -> Gift:
        """Change the named fields only (PATCH); stock moves by ``restock``/``correct``."""
        return self.store.transact(community, lambda uow: update(
            uow, code, changes, actor=actor, key=key))

    def restock(self, community: str, code: str, quantity: int, *, reason: str,
                actor: str = "system", key: str | None = None) -> StockChange:
        """Add ``quantity`` items to the stock, recorded with its reason."""
        return self.store.transact(community, lambda uow: restock(
            uow, code, quantity, reason=reason, actor=actor, key=key))

    def correct(self, community: str, code: str, counted: int, *, reason: str,
                actor: str = "system", key: str | None = None) -> StockChange:
        """A stocktake: set the stock (not counting items on hold) to ``counted``; the
        difference is recorded as a ``correction`` movement with its reason."""
        return self.store.transact(community, lambda uow: correct(
            uow, code, counted, reason=reason, actor=actor, key=key))

    def get(self, community: str, code: str) -> Gift:
        with self.store.reading(community) as uow:
            return uow.catalogue.gift(code)[1]

    def catalogue(self, community: str, *, active_on: date | None = None) -> list[Gift]:
        """The catalogue by code; with ``active_on``, only gifts offered that day."""
        with self.store.reading(community) as uow:
            return uow.catalogue.gifts(active_on)

    def movements(self, community: str, code: str) -> list[StockMovement]:
        """The gift's stock history, oldest first."""
        with self.store.reading(community) as uow:
            return uow.catalogue.movements(uow.catalogue.gift(code)[0])

    def check_stock(self, community: str) -> list[StockCheck]:
        """Every gift's stock against the sum of its movements (one grouped query)."""
        with self.store.reading(community) as uow:
            return uow.catalogue.check_stock()
