"""The rulebook: one rule version in, as the rulebook TOML has it, and out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, fields, pre_dump, validate

from timebank.domain.rulebook import to_dict
from timebank.domain.rules import BASES, ROUNDINGS, WEEKDAYS
from timebank.domain.rules import PERIODS as RULE_PERIODS
from webapi.schemas.common import UNITS, Day, text
from webapi.spec_limits import NONBLANK_TEXT

CODE_PATTERN = "^[a-z0-9][a-z0-9_.-]{0,63}$"  # as ``timebank.domain.rulebook`` checks it


def _number(*, positive: bool = False, nullable: bool = False, required: bool = False,
            **kwargs: Any) -> fields.Raw:
    """A number as the rulebook reads it (whole or decimal; ``positive``: above 0)."""
    limit = {"exclusiveMinimum": True} if positive else {}
    return fields.Raw(allow_none=nullable, required=required, metadata={
        "type": "number", "minimum": 0, **limit, **({"nullable": True} if nullable else {}),
        **kwargs})


def _names() -> fields.List:
    return fields.List(fields.String(metadata={"pattern": NONBLANK_TEXT}))


class RuleIn(Schema):
    """A rule definition as the rulebook TOML has it; the library validates it whole
    (``timebank.domain.rulebook.rule``). Its fields are named here with the limits each
    has on its own; the rules between fields are in ``docs/api.md``."""

    class Meta:
        unknown = RAISE

    code = fields.String(metadata={"pattern": CODE_PATTERN,
                                   "description": "if given, the path's code"})
    name_zh = text(200, 1, metadata={"pattern": NONBLANK_TEXT})
    name_en = text(200, 1, metadata={"pattern": NONBLANK_TEXT})
    unit = fields.String(validate=UNITS)
    basis = fields.String(required=True, validate=validate.OneOf(BASES))
    rate = _number(required=True, description="points per hour/item/occurrence")
    rounding = fields.String(validate=validate.OneOf(ROUNDINGS))
    round_to = _number(positive=True, nullable=True)
    min_quantity = _number(nullable=True)
    max_quantity = _number(positive=True, nullable=True)
    usual_max = _number(positive=True, nullable=True)
    min_attendance = _number(nullable=True, maximum=1, exclusiveMinimum=True,
                             description="a share, e.g. 0.6 (per_hour rules only)")
    late_rate = _number(nullable=True)
    caps = fields.Dict(metadata={
        "type": "object", "additionalProperties": False,
        "properties": {p: {"type": "integer", "minimum": 1, "maximum": 10**12}
                       for p in RULE_PERIODS}})
    multipliers = fields.List(fields.Dict(metadata={
        "type": "object", "required": ["factor"], "additionalProperties": False,
        "properties": {
            "factor": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
            "weekdays": {"type": "array", "items": {"oneOf": [
                {"type": "integer", "minimum": 1, "maximum": 7},
                {"type": "string", "enum": list(WEEKDAYS)}]}},
            "dates": {"type": "array", "items": {
                "type": "array", "minItems": 2, "maxItems": 2,
                "items": {"type": "string", "format": "date"}}},
            "tags": {"type": "array", "items": {"type": "string", "pattern": NONBLANK_TEXT}},
            "roles": {"type": "array", "items": {"type": "string", "pattern": NONBLANK_TEXT}}}}))
    eligible_roles = _names()
    ineligible_tags = _names()
    approval = fields.Boolean()
    service = fields.Boolean(metadata={"description": "counts as volunteer service "
                                                      "(per_hour rules only)"})
    requires_dues = fields.Boolean()
    period = fields.String(validate=validate.OneOf(RULE_PERIODS[1:]))
    due_day = fields.Raw(allow_none=True, metadata={
        "type": "integer", "minimum": 1, "maximum": 28, "nullable": True})
    streak = fields.Dict(allow_none=True, metadata={
        "type": "object", "nullable": True, "required": ["every", "bonus"],
        "additionalProperties": False,
        "properties": {"every": {"type": "integer", "minimum": 1, "maximum": 10_000},
                       "bonus": {"type": "integer", "minimum": 1, "maximum": 10**9}}})
    effective_from = Day(metadata={"description": "a local day; default today"})


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
    service = fields.Boolean(metadata={"description": "counts as volunteer service "
                                                      "(hours on certificates)"})

    @pre_dump
    def _as_data(self, rule: Any, **kwargs: Any) -> Mapping[str, Any]:
        """The library's ``Rule`` holds decimals and tuples; its JSON form is ``to_dict``'s."""
        return rule if isinstance(rule, Mapping) else to_dict(rule)


class RuleList(Schema):
    items = fields.List(fields.Nested(RuleOut), required=True)
