"""Tiers: the community's levels and where a member stands."""

from __future__ import annotations

from marshmallow import Schema, fields

from webapi.schemas.common import Day


class TierOut(Schema):
    code = fields.String(required=True)
    name_zh = fields.String()
    name_en = fields.String()
    threshold = fields.Integer()
    benefits = fields.List(fields.String())


class TierList(Schema):
    items = fields.List(fields.Nested(TierOut), required=True)


class TierStatusOut(Schema):
    member = fields.String(required=True)
    on = Day()
    basis = fields.String()
    unit = fields.String()
    earned = fields.Integer()
    tier = fields.Nested(TierOut, allow_none=True)
    next = fields.Nested(TierOut, allow_none=True)
    needed = fields.Integer()
