"""Balances, adjustments, reversals, transfers and the audit check."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from webapi.schemas.common import MAX_AMOUNT, UNITS, code_field, positive, text
from webapi.schemas.earning import TierOut


class BalanceOut(Schema):
    posted = fields.Integer(required=True)
    held = fields.Integer(required=True)
    available = fields.Integer(required=True)
    lifetime_earned = fields.Integer(required=True)


class MemberBalance(Schema):
    member = fields.String(required=True)
    balances = fields.Dict(keys=fields.String(), values=fields.Nested(BalanceOut),
                           required=True)
    tier = fields.Nested(TierOut, allow_none=True)


class AdjustmentIn(Schema):
    member = code_field(required=True)
    amount = fields.Integer(strict=True, required=True, validate=[
        validate.Range(-MAX_AMOUNT, MAX_AMOUNT),
        validate.NoneOf([0], error="an adjustment is not zero")],
        metadata={"description": "signed: positive credits the member, negative debits"})
    unit = fields.String(load_default="points", validate=UNITS)
    reason = text(required=True, minimum=1)


class TransferIn(Schema):
    sender = code_field(required=True, data_key="from")
    receiver = code_field(required=True, data_key="to")
    amount = positive(required=True)
    unit = fields.String(required=True, validate=UNITS)
    reason = text(load_default="")


class TransferOut(Schema):
    entry_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    sender = fields.String(required=True, data_key="from")
    receiver = fields.String(required=True, data_key="to")
    amount = fields.Integer(required=True)
    unit = fields.String(required=True)
    balances = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class Verification(Schema):
    ok = fields.Boolean(required=True)
    entries_checked = fields.Integer(required=True)
    first_bad_entry = fields.Integer(allow_none=True)
    problems = fields.List(fields.Dict(), metadata={"description": "what failed, where"})
