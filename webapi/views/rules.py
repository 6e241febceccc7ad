"""The community's rulebook (积分规则): read, and changed a version at a time."""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, community, identity
from webapi.schemas.rules import CODE_PATTERN, RuleIn, RuleList, RuleOut
from webapi.views.base import blueprint

bp = blueprint("rules", "The community's rulebook (积分规则).")


@bp.route("/rules", methods=["GET"])
@allow("admin", "clerk")
@bp.response(200, RuleList)
def list_rules() -> Any:
    """The rules in force today."""
    return {"items": bank().rules.list(community())}


@bp.route("/rules/<code>", methods=["GET"])
@allow("admin", "clerk")
@bp.response(200, RuleOut)
def get_rule(code: str) -> Any:
    """One rule, the version in force today."""
    return bank().rules.get(community(), code)


@bp.route("/rules/<code>", methods=["PUT"])
@allow("admin")
@bp.doc(parameters=[{"in": "path", "name": "code", "required": True,
                     "schema": {"type": "string", "pattern": CODE_PATTERN}}])
@bp.arguments(RuleIn)
@bp.response(200, RuleOut)
def put_rule(body: dict[str, Any], code: str) -> Any:
    """Add or change a rule: a new version in force from `effective_from` (default
    today); contributions already recorded keep their points."""
    effective_from = body.pop("effective_from", None)
    return bank().rules.put(community(), code, body, effective_from=effective_from,
                            actor=identity().actor)
