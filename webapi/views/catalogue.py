"""The gift catalogue (积分超市): gifts, their prices and their stock."""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, community, identity
from webapi.schemas.catalogue import (
    GiftIn,
    GiftList,
    GiftOut,
    GiftPatch,
    GiftQuery,
    RestockIn,
    StockChangeOut,
)
from webapi.schemas.common import OptionalIdempotencyHeader
from webapi.views.base import blueprint

bp = blueprint("gifts", "The gift catalogue (积分超市) and its stock.")


@bp.route("/gifts", methods=["POST"])
@allow("admin")
@bp.arguments(GiftIn)
@bp.response(201, GiftOut)
def create_gift(body: dict[str, Any]) -> Any:
    """Add a gift; an opening stock is recorded as a stock movement."""
    return bank().gifts.create(community(), body.pop("code"), actor=identity().actor, **body)


@bp.route("/gifts", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@bp.arguments(GiftQuery, location="query")
@bp.response(200, GiftList)
def list_gifts(query: dict[str, Any]) -> Any:
    """The catalogue by code."""
    return {"items": bank().gifts.catalogue(community(), **query)}


@bp.route("/gifts/<code>", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@bp.response(200, GiftOut)
def get_gift(code: str) -> Any:
    """One gift."""
    return bank().gifts.get(community(), code)


@bp.route("/gifts/<code>", methods=["PATCH"])
@allow("admin")
@bp.arguments(GiftPatch)
@bp.response(200, GiftOut)
def update_gift(body: dict[str, Any], code: str) -> Any:
    """Change the fields given; stock moves only by restock."""
    return bank().gifts.update(community(), code, body, actor=identity().actor)


@bp.route("/gifts/<code>/restock", methods=["POST"])
@allow("admin")
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.arguments(RestockIn)
@bp.response(201, StockChangeOut)
def restock(headers: dict[str, str], body: dict[str, Any], code: str) -> Any:
    """Add items to the stock, with the reason."""
    return bank().gifts.restock(community(), code, body["quantity"], reason=body["reason"],
                                actor=identity().actor, key=headers.get("key"))
