"""Districts (通存通兑): the alliance, its positions, settlements and member moves."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from webapi.schemas.common import code_field, text

UNIT_NAMES = ["points", "minutes"]


class DistrictIn(Schema):
    code = code_field(required=True)
    name = text(200, 1, required=True)
    communities = fields.List(code_field(), required=True, validate=validate.Length(2, 200))
    units = fields.List(fields.String(validate=validate.OneOf(UNIT_NAMES)), required=True,
                        validate=validate.Length(1, 2))
    rates = fields.Dict(keys=fields.String(validate=validate.OneOf(UNIT_NAMES)),
                        values=fields.Dict(keys=fields.String(),
                                           values=fields.Integer(strict=True)),
                        metadata={"description": "per unit, each community's weight "
                                  "(default 1: one to one)"})
    position_limit = fields.Integer(strict=True, validate=validate.Range(1, 10**12))


class DistrictOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    communities = fields.List(fields.String(), required=True)
    units = fields.List(fields.String(), required=True)
    rates = fields.Dict(required=True)
    position_limit = fields.Integer(allow_none=True)


class DistrictPositionOut(Schema):
    community = fields.String(required=True)
    unit = fields.String(required=True)
    total = fields.Integer(required=True, metadata={"description": "positive: owed to it"})
    partners = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class DistrictPositionsOut(Schema):
    district = fields.String(required=True)
    positions = fields.List(fields.Nested(DistrictPositionOut), required=True)


class DistrictSettlementIn(Schema):
    until = fields.AwareDateTime(required=True, default_timezone=None)


class DistrictSettlementOut(Schema):
    district = fields.String(required=True)
    until = fields.String(required=True)
    positions = fields.List(fields.Nested(DistrictPositionOut), required=True)


class MemberMoveIn(Schema):
    to_community = code_field(required=True)


class MemberMovedOut(Schema):
    member = fields.String(required=True)
    from_community = fields.String(required=True)
    to_community = fields.String(required=True)
    balances = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    cross_ids = fields.List(fields.Integer(), required=True)
