"""Redemptions (兑换): points for gifts, at once or held until handed over."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from webapi.schemas.common import code_field, positive, text

REDEMPTION_STATUSES = ["held", "fulfilled", "cancelled", "returned"]


class ItemIn(Schema):
    gift = code_field(required=True)
    quantity = positive(load_default=1)


class RedemptionIn(Schema):
    member = code_field(metadata={"description": "the member's code (or give card); "
                                  "COMMUNITY:CODE for a member of a partner community "
                                  "of the district (通存通兑)"})
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
