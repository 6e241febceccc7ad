"""Service days (服务日): where gifts are handed out, opened and closed by the office."""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, community, identity
from webapi.schemas.service_days import ServiceDayIn, ServiceDayOut, SummaryOut
from webapi.views.base import blueprint

bp = blueprint("service-days", "Service days (服务日): where gifts are handed out.")


@bp.route("/service-days", methods=["POST"])
@allow("admin", "clerk")
@bp.arguments(ServiceDayIn)
@bp.response(201, ServiceDayOut)
def open_day(body: dict[str, Any]) -> Any:
    """Open a service day; redemptions may name it until it is closed."""
    return bank().service_days.open(community(), body.pop("code"), **body)


@bp.route("/service-days/<code>/close", methods=["POST"])
@allow("admin", "clerk")
@bp.response(200, SummaryOut)
def close_day(code: str) -> Any:
    """Close the day: its holds left are released and the closing stock is counted."""
    return bank().service_days.close(community(), code, actor=identity().actor)


@bp.route("/service-days/<code>/summary", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@bp.response(200, SummaryOut)
def summary(code: str) -> Any:
    """What the day handed out, the points spent, and stock counted against the books."""
    return bank().service_days.summary(community(), code)
