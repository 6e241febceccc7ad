"""Reports: the monthly table, the leaderboard and participation rates (and their query
arguments). ``unit`` is an org unit's code here; points or minutes is ``ledger_unit``."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank.reports.leaderboard import MAX_LIMIT
from webapi.schemas.common import UNITS, code_field

FORMATS = ["json", "csv", "xlsx"]
# Years 1970 to 9998, as the report periods allow (timebank.reports.periods): said in
# the pattern so the OpenAPI document is as strict as the rule.
YEAR = r"(19[7-9][0-9]|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])"
MONTH = validate.Regexp(rf"^{YEAR}-(0[1-9]|1[0-2])$",
                        error="must be a month YYYY-MM, 1970-01 to 9998-12")
PERIOD = validate.Regexp(rf"^{YEAR}(-(0[1-9]|1[0-2]|[Qq][1-4]))?$",
                         error="must be YYYY, YYYY-Qn or YYYY-MM, from 1970 to 9998")


class ReportQuery(Schema):
    """What every report takes: the answer's format and, for CSV/XLSX, its headers' language."""

    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS),
                           metadata={"description": "json, csv (UTF-8 with BOM) or xlsx"})
    lang = fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]),
                         metadata={"description": "column headers of CSV and XLSX"})
    unit = code_field(metadata={"description": "an org unit (grid, building, team): "
                                "only the members under it"})


class MonthlyQuery(ReportQuery):
    month = fields.String(required=True, validate=MONTH, metadata={"example": "2024-03"})
    ledger_unit = fields.String(load_default="points", validate=UNITS)
    mask = fields.Boolean(load_default=None, metadata={
        "description": "names masked, no member codes, households shown as their "
                       "building; default true for csv and xlsx (files get posted and "
                       "passed on), false for json"})


class LeaderboardQuery(ReportQuery):
    period = fields.String(required=True, validate=PERIOD, metadata={"example": "2024"})
    limit = fields.Integer(load_default=20, validate=validate.Range(1, MAX_LIMIT))
    mask = fields.Boolean(load_default=True, metadata={
        "description": "false shows real names and member codes"})
    ledger_unit = fields.String(load_default="points", validate=UNITS)


class ParticipationQuery(ReportQuery):
    month = fields.String(required=True, validate=MONTH, metadata={"example": "2024-03"})
    rule = code_field(required=True)
    target = fields.Float(load_default=0.9, allow_nan=False,
                          validate=validate.Range(0, 1),
                          metadata={"description": "the rate to meet (default 0.9)"})


class RuleColumnOut(Schema):
    code = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)
    total = fields.Integer(required=True)


class MemberLineOut(Schema):
    rank = fields.Integer(required=True)
    member = fields.String(required=True)
    name = fields.String(required=True)
    unit = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    by_rule = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    total = fields.Integer(required=True)
    contributions = fields.Integer(required=True)
    minutes_given = fields.Integer(required=True, metadata={
        "description": "exchange (互助): minutes this member served neighbours"})
    minutes_received = fields.Integer(required=True, metadata={
        "description": "exchange: minutes neighbours served this member"})


class ExchangeFiguresOut(Schema):
    given = fields.Integer(required=True)
    received = fields.Integer(required=True)
    services = fields.Integer(required=True, metadata={
        "description": "requests served; a group job counts once per volunteer"})
    helpers = fields.Integer(required=True, metadata={
        "description": "members of the scope who gave time in the period"})
    members = fields.Integer(required=True)
    rate = fields.Float(required=True, metadata={"description": "helpers / members"})


class UnitTotalOut(Schema):
    unit = fields.String(allow_none=True, metadata={"description": "null: no unit"})
    name = fields.String(required=True)
    members = fields.Integer(required=True)
    total = fields.Integer(required=True)


class MonthlyOut(Schema):
    community = fields.String(required=True)
    community_name = fields.String(required=True)
    period = fields.String(required=True)
    kind = fields.String(required=True)
    first = fields.String(required=True)
    last = fields.String(required=True)
    unit = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    ledger_unit = fields.String(required=True)
    rules = fields.List(fields.Nested(RuleColumnOut), required=True)
    lines = fields.List(fields.Nested(MemberLineOut), required=True)
    units = fields.List(fields.Nested(UnitTotalOut), required=True)
    total = fields.Integer(required=True)
    exchange = fields.Nested(ExchangeFiguresOut, required=True)


class LeaderLineOut(Schema):
    rank = fields.Integer(required=True)
    member = fields.String(allow_none=True, metadata={"description": "null when masked"})
    name = fields.String(required=True)
    unit = fields.String(allow_none=True)
    unit_name = fields.String(allow_none=True)
    total = fields.Integer(required=True)


class LeaderboardOut(Schema):
    community = fields.String(required=True)
    period = fields.String(required=True)
    kind = fields.String(required=True)
    unit = fields.String(allow_none=True)
    ledger_unit = fields.String(required=True)
    masked = fields.Boolean(required=True)
    lines = fields.List(fields.Nested(LeaderLineOut), required=True)


class UnitParticipationOut(Schema):
    unit = fields.String(allow_none=True)
    name = fields.String(required=True)
    eligible = fields.Integer(required=True)
    participated = fields.Integer(required=True)
    rate = fields.Float(required=True)


class ParticipationOut(Schema):
    community = fields.String(required=True)
    period = fields.String(required=True)
    rule = fields.String(required=True)
    rule_name_zh = fields.String(required=True)
    rule_name_en = fields.String(required=True)
    unit = fields.String(allow_none=True)
    eligible = fields.Integer(required=True)
    participated = fields.Integer(required=True)
    rate = fields.Float(required=True, metadata={"description": "0 to 1"})
    percent = fields.String(required=True, metadata={"example": "75.0%"})
    target = fields.Float(required=True)
    met = fields.Boolean(required=True)
    units = fields.List(fields.Nested(UnitParticipationOut), required=True)
