"""The gift catalogue: add and update gifts, restock and correct stock, read movements.

Stock moves only with a ``stock_movements`` row in the same transaction (a restock, a
stocktake correction, or a redemption's reserve/redeem/release/return), so a gift's
stock always equals the sum of its movements; ``check_stock`` proves it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain.catalogue import (
    PriceRule,
    check_count,
    check_period,
    check_quantity,
    check_text,
    price_rules,
)
from timebank.domain.ledger import check_amount, check_unit
from timebank.errors import AlreadyExists, OutOfStock, UnknownGift, ValidationError
from timebank.services.communities import check_code
from timebank.services.tiers import policy_of
from timebank.store import legacy as books
from timebank.store.tables import gifts, stock_movements
from timebank.store.db import Store

from timebank.store.legacy import once
from timebank.timeutil import utcnow


@attrs.frozen
class Gift:
    code: str
    name: str
    name_en: str
    cost: int
    unit: str
    stock: int
    active_from: date | None = None
    active_until: date | None = None
    min_tier: str | None = None
    limit_per_member: int | None = None
    limit_period: str = "month"
    price_rules: tuple[PriceRule, ...] = ()


@attrs.frozen
class StockChange:
    """A recorded stock movement (``movement_id`` None when a count found no change)."""

    gift: str
    kind: str
    quantity: int
    stock_after: int
    movement_id: int | None


@attrs.frozen
class StockMovement:
    id: int
    kind: str
    quantity: int
    stock_after: int
    reason: str
    actor: str
    redemption_id: int | None
    at: datetime


@attrs.frozen
class StockCheck:
    """A gift's stored stock against the sum of its movements."""

    gift: str
    stock: int
    movements: int

    @property
    def ok(self) -> bool:
        return self.stock == self.movements


EDITABLE = ("name", "name_en", "cost", "unit", "active_from", "active_until", "min_tier",
            "limit_per_member", "limit_period", "price_rules")


