"""Expiry: what of a member's balances goes soon, unless spent first."""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, community
from webapi.schemas.expiry import ScheduleOut, ScheduleQuery
from webapi.views.base import blueprint

bp = blueprint("expiry", "Points expiring soon.")


@bp.route("/members/<code>/expiring", methods=["GET"])
@allow("admin", "clerk", "member", own="code")
@bp.arguments(ScheduleQuery, location="query")
@bp.response(200, ScheduleOut)
def expiring(query: dict[str, Any], code: str) -> Any:
    """What of the member's balances expires within `within_days` (default 60) under the
    community's expiry policy, oldest lots first, each with its last day of use."""
    return {"member": code, "within_days": query["within_days"],
            "items": bank().expiry.member_schedule(community(), code,
                                                   within_days=query["within_days"])}
