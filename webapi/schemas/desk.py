"""What the pages ask of the API: who the key is, the service days, a member's gifts,
and the poster's query."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from webapi.schemas.common import Day
from webapi.schemas.reports import MONTH


class RuleNameOut(Schema):
    code = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)


class WhoAmIOut(Schema):
    role = fields.String(required=True)
    community = fields.String(allow_none=True)
    community_name = fields.String()
    timezone = fields.String(metadata={"description": "the community's IANA time zone"})
    member = fields.String(allow_none=True, metadata={"description": "member keys only"})
    name = fields.String(allow_none=True, metadata={"description": "the member's name"})
    rules = fields.List(fields.Nested(RuleNameOut), metadata={
        "description": "the community's rule names, so a statement line can say its rule"})


class DayQuery(Schema):
    status = fields.String(validate=validate.OneOf(["open", "closed"]))


class DayOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    day = Day(required=True)
    status = fields.String(required=True)


class DayList(Schema):
    items = fields.List(fields.Nested(DayOut), required=True)


class OfferOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String()
    cost = fields.Integer(required=True, metadata={"description": "this member's price"})
    unit = fields.String(required=True)
    stock = fields.Integer(required=True)
    min_tier = fields.String(allow_none=True)
    limit_per_member = fields.Integer(allow_none=True)
    limit_period = fields.String()
    limit_left = fields.Integer(allow_none=True, metadata={
        "description": "how many more this member may take in the period; null: no limit"})
    blocked = fields.String(allow_none=True, metadata={
        "description": "why not now: out_of_stock, not_eligible or limit_exceeded"})


class OfferList(Schema):
    member = fields.String(required=True)
    items = fields.List(fields.Nested(OfferOut), required=True)


class PosterQuery(Schema):
    month = fields.String(required=True, validate=MONTH, metadata={"example": "2024-03"})
    size = fields.String(load_default="A4", validate=validate.OneOf(["A4", "A3"]))
    lang = fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]))
    unit = fields.String(validate=validate.Length(1, 64), metadata={
        "description": "an org unit: only the members under it"})
    limit = fields.Integer(validate=validate.Range(1, 10_000), metadata={
        "description": "list only the first lines by rank"})
