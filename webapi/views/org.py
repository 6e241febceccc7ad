"""Communities, org units and members: the organisation the books are kept for."""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, community, identity, platform_only
from webapi.schemas.org import (
    CommunityIn,
    CommunityOut,
    MemberIn,
    MemberList,
    MemberOut,
    MemberPatch,
    MemberQuery,
    UnitIn,
    UnitList,
    UnitOut,
    UnitQuery,
)
from webapi.views.base import blueprint
from webapi.views.paging import page

communities_bp = blueprint("communities", "Communities (社区).")
units_bp = blueprint("units", "Org units: grids, buildings, households, teams.")
members_bp = blueprint("members", "Members (居民, 志愿者, 党员).")


@communities_bp.route("/communities", methods=["POST"])
@platform_only
@communities_bp.arguments(CommunityIn)
@communities_bp.response(201, CommunityOut)
def create_community(body: dict[str, Any]) -> Any:
    """Create a community with its system accounts (and a shipped rulebook)."""
    return bank().communities.create(**body)


@communities_bp.route("/communities/<code>", methods=["GET"])
@allow("admin", "clerk", "kiosk", scope="code")
@communities_bp.response(200, CommunityOut)
def get_community(code: str) -> Any:
    """One community."""
    return bank().communities.get(code)


@units_bp.route("/units", methods=["POST"])
@allow("admin")
@units_bp.arguments(UnitIn)
@units_bp.response(201, UnitOut)
def create_unit(body: dict[str, Any]) -> Any:
    """Add a grid, building, household or team."""
    return bank().units.create(community(), **body)


@units_bp.route("/units", methods=["GET"])
@allow("admin", "clerk")
@units_bp.arguments(UnitQuery, location="query")
@units_bp.response(200, UnitList)
def list_units(query: dict[str, Any]) -> Any:
    """Units in path order, optionally of one kind or below one unit."""
    return {"items": bank().units.list(community(), **query)}


@members_bp.route("/members", methods=["POST"])
@allow("admin")
@members_bp.arguments(MemberIn)
@members_bp.response(201, MemberOut)
def create_member(body: dict[str, Any]) -> Any:
    """Add a member."""
    return bank().members.add(community(), **body)


@members_bp.route("/members", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@members_bp.arguments(MemberQuery, location="query")
@members_bp.response(200, MemberList)
def list_members(query: dict[str, Any]) -> Any:
    """Members by code, a page at a time; with `card` or `phone`, the one member found
    (404 if none). A kiosk key may only look members up by card or phone."""
    if "card" in query or "phone" in query or identity().role == "kiosk":
        found = bank().members.lookup(community(), card=query.get("card"),
                                      phone=query.get("phone"))
        return {"items": [found], "next": None}
    limit = query.pop("limit")
    return page(bank().members.list(community(), limit=limit, **query), limit, "code")


@members_bp.route("/members/<code>", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@members_bp.response(200, MemberOut)
def get_member(code: str) -> Any:
    """One member."""
    return bank().members.get(community(), code)


@members_bp.route("/members/<code>", methods=["PATCH"])
@allow("admin")
@members_bp.arguments(MemberPatch)
@members_bp.response(200, MemberOut)
def update_member(body: dict[str, Any], code: str) -> Any:
    """Change the fields given; null clears phone, card or unit."""
    return bank().members.update(community(), code, **body)
