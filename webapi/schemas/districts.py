"""Districts (通存通兑): the alliance, its positions, settlements and member moves."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank.reports.leaderboard import MAX_LIMIT
from webapi.schemas.common import UNITS, code_field, text
from webapi.schemas.reports import FORMATS, MONTH, PERIOD

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
                                  "(default 1: one to one); only units and communities of "
                                  "the district",
                                  "additionalProperties": False, "properties": {
                                      unit: {"type": "object", "additionalProperties": {
                                          "type": "integer", "minimum": 1,
                                          "maximum": 1_000_000}}
                                      for unit in UNIT_NAMES}})
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


# -- district reports ---------------------------------------------------------------------


class DistrictReportQuery(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS),
                           metadata={"description": "json, csv (UTF-8 with BOM) or xlsx"})
    lang = fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]),
                         metadata={"description": "column headers of CSV and XLSX"})


class DistrictMonthlyQuery(DistrictReportQuery):
    month = fields.String(required=True, validate=MONTH, metadata={"example": "2024-03"})
    ledger_unit = fields.String(load_default="points", validate=UNITS)


class DistrictLeaderboardQuery(DistrictReportQuery):
    period = fields.String(required=True, validate=PERIOD, metadata={"example": "2024"})
    limit = fields.Integer(load_default=20, validate=validate.Range(1, MAX_LIMIT))
    mask = fields.Boolean(load_default=True, metadata={
        "description": "false shows real names and member codes (platform admin only)"})
    ledger_unit = fields.String(load_default="points", validate=UNITS)


class DistrictParticipationQuery(DistrictReportQuery):
    month = fields.String(required=True, validate=MONTH, metadata={"example": "2024-03"})
    rule = code_field(required=True)
    target = fields.Float(load_default=0.9, allow_nan=False, validate=validate.Range(0, 1),
                          metadata={"description": "the rate to meet (default 0.9)"})


class CommunityFiguresOut(Schema):
    community = fields.String(required=True)
    name = fields.String(required=True)
    members = fields.Integer(required=True)
    earners = fields.Integer(required=True, metadata={"description": "members who earned"})
    contributions = fields.Integer(required=True)
    total = fields.Integer(required=True)
    by_rule = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class DistrictMonthlyOut(Schema):
    district = fields.String(required=True)
    name = fields.String(required=True)
    period = fields.String(required=True)
    kind = fields.String(required=True)
    first = fields.String(required=True)
    last = fields.String(required=True)
    ledger_unit = fields.String(required=True)
    rules = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    communities = fields.List(fields.Nested(CommunityFiguresOut), required=True)
    members = fields.Integer(required=True)
    earners = fields.Integer(required=True)
    contributions = fields.Integer(required=True)
    total = fields.Integer(required=True)


class DistrictLineOut(Schema):
    rank = fields.Integer(required=True)
    community = fields.String(required=True)
    member = fields.String(allow_none=True, metadata={"description": "null when masked"})
    name = fields.String(required=True)
    total = fields.Integer(required=True)


class DistrictLeaderboardOut(Schema):
    district = fields.String(required=True)
    period = fields.String(required=True)
    kind = fields.String(required=True)
    ledger_unit = fields.String(required=True)
    masked = fields.Boolean(required=True)
    lines = fields.List(fields.Nested(DistrictLineOut), required=True)


class CommunityParticipationOut(Schema):
    community = fields.String(required=True)
    rule_name_zh = fields.String(required=True)
    rule_name_en = fields.String(required=True)
    eligible = fields.Integer(required=True)
    participated = fields.Integer(required=True)
    rate = fields.Float(required=True)
    met = fields.Boolean(required=True)


class DistrictParticipationOut(Schema):
    district = fields.String(required=True)
    period = fields.String(required=True)
    rule = fields.String(required=True)
    eligible = fields.Integer(required=True)
    participated = fields.Integer(required=True)
    rate = fields.Float(required=True)
    target = fields.Float(required=True)
    met = fields.Boolean(required=True)
    communities = fields.List(fields.Nested(CommunityParticipationOut), required=True)
    without_rule = fields.List(fields.String(), required=True,
                               metadata={"description": "communities without the rule"})
