"""The rulebook: one rule version in, as the rulebook TOML has it, and out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import INCLUDE, Schema, fields, pre_dump

from timebank.domain.rulebook import to_dict
from webapi.schemas.common import UNITS, Day, text


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
