"""Districts (通存通兑): a platform key allies communities and settles their clearing;
a community's admin moves a member home to a partner; admins of the district's
communities read the positions. Cross redemptions go through ``POST /redemptions``."""

from __future__ import annotations

from typing import Any

from timebank.errors import Forbidden
from timebank.i18n import T
from webapi.api import bank
from webapi.auth import allow, community, identity, platform_only
from webapi.schemas.common import IdempotencyHeader
from webapi.schemas.districts import (
    DistrictIn,
    DistrictOut,
    DistrictPositionsOut,
    DistrictSettlementIn,
    DistrictSettlementOut,
    MemberMovedOut,
    MemberMoveIn,
)
from webapi.views.base import blueprint

bp = blueprint("districts", "Districts (通存通兑): deposit anywhere, redeem anywhere.")


@bp.route("/districts", methods=["POST"])
@platform_only
@bp.arguments(DistrictIn)
@bp.response(201, DistrictOut)
def create_district(body: dict[str, Any]) -> Any:
    """Ally two or more communities clearing points, minutes or both."""
    return bank().districts.create(**body)


@bp.route("/districts/<code>/positions", methods=["GET"])
@bp.response(200, DistrictPositionsOut)
def positions(code: str) -> Any:
    """Each community's net position per unit, with each partner and in total (they sum
    to zero per unit).

    Roles: platform admin, or an admin of one of the district's communities."""
    who = identity()
    district = bank().districts.get(code)
    if who.role != "admin" or who.community not in (None, *district.communities):
        raise Forbidden(T("only a platform admin or an admin of the district sees positions"),
                        role=who.role)
    return {"district": code, "positions": bank().districts.positions(code)}


@bp.route("/districts/<code>/settlements", methods=["POST"])
@platform_only
@bp.arguments(DistrictSettlementIn)
@bp.response(201, DistrictSettlementOut)
def settle(body: dict[str, Any], code: str) -> Any:
    """Close the period to ``until``: each clearing balance as of then is settled in its
    community's books; positions start again from zero. The same ``until`` again
    answers the same settlement."""
    return bank().districts.settle(code, body["until"], actor=identity().actor)


@bp.route("/members/<code>/move", methods=["POST"])
@allow("admin")
@bp.arguments(IdempotencyHeader, location="headers")
@bp.arguments(MemberMoveIn)
@bp.response(200, MemberMovedOut)
def move(headers: dict[str, str], body: dict[str, Any], code: str) -> Any:
    """Move a member home to another community of the district, with the balance."""
    return bank().districts.move(community(), code, body["to_community"],
                                 key=headers["key"], actor=identity().actor)
