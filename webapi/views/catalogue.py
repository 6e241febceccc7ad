"""The gift catalogue, service days and redemptions (兑换)."""

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
    RedemptionIn,
    RedemptionList,
    RedemptionOut,
    RedemptionQuery,
    RestockIn,
    ServiceDayIn,
    ServiceDayOut,
    StockChangeOut,
    SummaryOut,
)
from webapi.schemas.common import ID, IdempotencyHeader, OptionalIdempotencyHeader
from webapi.views.base import blueprint

gifts_bp = blueprint("gifts", "The gift catalogue (积分超市) and its stock.")
days_bp = blueprint("service-days", "Service days (服务日): where gifts are handed out.")
redemptions_bp = blueprint("redemptions", "Redemptions: points for gifts.")


@gifts_bp.route("/gifts", methods=["POST"])
@allow("admin")
@gifts_bp.arguments(GiftIn)
@gifts_bp.response(201, GiftOut)
def create_gift(body: dict[str, Any]) -> Any:
    """Add a gift; an opening stock is recorded as a stock movement."""
    return bank().gifts.create(community(), body.pop("code"), actor=identity().actor, **body)


@gifts_bp.route("/gifts", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@gifts_bp.arguments(GiftQuery, location="query")
@gifts_bp.response(200, GiftList)
def list_gifts(query: dict[str, Any]) -> Any:
    """The catalogue by code."""
    return {"items": bank().gifts.catalogue(community(), **query)}


@gifts_bp.route("/gifts/<code>", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@gifts_bp.response(200, GiftOut)
def get_gift(code: str) -> Any:
    """One gift."""
    return bank().gifts.get(community(), code)


@gifts_bp.route("/gifts/<code>", methods=["PATCH"])
@allow("admin")
@gifts_bp.arguments(GiftPatch)
@gifts_bp.response(200, GiftOut)
def update_gift(body: dict[str, Any], code: str) -> Any:
    """Change the fields given; stock moves only by restock."""
    return bank().gifts.update(community(), code, body, actor=identity().actor)


@gifts_bp.route("/gifts/<code>/restock", methods=["POST"])
@allow("admin")
@gifts_bp.arguments(OptionalIdempotencyHeader, location="headers")
@gifts_bp.arguments(RestockIn)
@gifts_bp.response(201, StockChangeOut)
def restock(headers: dict[str, str], body: dict[str, Any], code: str) -> Any:
    """Add items to the stock, with the reason."""
    return bank().gifts.restock(community(), code, body["quantity"], reason=body["reason"],
                                actor=identity().actor, key=headers["key"])


@days_bp.route("/service-days", methods=["POST"])
@allow("admin", "clerk")
@days_bp.arguments(ServiceDayIn)
@days_bp.response(201, ServiceDayOut)
def open_day(body: dict[str, Any]) -> Any:
    """Open a service day; redemptions may name it until it is closed."""
    return bank().service_days.open(community(), body.pop("code"), **body)


@days_bp.route("/service-days/<code>/close", methods=["POST"])
@allow("admin", "clerk")
@days_bp.response(200, SummaryOut)
def close_day(code: str) -> Any:
    """Close the day: its holds left are released and the closing stock is counted."""
    return bank().service_days.close(community(), code, actor=identity().actor)


@days_bp.route("/service-days/<code>/summary", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@days_bp.response(200, SummaryOut)
def summary(code: str) -> Any:
    """What the day handed out, the points spent, and stock counted against the books."""
    return bank().service_days.summary(community(), code)


@redemptions_bp.route("/redemptions", methods=["POST"])
@allow("admin", "clerk", "kiosk")
@redemptions_bp.arguments(IdempotencyHeader, location="headers")
@redemptions_bp.arguments(RedemptionIn)
@redemptions_bp.response(201, RedemptionOut)
def redeem(headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Redeem gifts for a member (by code or card): fulfilled at once, or held."""
    return bank().redemptions.redeem(community(), body.pop("member", None), body.pop("items"),
                                     key=headers["key"], actor=identity().actor, **body)


@redemptions_bp.route(f"/redemptions/<{ID}:redemption_id>/fulfil", methods=["POST"])
@allow("admin", "clerk", "kiosk")
@redemptions_bp.arguments(OptionalIdempotencyHeader, location="headers")
@redemptions_bp.response(200, RedemptionOut)
def fulfil(headers: dict[str, str], redemption_id: int) -> Any:
    """Hand over a held redemption (once)."""
    return bank().redemptions.fulfil(community(), redemption_id, key=headers["key"],
                                     actor=identity().actor)


@redemptions_bp.route(f"/redemptions/<{ID}:redemption_id>/cancel", methods=["POST"])
@allow("admin", "clerk", "kiosk")
@redemptions_bp.arguments(OptionalIdempotencyHeader, location="headers")
@redemptions_bp.response(200, RedemptionOut)
def cancel(headers: dict[str, str], redemption_id: int) -> Any:
    """Cancel a held redemption (once): points and stock go back."""
    return bank().redemptions.cancel(community(), redemption_id, key=headers["key"],
                                     actor=identity().actor)


@redemptions_bp.route(f"/redemptions/<{ID}:redemption_id>", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@redemptions_bp.response(200, RedemptionOut)
def get_redemption(redemption_id: int) -> Any:
    """One redemption."""
    return bank().redemptions.get(community(), redemption_id)


@redemptions_bp.route("/redemptions", methods=["GET"])
@allow("admin", "clerk")
@redemptions_bp.arguments(RedemptionQuery, location="query")
@redemptions_bp.response(200, RedemptionList)
def list_redemptions(query: dict[str, Any]) -> Any:
    """Redemptions newest first; pass `next` as `offset` for the next page."""
    found = bank().redemptions.find(community(), **query)
    full = len(found) >= query["limit"]
    return {"items": found, "next": query["offset"] + len(found) if full else None}
