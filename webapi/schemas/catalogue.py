"""The gift catalogue (积分超市) and its stock."""

from __future__ import annotations

import attrs
from marshmallow import Schema, fields, validate

from webapi.schemas.common import UNITS, Day, code_field, positive, text
from webapi.spec_limits import NONBLANK_TEXT

PERIODS = validate.OneOf(["day", "week", "month", "quarter", "year"])
# A price rule as ``timebank.domain.catalogue.PriceRule.from_mapping`` reads it: a tag
# and exactly one of ``percent_off`` or ``price``.
PRICE_RULE = {
    "type": "object", "required": ["tag"], "additionalProperties": False,
    "properties": {
        "tag": {"type": "string", "minLength": 1, "pattern": NONBLANK_TEXT},
        "percent_off": {"type": "integer", "minimum": 1, "maximum": 99},
        "price": {"type": "integer", "minimum": 1}},
    "oneOf": [{"required": ["percent_off"]}, {"required": ["price"]}]}


class GiftPatch(Schema):
    name = text(200, 1)
    name_en = text(200)
    cost = positive()
    unit = fields.String(validate=UNITS)
    active_from = Day(allow_none=True)
    active_until = Day(allow_none=True)
    min_tier = code_field(allow_none=True)
    limit_per_member = positive(allow_none=True)
    limit_period = fields.String(validate=PERIODS)
    price_rules = fields.List(fields.Dict(metadata=PRICE_RULE), validate=validate.Length(max=20),
                              metadata={"description": "e.g. {tag: low_income, percent_off: "
                                        "10} for a 10% discount, or {tag: ..., price: 20}"})


class GiftIn(GiftPatch):
    code = code_field(required=True)
    name = text(200, 1, required=True)
    cost = positive(required=True)
    stock = fields.Integer(strict=True, load_default=0, validate=validate.Range(0, 10**9))


class GiftOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String()
    cost = fields.Integer(required=True)
    unit = fields.String(required=True)
    stock = fields.Integer(required=True)
    active_from = Day(allow_none=True)
    active_until = Day(allow_none=True)
    min_tier = fields.String(allow_none=True)
    limit_per_member = fields.Integer(allow_none=True)
    limit_period = fields.String()
    price_rules = fields.Method("_price_rules")

    def _price_rules(self, gift: object) -> list[dict[str, object]]:
        return [attrs.asdict(rule) if attrs.has(type(rule)) else dict(rule)
                for rule in getattr(gift, "price_rules", ())]


class GiftList(Schema):
    items = fields.List(fields.Nested(GiftOut), required=True)


class GiftQuery(Schema):
    active_on = Day(metadata={"description": "only gifts offered that day"})


class RestockIn(Schema):
    quantity = positive(required=True)
    reason = text(500, 1, required=True)


class StockChangeOut(Schema):
    gift = fields.String(required=True)
    kind = fields.String(required=True)
    quantity = fields.Integer(required=True)
    stock_after = fields.Integer(required=True)
    movement_id = fields.Integer(allow_none=True)
