"""Transfers between members (stored hours to a parent, points to a neighbour)."""

from __future__ import annotations

from marshmallow import Schema, fields

from webapi.schemas.common import UNITS, code_field, positive, text


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
