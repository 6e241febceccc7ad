"""Org units: grids, buildings, households, teams."""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, community
from webapi.schemas.units import UnitIn, UnitList, UnitOut, UnitQuery
from webapi.views.base import blueprint

bp = blueprint("units", "Org units: grids, buildings, households, teams.")


@bp.route("/units", methods=["POST"])
@allow("admin")
@bp.arguments(UnitIn)
@bp.response(201, UnitOut)
def create_unit(body: dict[str, Any]) -> Any:
    """Add a grid, building, household or team."""
    return bank().units.create(community(), **body)


@bp.route("/units", methods=["GET"])
@allow("admin", "clerk")
@bp.arguments(UnitQuery, location="query")
@bp.response(200, UnitList)
def list_units(query: dict[str, Any]) -> Any:
    """Units in path order, optionally of one kind or below one unit."""
    return {"items": bank().units.list(community(), **query)}
