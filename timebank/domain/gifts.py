"""Gifts as the catalogue and the desk see them, and the stock movements that move them."""

from __future__ import annotations

from datetime import date, datetime

import attrs

from timebank.domain.catalogue import PriceRule
from timebank.errors import InvalidState
from timebank.i18n import T


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
class GiftTerms:
    """What the desk needs of a gift to redeem it: price, window, tier and limit (no
    names or stock: the stock is taken by a guarded update, not read)."""

    id: int
    code: str
    cost: int
    unit: str
    active_from: date | None
    active_until: date | None
    min_tier: str | None
    limit_per_member: int | None
    limit_period: str
    price_rules: tuple[PriceRule, ...]

    def check_offered(self, today: date) -> None:
        if (self.active_from is not None and today < self.active_from) or \
                (self.active_until is not None and today > self.active_until):
            raise InvalidState(T("gift {code!r} is not offered on {today}", code=self.code,
                                 today=today), field="gift",
                               gift=self.code)


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
