"""Keys over HTTP: a member card's key and QR code."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from webapi.schemas.common import text


class CardQuery(Schema):
    format = fields.String(load_default="svg", validate=validate.OneOf(["svg", "png", "json"]),
                           metadata={"description": "svg or png: the QR code itself; json: "
                                                    "the key id and the link"})
    label = text(200, load_default="card", metadata={
        "description": "stored with the key, to tell a card's key from others"})


class CardOut(Schema):
    key_id = fields.Integer(required=True, metadata={"description": "to revoke a lost card"})
    member = fields.String(required=True)
    link = fields.String(required=True, metadata={
        "description": "the member page with the key in the fragment: a secret, shown once"})
