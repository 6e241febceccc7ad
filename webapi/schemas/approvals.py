"""Approving in bulk and the imports it starts from."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from timebank.i18n import N_
from webapi.schemas.common import Day, UtcDateTime, code_field, text

MAX_IDS = 100_000


class ApproveIn(Schema):
    ids = fields.List(fields.Integer(strict=True, validate=validate.Range(1, 2**63 - 1)),
                      metadata={"description": f"at most {MAX_IDS} contribution ids"})
    import_id = fields.Integer(data_key="import", validate=validate.Range(1, 2**63 - 1),
                               metadata={"description": "an import's id (GET /imports/{id})"})
    rule = code_field()
    unit = code_field(metadata={"description": "an org unit: its members' contributions"})
    from_ = Day(data_key="from", metadata={"description": "first local day"})
    to = Day(metadata={"description": "last local day"})
    recorded_by = text(200, 1)
    include_flagged = fields.Boolean(load_default=False)

    @validates_schema
    def _limits(self, data: dict[str, Any], **_: Any) -> None:
        ids = data.get("ids")
        if ids is not None and len(ids) > MAX_IDS:
            raise ValidationError(f"at most {MAX_IDS} ids in one approval (the limit), "
                                  f"got {len(ids)}", field_name="ids")
        filters = ("import_id", "rule", "unit", "from_", "to", "recorded_by")
        if ids is not None and any(k in data for k in filters):
            raise ValidationError(N_("give ids or a filter, not both"), field_name="ids")
        if ids is None and not any(k in data for k in filters):
            raise ValidationError(N_("give ids or at least one filter field: import, rule, "
                                     "unit, from, to, recorded_by"), field_name="ids")


class SkippedOut(Schema):
    id = fields.Integer(required=True)
    reason = fields.String(required=True, metadata={
        "enum": ["self_approval", "flagged", "not_pending", "unknown"]})
    detail = fields.String()


class ApproveOut(Schema):
    approved = fields.Integer(required=True)
    points = fields.Integer()
    approver = fields.String()
    skipped = fields.List(fields.Nested(SkippedOut), required=True)
    capped = fields.List(fields.Integer(), metadata={
        "description": "Approved contributions whose awards the community's storage cap "
                       "cut (they credit what fits and are marked capped)."})


class ImportOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": ["members", "contributions"]})
    file = fields.String()
    actor = fields.String()
    started_at = UtcDateTime()
    finished_at = UtcDateTime(allow_none=True)
    committed = fields.Boolean()
    rows = fields.Integer(required=True)
    added = fields.Integer(required=True)
    unchanged = fields.Integer()
    rejected = fields.Integer(metadata={"description": "bad rows, skipped (see problems)"})
    pending = fields.Integer(required=True, metadata={
        "description": "pending approval as the import ended"})
    still_pending = fields.Integer(metadata={"description": "pending approval now"})
    flagged = fields.Integer(required=True)
    problems = fields.List(fields.Dict(), metadata={
        "description": "the first skipped rows: {row, column, message}"})
