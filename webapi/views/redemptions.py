"""Redemptions (兑换): points for gifts, handed over at once or held until fulfilled."""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, community, identity
from webapi.schemas.common import ID, IdempotencyHeader, OptionalIdempotencyHeader
from webapi.schemas.redemptions import (
    RedemptionIn,
    RedemptionList,
    RedemptionOut,
    RedemptionQuery,
)
from webapi.views.base import blueprint
from webapi.views.paging import offset_page

bp = blueprint("redemptions", "Redemptions: points for gifts.")


@bp.route("/redemptions", methods=["POST"])
@allow("admin", "clerk", "kiosk")
@bp.arguments(IdempotencyHeader, location="headers")
@bp.arguments(RedemptionIn)
@bp.response(201, RedemptionOut)
def redeem(headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Redeem gifts for a member (by code or card): fulfilled at once, or held."""
    return bank().redemptions.redeem(community(), body.pop("member", None), body.pop("items"),
                                     key=headers["key"], actor=identity().actor, **body)


@bp.route(f"/redemptions/<{ID}:redemption_id>/fulfil", methods=["POST"])
@allow("admin", "clerk", "kiosk")
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.response(200, RedemptionOut)
def fulfil(headers: dict[str, str], redemption_id: int) -> Any:
    """Hand over a held redemption (once)."""
    return bank().redemptions.fulfil(community(), redemption_id, key=headers.get("key"),
                                     actor=identity().actor)


@bp.route(f"/redemptions/<{ID}:redemption_id>/cancel", methods=["POST"])
@allow("admin", "clerk", "kiosk")
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.response(200, RedemptionOut)
def cancel(headers: dict[str, str], redemption_id: int) -> Any:
    """Cancel a held redemption (once): points and stock go back."""
    return bank().redemptions.cancel(community(), redemption_id, key=headers.get("key"),
                                     actor=identity().actor)


@bp.route(f"/redemptions/<{ID}:redemption_id>", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@bp.response(200, RedemptionOut)
def get_redemption(redemption_id: int) -> Any:
    """One redemption."""
    return bank().redemptions.get(community(), redemption_id)


@bp.route("/redemptions", methods=["GET"])
@allow("admin", "clerk")
@bp.arguments(RedemptionQuery, location="query")
@bp.response(200, RedemptionList)
def list_redemptions(query: dict[str, Any]) -> Any:
    """Redemptions newest first; pass `next` as `offset` for the next page."""
    return offset_page(bank().redemptions.find(community(), **query), query["limit"],
                       query["offset"])
