"""A member's statement: every line on their accounts, with what earned it."""

from __future__ import annotations

from marshmallow import Schema, fields

from webapi.schemas.common import UNITS, Day, UtcDateTime


class StatementQuery(Schema):
    from_ = Day(data_key="from")
    to = Day()
    unit = fields.String(validate=UNITS)


class StatementLineOut(Schema):
    entry_id = fields.Integer(required=True)
    at = UtcDateTime(required=True)
    occurred_at = UtcDateTime()
    kind = fields.String(required=True)
    amount = fields.Integer(required=True)
    unit = fields.String(required=True)
    balance_after = fields.Integer(required=True)
    reason = fields.String(required=True)
    rule = fields.String(allow_none=True)
    contribution = fields.Integer(allow_none=True)
    approver = fields.String(allow_none=True)
    reverses = fields.Integer(allow_none=True)
    request = fields.Integer(allow_none=True, metadata={"description": "exchange lines: "
                                                        "the request paid"})
    counterparty = fields.String(allow_none=True, metadata={
        "description": "exchange lines: the other member (the volunteers, comma-separated, "
                       "on the requester's line)"})


class StatementOut(Schema):
    member = fields.String(required=True)
    from_ = Day(data_key="from", allow_none=True)
    to = Day(allow_none=True)
    lines = fields.List(fields.Nested(StatementLineOut), required=True)
    opening = fields.Dict(keys=fields.String(), values=fields.Integer())
    closing = fields.Dict(keys=fields.String(), values=fields.Integer())
    owed = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "欠 per unit whose closing balance is below zero"})
