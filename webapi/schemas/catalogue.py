"""Gifts, service days and redemptions."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from webapi.schemas.common import UNITS, code_field, positive, text

PERIODS = validate.OneOf(["day", "week", "month", "quarter", "year"])
REDEMPTION_STATUSES = ["held", "fulfilled", "cancelled", "returned"]


class GiftPatch(Schema):
    name = text(200, 1)
    name_en = text(200)
    cost = positive()
    unit = fields.String(validate=UNITS)
    active_from = fields.Date(allow_none=True)
    active_until = fields.Date(allow_none=True)
    min_tier = code_field(allow_none=True)
    limit_per_member = positive(allow_none=True)
    limit_period = fields.String(validate=PERIODS)
    price_rules = fields.List(fields.Dict(), validate=validate.Length(max=20), metadata={
        "description": "e.g. {tag: low_income, percent: 90} for a 10% discount"})


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
    active_from = fields.Date(allow_none=True)
    active_until = fields.Date(allow_none=True)
    min_tier = fields.String(allow_none=True)
    limit_per_member = fields.Integer(allow_none=True)
    limit_period = fields.String()
    price_rules = fields.Method("_price_rules")

    def _price_rules(self, gift: object) -> list[dict[str, object]]:
        import attrs

        return [attrs.asdict(rule) if attrs.has(type(rule)) else dict(rule)
                for rule in getattr(gift, "price_rules", ())]


class GiftList(Schema):
    items = fields.List(fields.Nested(GiftOut), required=True)


class GiftQuery(Schema):
    active_on = fields.Date(metadata={"description": "only gifts offered that day"})


class RestockIn(Schema):
    quantity = positive(required=True)
    reason = text(500, 1, required=True)


class StockChangeOut(Schema):
    gift = fields.String(required=True)
    kind = fields.String(required=True)
    quantity = fields.Integer(required=True)
    stock_after = fields.Integer(required=True)
    movement_id = fields.Integer(allow_none=True)


class ServiceDayIn(Schema):
    code = code_field(required=True)
    name = text(200, 1, required=True)
    day = fields.Date(required=True)


class ServiceDayOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    day = fields.Date(required=True)
    status = fields.String(required=True)


class HandedOutOut(Schema):
    gift = fields.String()
    quantity = fields.Integer()
    points = fields.Integer()


class StockLineOut(Schema):
    gift = fields.String()
    opening = fields.Integer()
    restocked = fields.Integer()
    handed_out = fields.Integer()
    closing = fields.Integer()
    balanced = fields.Boolean()


class SummaryOut(Schema):
    day = fields.Nested(ServiceDayOut, required=True)
    redemptions = fields.Dict(keys=fields.String(), values=fields.Integer())
    handed_out = fields.List(fields.Nested(HandedOutOut))
    spent = fields.Dict(keys=fields.String(), values=fields.Integer())
    stock = fields.List(fields.Nested(StockLineOut))
    balanced = fields.Boolean()


class ItemIn(Schema):
    gift = code_field(required=True)
    quantity = positive(load_default=1)


class RedemptionIn(Schema):
    member = code_field(metadata={"description": "the member's code (or give card)"})
    card = text(64, 1, metadata={"description": "the member's card code, at a desk"})
    items = fields.List(fields.Nested(ItemIn), required=True,
                        validate=validate.Length(1, 50))
    service_day = code_field()
    hold = fields.Boolean(load_default=False,
                          metadata={"description": "reserve points and stock until fulfil"})


class RedemptionItemOut(Schema):
    gift = fields.String()
    quantity = fields.Integer()
    unit_price = fields.Integer()
    total = fields.Integer()


class RedemptionOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": REDEMPTION_STATUSES})
    total = fields.Integer(required=True)
    unit = fields.String(required=True)
    balance_after = fields.Integer(required=True)
    receipt = fields.String()
    items = fields.List(fields.Nested(RedemptionItemOut))
    member = fields.String()
    service_day = fields.String(allow_none=True)


class RedemptionQuery(Schema):
    member = code_field()
    status = fields.String(validate=validate.OneOf(REDEMPTION_STATUSES))
    service_day = code_field()
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 10**9),
                            metadata={"description": "the `next` of the previous page"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 1000))


class RedemptionList(Schema):
    items = fields.List(fields.Nested(RedemptionOut), required=True)
    next = fields.Integer(allow_none=True)
