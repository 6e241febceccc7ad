"""The books: balances, adjustments, reversals and the audit check."""

from __future__ import annotations

from typing import Any

import attrs
from marshmallow import Schema, fields, validate

from webapi.schemas.common import MAX_AMOUNT, UNITS, code_field, text
from webapi.schemas.tiers import TierOut


class BalanceOut(Schema):
    posted = fields.Integer(required=True)
    held = fields.Integer(required=True)
    available = fields.Integer(required=True)
    lifetime_earned = fields.Integer(required=True)
    owed = fields.Integer(required=True, metadata={
        "description": "欠: points owed after an award already spent was reversed "
                       "(max(0, -available)); spending and transfers wait until it is 0"})


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
        metadata={"description": "signed: positive credits the member, negative debits",
                  "not": {"enum": [0]}})
    unit = fields.String(load_default="points", validate=UNITS)
    reason = text(required=True, minimum=1)


class EntryOut(Schema):
    """A written journal entry and the posted balance after it of each member it moved."""

    entry_id = fields.Integer(required=True)
    seq = fields.Integer(required=True)
    kind = fields.String(required=True)
    balances = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class Record(fields.Dict):
    """An attrs value (one problem the audit found) written as its fields."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if attrs.has(type(value)):
            value = attrs.asdict(value)
        return super()._serialize(value, attr, obj, **kwargs)


class Verification(Schema):
    ok = fields.Boolean(required=True)
    entries_checked = fields.Integer(required=True)
    first_bad_entry = fields.Integer(allow_none=True)
    problems = fields.List(Record(), metadata={"description": "what failed, where"})
