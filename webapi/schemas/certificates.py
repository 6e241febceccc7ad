"""Service certificates, honour hours and chain anchors, in and out."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from timebank.i18n import N_
from webapi.schemas.common import Day, UtcDateTime, code_field, text


class CertificateIn(Schema):
    member = code_field(required=True)
    from_ = Day(required=True, data_key="from",
                        metadata={"description": "first local day of the period"})
    to = Day(required=True, metadata={"description": "last local day (not future)"})
    purpose = text(500, load_default="")

    @validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "from_" in data and "to" in data and data["to"] < data["from_"]:
            raise ValidationError(N_("the period ends before it starts"), "to")


class CertificateQuery(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "html"]))
    lang = fields.String(load_default="zh", validate=validate.OneOf(["zh", "en"]))


class IssuerOut(Schema):
    name = fields.String(required=True)
    person_in_charge = fields.String(required=True)
    handler = fields.String(required=True)
    contact = fields.String(required=True)


class ActivityOut(Schema):
    date = Day(required=True, attribute="day")
    rule = fields.String(required=True)
    rule_name = fields.String(required=True, metadata={"description": "or the honour's "
                                                       "reason"})
    minutes = fields.Integer(required=True)
    recorded_by = fields.String(required=True)
    approved_by = fields.String(allow_none=True)


class CertificateOut(Schema):
    number = fields.String(required=True)
    member = fields.String(required=True)
    name = fields.String(required=True)
    period = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                         metadata={"description": "{from, to}: local days"})
    purpose = fields.String()
    service_minutes = fields.Integer(required=True)
    honour_minutes = fields.Integer(required=True)
    activities = fields.List(fields.Nested(ActivityOut), required=True)
    honours = fields.List(fields.Nested(ActivityOut), required=True)
    issuer = fields.Nested(IssuerOut, required=True)
    issued_on = Day(required=True)
    digest = fields.String(required=True, metadata={
        "description": "SHA-256 over the counted contributions and honours"})
    status = fields.String(required=True, metadata={"description": "valid or revoked"})
    revoked_reason = fields.String(allow_none=True)
    verify_url = fields.String(required=True, metadata={
        "description": "the public check (no key), also drawn as a QR code on the page"})


class PublicCertificateOut(Schema):
    status = fields.String(required=True, metadata={"description": "valid, revoked or "
                                                    "changed"})
    name_masked = fields.String(required=True)
    service_minutes = fields.Integer(required=True)
    honour_minutes = fields.Integer(required=True)
    period = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    issuer = fields.Nested(IssuerOut, required=True)
    issued_on = Day(required=True)


class HonourIn(Schema):
    activity_date = Day(required=True)
    rule = code_field(required=True)
    members = fields.List(code_field(), required=True, validate=validate.Length(1, 1000),
                          metadata={"uniqueItems": True})
    minutes = fields.Integer(strict=True, required=True, validate=validate.Range(1, 1440))
    reason = text(500, minimum=1, required=True)


class HonourOut(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
    activity_date = Day(required=True)
    rule = fields.String(required=True)
    members = fields.List(fields.String(), required=True)
    minutes = fields.Integer(required=True)
    reason = fields.String(required=True)
    proposed_by = fields.String(required=True)
    approved_by = fields.String(allow_none=True)


class HonourQuery(Schema):
    status = fields.String(validate=validate.OneOf(["pending", "approved"]))
    member = code_field(metadata={"description": "honours naming this participant"})
    rule = code_field()
    from_ = Day(data_key="from", metadata={"description": "first activity day"})
    to = Day(metadata={"description": "last activity day"})
    after = fields.Integer(validate=validate.Range(0, 2**62),
                           metadata={"description": "the `next` of the previous page"})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))

    @validates_schema
    def _ordered(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "from_" in data and "to" in data and data["to"] < data["from_"]:
            raise ValidationError("the period ends before it starts", "to")


class HonourList(Schema):
    items = fields.List(fields.Nested(HonourOut), required=True)
    next = fields.Integer(allow_none=True)


class AnchorOut(Schema):
    community = fields.String(required=True)
    entries = fields.Integer(required=True)
    head = fields.String(required=True)
    at = UtcDateTime(required=True)


class MemberCertificateOut(Schema):
    number = fields.String(required=True)
    status = fields.String(required=True, metadata={
        "description": "what the public check answers: valid, revoked or changed"})
    period = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                         metadata={"description": "{from, to}: local days"})
    purpose = fields.String()
    service_minutes = fields.Integer(required=True)
    honour_minutes = fields.Integer(required=True)
    issued_on = Day(required=True)
    verify_url = fields.String(required=True)


class MemberCertificateList(Schema):
    member = fields.String(required=True)
    items = fields.List(fields.Nested(MemberCertificateOut), required=True,
                        metadata={"description": "newest first"})
