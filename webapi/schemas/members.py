"""Members: residents, volunteers, party members."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from webapi.schemas.common import NAME_PATTERN, code_field, text


class MemberIn(Schema):
    code = code_field(required=True)
    name = text(200, 1, required=True)
    phone = text(32, 1, allow_none=True)
    card = text(64, 1, allow_none=True)
    roles = fields.List(fields.String(validate=validate.Length(1, 32),
                                      metadata={"pattern": NAME_PATTERN}),
                        validate=validate.Length(max=50),
                        metadata={"description": "resident, volunteer, party_member, ..."})
    tags = fields.List(fields.String(validate=validate.Length(1, 32),
                                     metadata={"pattern": NAME_PATTERN}),
                       validate=validate.Length(max=50),
                       metadata={"description": "e.g. low_income"})
    unit = code_field(allow_none=True, metadata={"description": "the household (or unit) code"})
    teams = fields.List(fields.String(validate=validate.Length(1, 32),
                                      metadata={"pattern": NAME_PATTERN}),
                        validate=validate.Length(max=50), metadata={"description": "team codes"})


class MemberPatch(MemberIn):
    code = code_field(dump_only=True)
    name = text(200, 1)


class MemberOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    phone = fields.String(allow_none=True)
    card = fields.String(allow_none=True)
    roles = fields.List(fields.String(), required=True)
    tags = fields.List(fields.String())
    unit = fields.String(allow_none=True)
    teams = fields.List(fields.String())


class MemberQuery(Schema):
    card = text(64, 1, metadata={"description": "look one member up by card code"})
    phone = text(32, 1, metadata={"description": "look one member up by phone"})
    unit = code_field(metadata={"description": "members living in this unit or below it"})
    role = text(32, 1)
    team = code_field()
    tag = text(32, 1)
    after = code_field(metadata={"description": "the `next` of the previous page"})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


class MemberList(Schema):
    items = fields.List(fields.Nested(MemberOut), required=True)
    next = fields.String(allow_none=True, metadata={
        "description": "pass as `after` for the next page; null on the last page"})
