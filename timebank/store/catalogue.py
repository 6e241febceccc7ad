"""The catalogue's gateway: gifts, their stock and its movements, and service days, for
the unit of work's community.

Stock moves only by a guarded update (never below zero) with a ``stock_movements`` row
in the same transaction, and gift rows are locked by id (the lock order is in
``tables``). The desk's statements are prebuilt (``fast.Statement``), which decodes JSON
and SQLite dates by column type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from timebank.domain.catalogue import PriceRule
from timebank.domain.gifts import Gift, GiftTerms, StockCheck, StockMovement
from timebank.domain.service_days import HandedOut, ServiceDay, ServiceDayRecord
from timebank.errors import AlreadyExists, NotFound, UnknownGift
from timebank.i18n import T
from timebank.store.fast import Statement
from timebank.store.gateway import Gateway
from timebank.store.tables import (
    gifts,
    redemption_items,
    redemptions,
    service_days,
    stock_movements,
)
from timebank.timeutil import utcnow

_P = sa.bindparam
# A gift in ``Gift``'s field order, after its id.
_GIFT_COLUMNS = (gifts.c.id, gifts.c.code, gifts.c.name, gifts.c.name_en, gifts.c.cost,
                 gifts.c.unit, gifts.c.stock, gifts.c.active_from, gifts.c.active_until,
                 gifts.c.min_tier, gifts.c.limit_per_member, gifts.c.limit_period,
                 gifts.c.price_rules)
_BY_CODE = sa.select(*_GIFT_COLUMNS).where(gifts.c.community_id == _P("p_community"),
                                           gifts.c.code == _P("p_code"))
_GIFT = Statement(_BY_CODE)
_LOCKED_GIFT = Statement(_BY_CODE.with_for_update())
_TERMS = Statement(
    sa.select(gifts.c.id, gifts.c.code, gifts.c.cost, gifts.c.unit, gifts.c.active_from,
              gifts.c.active_until, gifts.c.min_tier, gifts.c.limit_per_member,
              gifts.c.limit_period, gifts.c.price_rules)
    .where(gifts.c.community_id == _P("p_community"), gifts.c.code == _P("p_code")))
_TAKE = Statement(gifts.update().where(gifts.c.id == _P("p_id"), gifts.c.stock >= _P("p_n"))
                  .values(stock=gifts.c.stock - _P("p_n")).returning(gifts.c.stock))
_PUT_BACK = Statement(gifts.update().where(gifts.c.id == _P("p_id"))
                      .values(stock=gifts.c.stock + _P("p_n")).returning(gifts.c.stock))
_MOVE = Statement(gifts.update()
                  .where(gifts.c.id == _P("p_id"), gifts.c.stock + _P("p_n") >= 0)
                  .values(stock=gifts.c.stock + _P("p_n"), updated_at=_P("p_now"))
                  .returning(gifts.c.stock))
_MOVEMENT_COLUMNS = ("gift_id", "kind", "quantity", "stock_after", "reason", "actor",
                     "redemption_id", "created_at")
_INSERT_MOVEMENT = Statement(stock_movements.insert().values(
    {c: _P(f"p_{c}") for c in _MOVEMENT_COLUMNS}).returning(stock_movements.c.id))
_ADD_MOVEMENTS = Statement(stock_movements.insert().values(
    {c: _P(f"p_{c}") for c in _MOVEMENT_COLUMNS}))
_DAY = Statement(
    sa.select(service_days.c.id, service_days.c.code, service_days.c.name, service_days.c.day,
              service_days.c.status, service_days.c.open_mark, service_days.c.close_mark,
              service_days.c.opening_stock, service_days.c.closing_stock)
    .where(service_days.c.community_id == _P("p_community"),
           service_days.c.code == _P("p_code")))
# The last stock movement so far: a service day's window opens or closes on it.
_MARK = sa.select(sa.func.coalesce(sa.func.max(stock_movements.c.id), 0)).scalar_subquery()


def _gift(row: Sequence[Any]) -> Gift:
    (_, code, name, name_en, cost, unit, stock, active_from, active_until, min_tier, limit,
     period, rules) = row
    return Gift(code, name, name_en, int(cost), unit, int(stock), active_from, active_until,
                min_tier, limit, period, tuple(PriceRule(**r) for r in rules))


class CatalogueGateway(Gateway):
    # -- gifts ---------------------------------------------------------------------------

    def gift(self, code: str, *, lock: bool = False) -> tuple[int, Gift]:
        """The gift's id and the gift; ``lock`` takes its row for the transaction."""
        row = (_LOCKED_GIFT if lock else _GIFT).one(
            self.conn, {"p_community": self.uow.community_id, "p_code": code})
        if row is None:
            raise UnknownGift(T("unknown gift {gift!r}", gift=code), field="gift")
        return int(row[0]), _gift(row)

    def gifts(self, active_on: date | None = None) -> list[Gift]:
        """The catalogue by code; with ``active_on``, only gifts offered that day."""
        query = sa.select(*_GIFT_COLUMNS).where(gifts.c.community_id == self.uow.community_id)
        if active_on is not None:
            query = query.where(
                sa.or_(gifts.c.active_from.is_(None), gifts.c.active_from <= active_on),
                sa.or_(gifts.c.active_until.is_(None), gifts.c.active_until >= active_on))
        return [_gift(row) for row in self.conn.execute(query.order_by(gifts.c.code))]

    def add_gift(self, code: str, stock: int, fields: Mapping[str, Any], actor: str) -> Gift:
        """Insert a gift (``fields`` as validated) with its opening stock as a movement."""
        now = utcnow()
        try:
            row = self.conn.execute(gifts.insert().values(
                community_id=self.uow.community_id, code=code, stock=stock, created_at=now,
                updated_at=now, **fields).returning(*_GIFT_COLUMNS)).one()
        except sa.exc.IntegrityError as exc:
            raise AlreadyExists(T("gift {code!r} already exists", code=code), field="code") from exc
        if stock:
            _ADD_MOVEMENTS.run(self.conn, {
                "p_gift_id": row[0], "p_kind": "initial", "p_quantity": stock,
                "p_stock_after": stock, "p_reason": "opening stock", "p_actor": actor,
                "p_redemption_id": None, "p_created_at": now})
        return _gift(row)

    def update_gift(self, gift_id: int, fields: Mapping[str, Any]) -> Gift:
        row = self.conn.execute(gifts.update().where(gifts.c.id == gift_id)
                                .values(updated_at=utcnow(), **fields)
                                .returning(*_GIFT_COLUMNS)).one()
        return _gift(row)

    def terms(self, code: str) -> GiftTerms:
        """What redeeming the gift needs to know of it."""
        row = _TERMS.one(self.conn, {"p_community": self.uow.community_id, "p_code": code})
        if row is None:
            raise UnknownGift(T("unknown gift {gift!r}", gift=code), field="gift", gift=code)
        (gift_id, found, cost, unit, start, end, min_tier, limit, period, rules) = row
        return GiftTerms(int(gift_id), found, int(cost), unit, start, end, min_tier, limit,
                         period, tuple(PriceRule(**r) for r in rules))

    # -- stock ---------------------------------------------------------------------------

    def move_stock(self, gift_id: int, kind: str, quantity: int, reason: str,
                   actor: str) -> tuple[int, int] | None:
        """Move the stock by ``quantity`` and record it: (stock after, movement id), or
        None when that would take it below zero."""
        now = utcnow()
        after = _MOVE.one(self.conn, {"p_id": gift_id, "p_n": quantity, "p_now": now})
        if after is None:
            return None
        movement = _INSERT_MOVEMENT.one(self.conn, {
            "p_gift_id": gift_id, "p_kind": kind, "p_quantity": quantity,
            "p_stock_after": after[0], "p_reason": reason, "p_actor": actor,
            "p_redemption_id": None, "p_created_at": now})
        assert movement is not None
        return int(after[0]), int(movement[0])

    def take(self, gift_id: int, quantity: int) -> int | None:
        """Take ``quantity`` out of stock (a guarded update that locks the gift row): the
        stock after, or None when there are fewer. The caller records the movement."""
        left = _TAKE.one(self.conn, {"p_id": gift_id, "p_n": quantity})
        return None if left is None else int(left[0])

    def record_taken(self, redemption_id: int, kind: str,
                     taken: Sequence[tuple[int, int, int]], reason: str, actor: str,
                     at: datetime) -> None:
        """The movements of stock a redemption took: (gift id, quantity, stock after)."""
        _ADD_MOVEMENTS.many(self.conn, [
            {"p_gift_id": gift_id, "p_kind": kind, "p_quantity": -quantity,
             "p_stock_after": after, "p_reason": reason, "p_actor": actor,
             "p_redemption_id": redemption_id, "p_created_at": at}
            for gift_id, quantity, after in taken])

    def give_back(self, redemption_id: int, items: Sequence[tuple[int, int]], kind: str,
                  actor: str) -> None:
        """Put a redemption's items, (gift id, quantity), back in stock (gift rows by
        id), one movement each."""
        now = utcnow()
        moves = []
        for gift_id, quantity in sorted(items):
            after = _PUT_BACK.one(self.conn, {"p_id": gift_id, "p_n": quantity})
            assert after is not None
            moves.append({"p_gift_id": gift_id, "p_kind": kind, "p_quantity": quantity,
                          "p_stock_after": after[0],
                          "p_reason": f"redemption {redemption_id} {kind}", "p_actor": actor,
                          "p_redemption_id": redemption_id, "p_created_at": now})
        if moves:
            _ADD_MOVEMENTS.many(self.conn, moves)

    def movements(self, gift_id: int) -> list[StockMovement]:
        """The gift's stock history, oldest first."""
        rows = self.conn.execute(
            sa.select(stock_movements.c.id, stock_movements.c.kind, stock_movements.c.quantity,
                      stock_movements.c.stock_after, stock_movements.c.reason,
                      stock_movements.c.actor, stock_movements.c.redemption_id,
                      stock_movements.c.created_at)
            .where(stock_movements.c.gift_id == gift_id).order_by(stock_movements.c.id)).all()
        return [StockMovement(r.id, r.kind, int(r.quantity), int(r.stock_after), r.reason,
                              r.actor, r.redemption_id, r.created_at) for r in rows]

    def check_stock(self) -> list[StockCheck]:
        """Every gift's stock against the sum of its movements (one grouped query)."""
        moved = (sa.select(stock_movements.c.gift_id,
                           sa.func.sum(stock_movements.c.quantity).label("total"))
                 .group_by(stock_movements.c.gift_id).subquery())
        rows = self.conn.execute(
            sa.select(gifts.c.code, gifts.c.stock,
                      sa.func.coalesce(moved.c.total, 0).label("total"))
            .outerjoin(moved, moved.c.gift_id == gifts.c.id)
            .where(gifts.c.community_id == self.uow.community_id)
            .order_by(gifts.c.code)).all()
        return [StockCheck(r.code, int(r.stock), int(r.total)) for r in rows]

    def lock_stock(self) -> dict[str, int]:
        """Every gift's stock, rows locked by id; keys are gift ids as text (JSON keys)."""
        rows = self.conn.execute(sa.select(gifts.c.id, gifts.c.stock)
                                 .where(gifts.c.community_id == self.uow.community_id)
                                 .order_by(gifts.c.id).with_for_update()).all()
        return {str(r.id): int(r.stock) for r in rows}

    def stock(self) -> list[tuple[int, str, int]]:
        """Every gift's (id, code, stock), by code."""
        rows = self.conn.execute(sa.select(gifts.c.id, gifts.c.code, gifts.c.stock).where(
            gifts.c.community_id == self.uow.community_id).order_by(gifts.c.code)).all()
        return [(int(r.id), r.code, int(r.stock)) for r in rows]

    # -- service days --------------------------------------------------------------------

    def service_day(self, code: str) -> ServiceDayRecord:
        row = _DAY.one(self.conn, {"p_community": self.uow.community_id, "p_code": code})
        if row is None:
            raise NotFound(T("unknown service day {code!r}", code=code), field="service_day")
        (day_id, found, name, day, status, open_mark, close_mark, opening, closing) = row
        return ServiceDayRecord(int(day_id), ServiceDay(found, name, day, status),
                                int(open_mark), close_mark, opening, closing)

    def service_days(self, status: str | None = None) -> list[ServiceDay]:
        """The community's service days, newest day first (the desk picks one)."""
        query = sa.select(service_days.c.code, service_days.c.name, service_days.c.day,
                          service_days.c.status).where(
            service_days.c.community_id == self.uow.community_id)
        if status is not None:
            query = query.where(service_days.c.status == status)
        return [ServiceDay(r.code, r.name, r.day, r.status) for r in self.conn.execute(
            query.order_by(service_days.c.day.desc(), service_days.c.code).limit(200))]

    def add_service_day(self, code: str, name: str, day: date,
                        opening: Mapping[str, int]) -> None:
        """An open day whose window starts after the last stock movement so far."""
        try:
            self.conn.execute(service_days.insert().values(
                community_id=self.uow.community_id, code=code, name=name, day=day,
                status="open", opened_at=utcnow(), open_mark=_MARK,
                opening_stock=dict(opening)))
        except sa.exc.IntegrityError as exc:
            raise AlreadyExists(T("service day {code!r} already exists", code=code),
                                field="code") from exc

    def close_service_day(self, day_id: int) -> bool:
        """Mark an open day closed, exactly once: False when it was already closed."""
        return self.conn.execute(
            service_days.update().where(service_days.c.id == day_id,
                                        service_days.c.status == "open")
            .values(status="closed", closed_at=utcnow())
            .returning(service_days.c.id)).scalar() is not None

    def count_closing(self, day_id: int, closing: Mapping[str, int]) -> int:
        """Record the closing stock and close the window at the last movement (returned)."""
        return int(self.conn.execute(
            service_days.update().where(service_days.c.id == day_id)
            .values(close_mark=_MARK, closing_stock=dict(closing))
            .returning(service_days.c.close_mark)).scalar_one())

    def day_redemptions(self, day_id: int) -> dict[str, int]:
        """How many of the day's redemptions are in each status."""
        return {status: int(n) for status, n in self.conn.execute(
            sa.select(redemptions.c.status, sa.func.count())
            .where(redemptions.c.service_day_id == day_id)
            .group_by(redemptions.c.status))}

    def day_spent(self, day_id: int) -> dict[str, int]:
        """What the day's fulfilled redemptions spent, per unit."""
        return {unit: int(total) for unit, total in self.conn.execute(
            sa.select(redemptions.c.unit, sa.func.sum(redemptions.c.total))
            .where(redemptions.c.service_day_id == day_id,
                   redemptions.c.status == "fulfilled")
            .group_by(redemptions.c.unit))}

    def handed_out(self, day_id: int) -> tuple[HandedOut, ...]:
        """Items and points per gift of the day's fulfilled redemptions, by gift code."""
        return tuple(HandedOut(code, int(q), int(p)) for code, q, p in self.conn.execute(
            sa.select(gifts.c.code, sa.func.sum(redemption_items.c.quantity),
                      sa.func.sum(redemption_items.c.quantity * redemption_items.c.unit_price))
            .join(redemption_items, redemption_items.c.gift_id == gifts.c.id)
            .join(redemptions, redemptions.c.id == redemption_items.c.redemption_id)
            .where(redemptions.c.service_day_id == day_id, redemptions.c.status == "fulfilled")
            .group_by(gifts.c.code).order_by(gifts.c.code)))

    def moved(self, after_mark: int, until_mark: int | None) -> dict[int, dict[str, int]]:
        """The community's stock movements in the window (after, until]: per gift id, the
        summed quantity of each kind."""
        window = [stock_movements.c.id > after_mark]
        if until_mark is not None:
            window.append(stock_movements.c.id <= until_mark)
        found: dict[int, dict[str, int]] = {}
        for gift_id, kind, total in self.conn.execute(
                sa.select(stock_movements.c.gift_id, stock_movements.c.kind,
                          sa.func.sum(stock_movements.c.quantity))
                .join(gifts, gifts.c.id == stock_movements.c.gift_id)
                .where(gifts.c.community_id == self.uow.community_id, *window)
                .group_by(stock_movements.c.gift_id, stock_movements.c.kind)):
            found.setdefault(gift_id, {})[kind] = int(total)
        return found
