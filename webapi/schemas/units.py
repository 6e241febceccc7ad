"""Org units: grids, buildings, households and teams."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from webapi.schemas.common import code_field, text
from webapi.spec_limits import nonblank

KINDS = ["grid", "building", "household", "team"]


class UnitIn(Schema):
    code = code_field(required=True, metadata={"pattern": nonblank("/"),
                                               "description": "no '/' (it joins a path)"})
    name = text(200, 1, required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    parent = code_field(load_default=None, allow_none=True)


class UnitOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    parent = fields.String(allow_none=True)
    path = fields.String()


class UnitQuery(Schema):
    kind = fields.String(validate=validate.OneOf(KINDS))
    under = code_field()


class UnitList(Schema):
    items = fields.List(fields.Nested(UnitOut), required=True)
