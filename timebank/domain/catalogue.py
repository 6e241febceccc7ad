"""The gift catalogue as plain values: price rules, per-member limits, periods, receipts,
stock movements and the service-day stock reconciliation (账物相符)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import attrs

from timebank.errors import InvalidAmount, ValidationError
from timebank.i18n import T

PERIODS = ("day", "week", "month", "quarter", "year")
STATUSES = ("held", "fulfilled", "cancelled", "returned")

# Stock movement kinds. ``initial``, ``restock`` and ``correction`` are what the
# community brings in or counts; the others are what redemptions take out or give back.
STOCK_IN = ("initial", "restock", "correction")
STOCK_OUT = ("reserve", "release", "redeem", "return")
MOVEMENT_KINDS = STOCK_IN + STOCK_OUT


def check_quantity(value: object, field: str = "quantity") -> int:
    """A quantity of gifts is a positive whole number (bools are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAmount(T("{field} must be a whole number, got {value!r}", field=field,
                              value=value), field=field)
    if value <= 0:
        raise InvalidAmount(T("{field} must be positive, got {value}", field=field, value=value),
                            field=field)
    return value


def check_count(value: object, field: str) -> int:
    """A stock count: a whole number, zero or more."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidAmount(T("{field} must be a whole number >= 0, got {value!r}", field=field,
                              value=value),
                            field=field)
    return value


def check_text(value: object, field: str, limit: int = 200, *, required: bool = True) -> str:
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise ValidationError(
            T("{field} must be non-empty text of at most {limit} characters", field=field,
              limit=limit) if required else
            T("{field} must be text of at most {limit} characters", field=field, limit=limit),
            field=field)
    return value


def check_period(value: object) -> str:
    if value not in PERIODS:
        raise ValidationError(T("limit_period must be one of {periods}, got {value!r}",
                                periods=', '.join(PERIODS), value=value), field="limit_period")
    return str(value)


def period_start(period: str, day: date) -> date:
    """The first day of the period (in the community's calendar) that ``day`` falls in."""
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())  # weeks start on Monday
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


# -- prices ----------------------------------------------------------------------------


@attrs.frozen
class PriceRule:
    """A price for members carrying ``tag``: ``percent_off`` the cost, or a fixed
    ``price``. A member matching several rules pays the lowest; never below 1."""

    tag: str
    percent_off: int | None = None
    price: int | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str = "price_rules") -> PriceRule:
        if not isinstance(data, Mapping):
            raise ValidationError(T("{where} must be an object", where=where), field="price_rules")
        tag = data.get("tag")
        if not isinstance(tag, str) or not tag.strip():
            raise ValidationError(T("{where}.tag must be non-empty text", where=where),
                                  field="price_rules")
        pct, price = data.get("percent_off"), data.get("price")
        unknown = set(data) - {"tag", "percent_off", "price"}
        if unknown or (pct is None) == (price is None):
            raise ValidationError(T("{where} has a tag and exactly one of percent_off or price",
                                    where=where), field="price_rules")
        if pct is not None and (isinstance(pct, bool) or not isinstance(pct, int)
                                or not 0 < pct < 100):
            raise ValidationError(T("{where}.percent_off must be a whole number from 1 to 99",
                                    where=where),
                                  field="price_rules")
        if price is not None:
            check_quantity(price, "price_rules")
        return cls(tag, pct, price)

    def apply(self, cost: int) -> int:
        if self.price is not None:
            return self.price
        assert self.percent_off is not None
        # Round half up: 44 points at 10% off is 40 (39.6).
        return (cost * (100 - self.percent_off) + 50) // 100


def price_rules(data: object) -> tuple[PriceRule, ...]:
    if data is None:
        return ()
    if not isinstance(data, Sequence) or isinstance(data, str):
        raise ValidationError(T("price_rules must be a list"), field="price_rules")
    return tuple(PriceRule.from_mapping(d, f"price_rules[{i}]") for i, d in enumerate(data))


def unit_price(cost: int, rules: Iterable[PriceRule], tags: Iterable[str]) -> int:
    """What one item costs a member with ``tags``: the lowest matching price, at least 1."""
    have = set(tags)
    prices = [cost, *(rule.apply(cost) for rule in rules if rule.tag in have)]
    return max(1, min(prices))


# -- requests --------------------------------------------------------------------------


@attrs.frozen
class ItemRequest:
    gift: str
    quantity: int


def item_requests(items: object) -> tuple[ItemRequest, ...]:
    """Validate the items of a redemption; one gift named twice is one item."""
    if not isinstance(items, Sequence) or isinstance(items, str) or not items:
        raise ValidationError(T("a redemption has at least one item"), field="items")
    merged: dict[str, int] = {}
    for i, item in enumerate(items):
        if isinstance(item, Mapping):
            gift, quantity = item.get("gift"), item.get("quantity", 1)
        elif isinstance(item, Sequence) and not isinstance(item, str) and len(item) == 2:
            gift, quantity = item
        else:
            raise ValidationError(T("items[{i}] is {{gift, quantity}}", i=i), field="items")
        name = check_text(gift, "gift", 64)
        merged[name] = merged.get(name, 0) + check_quantity(quantity)
    return tuple(ItemRequest(g, q) for g, q in merged.items())


# -- receipts --------------------------------------------------------------------------

# A receipt is the redemption id scrambled by an odd multiplier modulo 2**40 and written
# in Crockford base 32: short, unique without a look-up, and not a visible counter.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BITS = 40
_MOD = 1 << _BITS
_MUL = 0x9E3779B97F & (_MOD - 1) | 1
_INV = pow(_MUL, -1, _MOD)


def receipt_code(redemption_id: int) -> str:
    """An 8-character receipt code for a redemption id (ids below 2**40)."""
    n = (redemption_id * _MUL) % _MOD
    chars = []
    for _ in range(_BITS // 5):
        chars.append(_ALPHABET[n & 31])
        n >>= 5
    return "".join(reversed(chars))


def receipt_id(code: str) -> int | None:
    """The redemption id a receipt code stands for (None if it is not a receipt code)."""
    text = code.strip().upper().replace("-", "").replace("O", "0").replace("I", "1") \
        .replace("L", "1")
    if len(text) != _BITS // 5 or any(c not in _ALPHABET for c in text):
        return None
    n = 0
    for c in text:
        n = n * 32 + _ALPHABET.index(c)
    return (n * _INV) % _MOD


# -- stock -----------------------------------------------------------------------------


@attrs.frozen
class StockLine:
    """One gift's stock over a service day: ``opening + restocked - handed_out`` must be
    ``closing``, or the stock was moved outside the books."""

    gift: str
    opening: int
    restocked: int
    handed_out: int
    closing: int

    @property
    def balanced(self) -> bool:
        return self.opening + self.restocked - self.handed_out == self.closing


def stock_line(gift: str, opening: int, movements: Mapping[str, int], closing: int
               ) -> StockLine:
    """Reconcile a gift from its opening count, its movements by kind and its closing
    count (movement quantities are signed: + into stock, - out of it)."""
    restocked = sum(movements.get(k, 0) for k in STOCK_IN)
    handed_out = -sum(movements.get(k, 0) for k in STOCK_OUT)
    return StockLine(gift, opening, restocked, handed_out, closing)
