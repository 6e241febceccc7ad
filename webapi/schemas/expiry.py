"""Expiry as a member's own page reads it: what goes when, unless spent first."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from webapi.schemas.common import Day


class ScheduleQuery(Schema):
    within_days = fields.Integer(load_default=60, validate=validate.Range(0, 3660),
                                 metadata={"description": "how far ahead, in days"})


class ExpiringLotOut(Schema):
    unit = fields.String(required=True)
    amount = fields.Integer(required=True)
    expires_on = Day(required=True, metadata={
        "description": "the local day the amount is gone (the day's expiry run takes it)"})
    last_day = Day(required=True, metadata={"description": "the last day to use it"})


class ScheduleOut(Schema):
    member = fields.String(required=True)
    within_days = fields.Integer(required=True)
    items = fields.List(fields.Nested(ExpiringLotOut), required=True, metadata={
        "description": "in the order they go; empty when nothing expires in the window "
                       "or the community's points never expire"})
