"""Tiers: the community's levels and where a member stands."""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, community
from webapi.schemas.tiers import TierList, TierStatusOut
from webapi.views.base import blueprint

bp = blueprint("tiers", "Tiers: the levels and a member's standing.")


@bp.route("/members/<code>/tier", methods=["GET"])
@allow("admin", "clerk", "kiosk", "member", own="code")
@bp.response(200, TierStatusOut)
def tier(code: str) -> Any:
    """The member's tier today, the next one and the points still needed."""
    return bank().tiers.status(community(), code) or {"member": code, "tier": None}


@bp.route("/tiers", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@bp.response(200, TierList)
def tiers() -> Any:
    """The community's tiers, lowest first (empty without a tier policy)."""
    return {"items": bank().tiers.levels(community())}
