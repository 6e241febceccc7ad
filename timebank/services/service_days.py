"""Service days (服务日 / 兑换日): open a day, hand gifts out, close it and count the stock.

Opening and closing lock every gift row of the community (by id, the lock order) and
record each gift's stock and the last stock movement id. A redemption locks its gift
rows before it writes movements, so every movement falls cleanly before or after each
mark, and the reconciliation ``opening + restocked - handed_out = closing`` holds
exactly unless stock was changed outside the library (账物相符).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain.catalogue import StockLine, check_text, stock_line
from timebank.errors import AlreadyExists, InvalidState, NotFound, ValidationError
from timebank.services.communities import check_code
from timebank.services.redemptions import cancel_held
from timebank.store import legacy as books
from timebank.store.tables import (
    gifts,
    redemption_items,
    redemptions,
    service_days,
    stock_movements,
)
from timebank.store.db import Store
from timebank.timeutil import utcnow


@attrs.frozen
class ServiceDay:
    code: str
    name: str
    day: date
    status: str  # open, closed


@attrs.frozen
class HandedOut:
    """What a service day's own redemptions handed out of one gift (returns deducted)."""

    gift: str
    quantity: int
    points: int


@attrs.frozen
class ServiceDaySummary:
    """Redemptions of the day by status, items and points per gift, ``spent`` per unit,
    and the stock reconciliation of every gift between opening and closing (now, while
    the day is open)."""

    day: ServiceDay
    redemptions: dict[str, int]
    handed_out: tuple[HandedOut, ...]
    spent: dict[str, int]
    stock: tuple[StockLine, ...]

    @property
    def balanced(self) -> bool:
        return all(line.balanced for line in self.stock)


def _lock_gifts(conn: Connection, community_id: int) -> dict[str, int]:
    """Every gift's stock, rows locked by id; keys are gift ids as text (JSON keys)."""
    rows = conn.execute(sa.select(gifts.c.id, gifts.c.stock)
                        .where(gifts.c.community_id == community_id)
                        .order_by(gifts.c.id).with_for_update()).all()
    return {str(r.id): int(r.stock) for r in rows}


def _mark(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(stock_movements.c.id), 0)))
               .scalar_one())


def _load(conn: Connection, community_id: int, code: str) -> Any:
    row = conn.execute(sa.select(service_days).where(
        service_days.c.community_id == community_id, service_days.c.code == code)).first()
    if row is None:
        raise NotFound(f"unknown service day {code!r}", field="service_day")
    return row


def _day(row: Any) -> ServiceDay:
    return ServiceDay(row.code, row.name, row.day, row.status)


class ServiceDays:
    def __init__(self, store: Store) -> None:
        self.store = store

    def open(self, community: str, code: str, *, name: str, day: date) -> ServiceDay:
        """Open a service day; redemptions may name it until it is closed."""
        check_code(code)
        check_text(name, "name")
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day)
            except ValueError:
                raise ValidationError("day must be a date YYYY-MM-DD", field="day") from None
        if not isinstance(day, date):
            raise ValidationError("day must be a date", field="day")

        def run(conn: Connection) -> ServiceDay:
            comm = books.community(conn, community)
            opening = _lock_gifts(conn, comm.id)
            try:
                conn.execute(service_days.insert().values(
                    community_id=comm.id, code=code, name=name, day=day, status="open",
                    opened_at=utcnow(), open_mark=_mark(conn), opening_stock=opening))
            except sa.exc.IntegrityError as exc:
                raise AlreadyExists(f"service day {code!r} already exists",
                                    field="code") from exc
            return ServiceDay(code, name, day, "open")
        return self.store.write(run)

    def close(self, community: str, code: str, *, actor: str = "system"
              ) -> ServiceDaySummary:
        """Close the day: its holds left are released, the closing stock is counted."""
        def run(conn: Connection) -> ServiceDaySummary:
            comm = books.community(conn, community)
            row = _load(conn, comm.id, code)
            claimed = conn.execute(
                service_days.update().where(service_days.c.id == row.id,
                                            service_days.c.status == "open")
                .values(status="closed", closed_at=utcnow())
                .returning(service_days.c.id)).scalar()
            if claimed is None:
                raise InvalidState(f"service day {code!r} is already closed",
                                   field="service_day", state="closed")
            held = conn.execute(sa.select(redemptions.c.id).where(
                redemptions.c.service_day_id == row.id, redemptions.c.status == "held")
                .order_by(redemptions.c.id)).scalars().all()
            cancel_held(conn, comm, held, actor)
            closing = _lock_gifts(conn, comm.id)
            conn.execute(service_days.update().where(service_days.c.id == row.id)
                         .values(close_mark=_mark(conn), closing_stock=closing))
            return _summary(conn, _load(conn, comm.id, code))
        return self.store.write(run)

    def get(self, community: str, code: str) -> ServiceDay:
        with self.store.read() as conn:
            return _day(_load(conn, books.community(conn, community).id, code))

    def summary(self, community: str, code: str) -> ServiceDaySummary:
        with self.store.read() as conn:
            return _summary(conn, _load(conn, books.community(conn, community).id, code))


def _summary(conn: Connection, row: Any) -> ServiceDaySummary:
    by_status: dict[str, int] = dict(conn.execute(
        sa.select(redemptions.c.status, sa.func.count())
        .where(redemptions.c.service_day_id == row.id)
        .group_by(redemptions.c.status)).all())
    spent: dict[str, int] = {}
    for unit, total in conn.execute(
            sa.select(redemptions.c.unit, sa.func.sum(redemptions.c.total))
            .where(redemptions.c.service_day_id == row.id,
                   redemptions.c.status == "fulfilled")
            .group_by(redemptions.c.unit)):
        spent[unit] = int(total)
    handed = tuple(HandedOut(code, int(q), int(p)) for code, q, p in conn.execute(
        sa.select(gifts.c.code, sa.func.sum(redemption_items.c.quantity),
                  sa.func.sum(redemption_items.c.quantity * redemption_items.c.unit_price))
        .join(redemption_items, redemption_items.c.gift_id == gifts.c.id)
        .join(redemptions, redemptions.c.id == redemption_items.c.redemption_id)
        .where(redemptions.c.service_day_id == row.id, redemptions.c.status == "fulfilled")
        .group_by(gifts.c.code).order_by(gifts.c.code)))

    window = [stock_movements.c.id > row.open_mark]
    if row.close_mark is not None:
        window.append(stock_movements.c.id <= row.close_mark)
    moved: dict[int, dict[str, int]] = {}
    for gift_id, kind, total in conn.execute(
            sa.select(stock_movements.c.gift_id, stock_movements.c.kind,
                      sa.func.sum(stock_movements.c.quantity))
            .join(gifts, gifts.c.id == stock_movements.c.gift_id)
            .where(gifts.c.community_id == row.community_id, *window)
            .group_by(stock_movements.c.gift_id, stock_movements.c.kind)):
        moved.setdefault(gift_id, {})[kind] = int(total)
    community_gifts = conn.execute(sa.select(gifts.c.id, gifts.c.code, gifts.c.stock).where(
        gifts.c.community_id == row.community_id).order_by(gifts.c.code)).all()
    closing = row.closing_stock
    lines = []
    for gift in community_gifts:
        key = str(gift.id)
        opening = int(row.opening_stock.get(key, 0))
        end = int(gift.stock) if closing is None else int(closing.get(key, 0))
        if opening or end or gift.id in moved:
            lines.append(stock_line(gift.code, opening, moved.get(gift.id, {}), end))
    return ServiceDaySummary(_day(row), by_status, handed, spent, tuple(lines))
