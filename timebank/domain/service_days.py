"""Service days as plain values: the day, what it handed out, and its stock reconciled
between opening and closing (账物相符)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import attrs

from timebank.domain.catalogue import StockLine, stock_line


@attrs.frozen
class ServiceDay:
    code: str
    name: str
    day: date
    status: str  # open, closed


@attrs.frozen
class ServiceDayRecord:
    """A stored day: the last stock movement before opening (and at closing) and every
    gift's stock then, keyed by gift id as text (JSON keys)."""

    id: int
    day: ServiceDay
    open_mark: int
    close_mark: int | None
    opening_stock: Mapping[str, int]
    closing_stock: Mapping[str, int] | None


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


def reconcile(record: ServiceDayRecord, stock: Sequence[tuple[int, str, int]],
              moved: Mapping[int, Mapping[str, int]]) -> tuple[StockLine, ...]:
    """A line for every gift (``(id, code, stock now)`` by code) that had stock at
    opening or closing or moved during the day; an open day closes at the stock now."""
    closing = record.closing_stock
    lines = []
    for gift_id, code, now in stock:
        key = str(gift_id)
        opening = int(record.opening_stock.get(key, 0))
        end = int(now) if closing is None else int(closing.get(key, 0))
        if opening or end or gift_id in moved:
            lines.append(stock_line(code, opening, moved.get(gift_id, {}), end))
    return tuple(lines)
