"""The health check's answer."""

from __future__ import annotations

from marshmallow import Schema, fields


class Health(Schema):
    status = fields.String(required=True, metadata={"example": "ok"})
    database = fields.String(required=True, metadata={"example": "sqlite"})