def _day(value: object, field: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValidationError(f"{field} must be a date YYYY-MM-DD", field=field) from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError(f"{field} must be a date", field=field)
    return value


def _fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the editable fields present in ``values``; rows as stored."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        field = sorted(unknown)[0]
        hint = " (use restock or correct)" if field == "stock" else ""
        raise ValidationError(f"{field!r} cannot be set on a gift{hint}", field=field)
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
        raise ValidationError("active_until is before active_from", field="active_until")


def _check_tier(comm: books.CommunityRef, code: str | None) -> None:
    if code is None:
        return
    policy = policy_of(comm)
    if policy is None or code not in {t.code for t in policy.levels}:
        raise ValidationError(f"{code!r} is not a tier of community {comm.code}",
                              field="min_tier")


def gift_of(row: Any) -> Gift:
    return Gift(row.code, row.name, row.name_en, int(row.cost), row.unit, int(row.stock),
                row.active_from, row.active_until, row.min_tier, row.limit_per_member,
                row.limit_period, tuple(PriceRule(**r) for r in row.price_rules))


def load_gift(conn: Connection, community_id: int, code: str, *, lock: bool = False) -> Any:
    query = sa.select(gifts).where(gifts.c.community_id == community_id, gifts.c.code == code)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise UnknownGift(f"unknown gift {code!r}", field="gift")
    return row


class Gifts:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _write(self, community: str, key: str | None, request: dict[str, Any],
               work: Any, after: Any) -> Any:
        """One transaction: ``work`` once per key (if any), then ``after`` to read back."""
        def run(conn: Connection) -> Any:
            comm = books.community(conn, community)
            if key is None:
                done = work(conn, comm)
            else:
                done = once(conn, comm.id, key, request, lambda: work(conn, comm))
            return after(conn, comm, done)
        return self.store.write(run)

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
        check_code(code)
        check_count(stock, "stock")
        row = _fields({"name": name, "name_en": name_en, "cost": cost, "unit": unit,
                       "active_from": active_from, "active_until": active_until,
                       "min_tier": min_tier, "limit_per_member": limit_per_member,
                       "limit_period": limit_period, "price_rules": list(price_rules)})
        _check_window(row)
        request = {"op": "gift.create", "code": code, "stock": stock, **row}

        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            _check_tier(comm, row["min_tier"])
            now = utcnow()
            try:
                gift_id = conn.execute(gifts.insert().values(
                    community_id=comm.id, code=code, stock=stock, created_at=now,
                    updated_at=now, **row).returning(gifts.c.id)).scalar_one()
            except sa.exc.IntegrityError as exc:
                raise AlreadyExists(f"gift {code!r} already exists", field="code") from exc
            if stock:
                conn.execute(stock_movements.insert().values(
                    gift_id=gift_id, kind="initial", quantity=stock, stock_after=stock,
                    reason="opening stock", actor=actor, created_at=now))
            return {"code": code}
        return self._write(community, key, request, work,
                           lambda conn, comm, _: gift_of(load_gift(conn, comm.id, code)))

    def update(self, community: str, code: str, changes: Mapping[str, Any], *,
               actor: str = "system", key: str | None = None) -> Gift:
        """Change the named fields only (PATCH); stock moves by ``restock``/``correct``."""
        row = _fields(changes)

        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            current = load_gift(conn, comm.id, code, lock=True)
            _check_window({"active_from": current.active_from,
                           "active_until": current.active_until, **row})
            if "min_tier" in row:
                _check_tier(comm, row["min_tier"])
            if row:
                conn.execute(gifts.update().where(gifts.c.id == current.id)
                             .values(updated_at=utcnow(), **row))
            return {"code": code}
        request = {"op": "gift.update", "code": code, "actor": actor, **row}
        return self._write(community, key, request, work,
                           lambda conn, comm, _: gift_of(load_gift(conn, comm.id, code)))

    def restock(self, community: str, code: str, quantity: int, *, reason: str,
                actor: str = "system", key: str | None = None) -> StockChange:
        """Add ``quantity`` items to the stock, recorded with its reason."""
        check_quantity(quantity)
        reason = check_text(reason, "reason", 500)

        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            gift = load_gift(conn, comm.id, code)
            return _move(conn, gift.id, code, "restock", quantity, reason, actor)
        request = {"op": "gift.restock", "code": code, "quantity": quantity,
                   "reason": reason, "actor": actor}
        return StockChange(**self._write(community, key, request, work,
                                         lambda _c, _m, done: done))

    def correct(self, community: str, code: str, counted: int, *, reason: str,
                actor: str = "system", key: str | None = None) -> StockChange:
        """A stocktake: set the stock (not counting items on hold) to ``counted``; the
        difference is recorded as a ``correction`` movement with its reason."""
        check_count(counted, "counted")
        reason = check_text(reason, "reason", 500)

        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            gift = load_gift(conn, comm.id, code, lock=True)
            delta = counted - int(gift.stock)
            if delta == 0:
                return attrs.asdict(StockChange(code, "correction", 0, counted, None))
            return _move(conn, gift.id, code, "correction", delta, reason, actor)
        request = {"op": "gift.correct", "code": code, "counted": counted,
                   "reason": reason, "actor": actor}
        return StockChange(**self._write(community, key, request, work,
                                         lambda _c, _m, done: done))

    def get(self, community: str, code: str) -> Gift:
        with self.store.read() as conn:
            comm = books.community(conn, community)
            return gift_of(load_gift(conn, comm.id, code))

    def catalogue(self, community: str, *, active_on: date | None = None) -> list[Gift]:
        """The catalogue by code; with ``active_on``, only gifts offered that day."""
        with self.store.read() as conn:
            comm = books.community(conn, community)
            query = sa.select(gifts).where(gifts.c.community_id == comm.id)
            if active_on is not None:
                query = query.where(
                    sa.or_(gifts.c.active_from.is_(None), gifts.c.active_from <= active_on),
                    sa.or_(gifts.c.active_until.is_(None), gifts.c.active_until >= active_on))
            return [gift_of(r) for r in conn.execute(query.order_by(gifts.c.code))]

    def movements(self, community: str, code: str) -> list[StockMovement]:
        """The gift's stock history, oldest first."""
        with self.store.read() as conn:
            comm = books.community(conn, community)
            gift = load_gift(conn, comm.id, code)
            rows = conn.execute(
                sa.select(stock_movements).where(stock_movements.c.gift_id == gift.id)
                .order_by(stock_movements.c.id)).all()
        return [StockMovement(r.id, r.kind, int(r.quantity), int(r.stock_after), r.reason,
                              r.actor, r.redemption_id, r.created_at) for r in rows]

    def check_stock(self, community: str) -> list[StockCheck]:
        """Every gift's stock against the sum of its movements (one grouped query)."""
        with self.store.read() as conn:
            comm = books.community(conn, community)
            moved = (sa.select(stock_movements.c.gift_id,
                               sa.func.sum(stock_movements.c.quantity).label("total"))
                     .group_by(stock_movements.c.gift_id).subquery())
            rows = conn.execute(
                sa.select(gifts.c.code, gifts.c.stock,
                          sa.func.coalesce(moved.c.total, 0).label("total"))
                .outerjoin(moved, moved.c.gift_id == gifts.c.id)
                .where(gifts.c.community_id == comm.id).order_by(gifts.c.code)).all()
        return [StockCheck(r.code, int(r.stock), int(r.total)) for r in rows]


def _move(conn: Connection, gift_id: int, code: str, kind: str, quantity: int, reason: str,
          actor: str) -> dict[str, Any]:
    """Move stock by ``quantity`` (guarded: never below zero) and record the movement."""
    after = conn.execute(
        gifts.update().where(gifts.c.id == gift_id, gifts.c.stock + quantity >= 0)
        .values(stock=gifts.c.stock + quantity, updated_at=utcnow())
        .returning(gifts.c.stock)).scalar()
    if after is None:
        raise OutOfStock(f"gift {code!r} has fewer than {-quantity} in stock", field="quantity")
    movement = conn.execute(stock_movements.insert().values(
        gift_id=gift_id, kind=kind, quantity=quantity, stock_after=after, reason=reason,
        actor=actor, created_at=utcnow()).returning(stock_movements.c.id)).scalar_one()
    return attrs.asdict(StockChange(code, kind, quantity, int(after), int(movement)))
