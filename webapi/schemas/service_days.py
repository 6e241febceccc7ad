"""Service days (服务日): opened, closed, and what they handed out."""

from __future__ import annotations

from marshmallow import Schema, fields

from webapi.schemas.common import Day, code_field, text


class ServiceDayIn(Schema):
    code = code_field(required=True)
    name = text(200, 1, required=True)
    day = Day(required=True)


class ServiceDayOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    day = Day(required=True)
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
