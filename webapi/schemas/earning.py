"""Rules, contributions, statements and tiers: how points are earned and shown."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from webapi.schemas.common import UNITS, UtcDateTime, code_field, text

STATUSES = ["pending", "approved", "rejected", "reversed"]
TAGS = fields.List(fields.String(validate=validate.Length(1, 32)),
                   validate=validate.Length(max=20))


def _quantity() -> fields.Float:
    return fields.Float(allow_nan=False, validate=validate.Range(0, 10**7), metadata={
        "description": "hours for hourly rules (or give started_at and ended_at), "
                       "else items or occurrences (default 1)"})


class RuleIn(Schema):
    """A rule definition as the rulebook TOML has it; the library validates it whole."""

    class Meta:
        unknown = INCLUDE

    name_zh = text(200)
    name_en = text(200)
    unit = fields.String(validate=UNITS)
    basis = text(32)
    rate = fields.Raw(metadata={"description": "points per hour/item/occurrence"})
    approval = fields.Boolean()
    effective_from = fields.Date(metadata={"description": "a local day; default today"})


class RuleOut(Schema):
    """A rule version as ``timebank.domain.rulebook.to_dict`` writes it."""

    code = fields.String(required=True)
    name_zh = fields.String()
    name_en = fields.String()
    unit = fields.String()
    basis = fields.String()
    rate = fields.Raw()
    rounding = fields.String()
    approval = fields.Boolean()
    eligible_roles = fields.List(fields.String())
    ineligible_tags = fields.List(fields.String())
    period = fields.String()
    late_rate = fields.Raw()
    caps = fields.Dict()
    multipliers = fields.List(fields.Dict())
    round_to = fields.Raw()
    min_quantity = fields.Raw()
    max_quantity = fields.Raw()
    min_attendance = fields.Raw()
    usual_max = fields.Raw()
    effective_from = fields.String()
    due_day = fields.Integer()
    streak = fields.Dict()


class RuleList(Schema):
    items = fields.List(fields.Nested(RuleOut), required=True)


class ContributionIn(Schema):
    member = code_field(required=True)
    rule = code_field(required=True)
    quantity = _quantity()
    occurred_on = fields.Date()
    started_at = fields.AwareDateTime(default_timezone=None)
    ended_at = fields.AwareDateTime(default_timezone=None)
    scheduled_minutes = fields.Integer(strict=True, validate=validate.Range(1, 10**6))
    tags = TAGS
    note = text(500)
    period = fields.String(validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"),
                           metadata={"description": "YYYY-MM, for per-period rules (dues)"})


class BatchIn(Schema):
    rule = code_field(required=True)
    members = fields.List(code_field(), required=True, validate=validate.Length(1, 5000))
    quantity = _quantity()
    occurred_on = fields.Date()
    started_at = fields.AwareDateTime(default_timezone=None)
    ended_at = fields.AwareDateTime(default_timezone=None)
    scheduled_minutes = fields.Integer(strict=True, validate=validate.Range(1, 10**6))
    tags = TAGS
    note = text(500)


class ContributionOut(Schema):
    id = fields.Integer(required=True)
    member = fields.String(required=True)
    rule = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": STATUSES})
    points = fields.Integer(required=True)
    unit = fields.String(required=True)
    capped = fields.Boolean(required=True)
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
    occurred_on = fields.Date()
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
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    flagged = fields.Boolean()
    after = fields.Integer(validate=validate.Range(0, 2**62),
                           metadata={"description": "the `next` of the previous page"})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


class ContributionList(Schema):
    items = fields.List(fields.Nested(ContributionFull), required=True)
    next = fields.Integer(allow_none=True)


class StatementQuery(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    unit = fields.String(validate=UNITS)


class StatementLineOut(Schema):
    entry_id = fields.Integer(required=True)
    at = UtcDateTime(required=True)
    occurred_at = UtcDateTime()
    kind = fields.String(required=True)
    amount = fields.Integer(required=True)
    unit = fields.String(required=True)
    balance_after = fields.Integer(required=True)
    reason = fields.String(required=True)
    rule = fields.String(allow_none=True)
    contribution = fields.Integer(allow_none=True)
    approver = fields.String(allow_none=True)
    reverses = fields.Integer(allow_none=True)


class StatementOut(Schema):
    member = fields.String(required=True)
    from_ = fields.Date(data_key="from", allow_none=True)
    to = fields.Date(allow_none=True)
    lines = fields.List(fields.Nested(StatementLineOut), required=True)
    opening = fields.Dict(keys=fields.String(), values=fields.Integer())
    closing = fields.Dict(keys=fields.String(), values=fields.Integer())


class TierOut(Schema):
    code = fields.String(required=True)
    name_zh = fields.String()
    name_en = fields.String()
    threshold = fields.Integer()
    benefits = fields.List(fields.String())


class TierList(Schema):
    items = fields.List(fields.Nested(TierOut), required=True)


class TierStatusOut(Schema):
    member = fields.String(required=True)
    on = fields.Date()
    basis = fields.String()
    unit = fields.String()
    earned = fields.Integer()
    tier = fields.Nested(TierOut, allow_none=True)
    next = fields.Nested(TierOut, allow_none=True)
    needed = fields.Integer()
