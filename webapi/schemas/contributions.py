"""Contributions: recorded (one or a batch), approved or rejected, listed."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from webapi.schemas.common import NAME_PATTERN, Day, Moment, UtcDateTime, code_field, text

STATUSES = ["pending", "approved", "rejected", "reversed"]
TAGS = fields.List(fields.String(validate=validate.Length(1, 32),
                                 metadata={"pattern": NAME_PATTERN}),
                   validate=validate.Length(max=20))


def _quantity() -> fields.Float:
    return fields.Float(allow_nan=False, validate=validate.Range(0, 10**7), metadata={
        "description": "hours for hourly rules (or give started_at and ended_at), "
                       "else items or occurrences (default 1)"})


class ContributionIn(Schema):
    member = code_field(required=True)
    rule = code_field(required=True)
    quantity = _quantity()
    occurred_on = Day()
    started_at = Moment()
    ended_at = Moment()
    scheduled_minutes = fields.Integer(strict=True, validate=validate.Range(1, 10**6))
    tags = TAGS
    note = text(500)
    period = fields.String(validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"),
                           metadata={"description": "YYYY-MM, for per-period rules (dues): "
                                     "the month paid for, which its caps count (default: "
                                     "the month it is paid in)"})


class BatchIn(Schema):
    rule = code_field(required=True)
    members = fields.List(code_field(), required=True, validate=validate.Length(1, 5000),
                          metadata={"uniqueItems": True})
    quantity = _quantity()
    occurred_on = Day()
    started_at = Moment()
    ended_at = Moment()
    scheduled_minutes = fields.Integer(strict=True, validate=validate.Range(1, 10**6))
    tags = TAGS
    note = text(500)
    period = fields.String(validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"),
                           metadata={"description": "YYYY-MM, for per-period rules (dues): "
                                     "the month paid for"})


class ContributionOut(Schema):
    id = fields.Integer(required=True)
    member = fields.String(required=True)
    rule = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})
    points = fields.Integer(required=True)
    unit = fields.String(required=True)
    capped = fields.Boolean(required=True)
    clipped = fields.Boolean(metadata={
        "description": "The quantity was cut to the rule's max_quantity (in the answer to "
                       "recording it)."})
    storage_capped = fields.Boolean(metadata={
        "description": "The award was cut to the community's storage cap (`capped` is "
                       "true too): the member may hold no more."})
    entry_id = fields.Integer(allow_none=True)
    flags = fields.List(fields.String())


class BatchOut(Schema):
    contributions = fields.List(fields.Nested(ContributionOut), required=True)


class FlagOut(Schema):
    kind = fields.String()
    detail = fields.String()


class ContributionFull(ContributionOut):
    quantity = fields.Integer()
    credited = fields.Integer()
    raw_points = fields.Integer()
    bonus = fields.Integer()
    occurred_on = Day()
    started_at = UtcDateTime()
    ended_at = UtcDateTime(allow_none=True)
    period = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    note = fields.String()
    notes = fields.List(fields.String())
    recorded_by = fields.String()
    recorded_at = UtcDateTime()
    decided_by = fields.String(allow_none=True)
    decided_at = UtcDateTime(allow_none=True)
    reason = fields.String(allow_none=True)
    reversal_id = fields.Integer(allow_none=True)
    flags = fields.List(fields.Nested(FlagOut))  # type: ignore[assignment]


class ContributionQuery(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    member = code_field()
    rule = code_field()
    from_ = Day(data_key="from")
    to = Day()
    flagged = fields.Boolean()
    import_ = fields.Integer(data_key="import", validate=validate.Range(1, 2**62),
                             metadata={"description": "an import's id"})
    after = fields.Integer(validate=validate.Range(0, 2**62),
                           metadata={"description": "the `next` of the previous page"})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


class ContributionList(Schema):
    items = fields.List(fields.Nested(ContributionFull), required=True)
    next = fields.Integer(allow_none=True)
