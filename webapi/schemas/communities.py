"""Communities: what a platform key creates and any key of the community reads."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank.domain.rulebook import shipped
from webapi.schemas.common import code_field, text


class CommunityIn(Schema):
    code = code_field(required=True)
    name = text(200, 1, required=True)
    timezone = text(64, 1, load_default="Asia/Shanghai")
    # Only a shipped name: a path would let a caller read files on the server.
    rulebook = fields.String(validate=validate.OneOf(shipped()),
                             metadata={"description": "A shipped rulebook: "
                                       + ", ".join(shipped())})


class CommunityOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    timezone = fields.String(required=True)
    settings = fields.Dict(required=True)
