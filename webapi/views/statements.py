"""A member's statement: every line on their accounts."""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, community
from webapi.schemas.statements import StatementOut, StatementQuery
from webapi.views.base import blueprint

bp = blueprint("statements", "A member's statement.")


@bp.route("/members/<code>/statement", methods=["GET"])
@allow("admin", "clerk", "member", own="code")
@bp.arguments(StatementQuery, location="query")
@bp.response(200, StatementOut)
def statement(query: dict[str, Any], code: str) -> Any:
    """Every line on the member's accounts, naming the rule, contribution and approver."""
    return bank().statements.statement(community(), code, **query)
