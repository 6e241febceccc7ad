"""Communities (社区): created by a platform key, read by the community's own keys."""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, platform_only
from webapi.schemas.communities import CommunityIn, CommunityOut
from webapi.views.base import blueprint

bp = blueprint("communities", "Communities (社区).")


@bp.route("/communities", methods=["POST"])
@platform_only
@bp.arguments(CommunityIn)
@bp.response(201, CommunityOut)
def create_community(body: dict[str, Any]) -> Any:
    """Create a community with its system accounts (and a shipped rulebook)."""
    return bank().communities.create(**body)


@bp.route("/communities/<code>", methods=["GET"])
@allow("admin", "clerk", "kiosk", scope="code")
@bp.response(200, CommunityOut)
def get_community(code: str) -> Any:
    """One community."""
    return bank().communities.get(code)
