"""What the desk and a member's own page ask besides the resources: who the key is, the
service days to pick from, and the gifts a member may take now (with why not)."""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, community, identity
from webapi.schemas.desk import DayList, DayQuery, OfferList, WhoAmIOut
from webapi.views.base import blueprint

bp = blueprint("desk", "The service-day desk and a member's own page.")


@bp.route("/whoami", methods=["GET"])
@bp.response(200, WhoAmIOut)
def whoami() -> Any:
    """The key's role, community and (for a member key) member and name, with the
    community's rule names. Any key: the pages ask it right after signing in.

    Roles: admin, clerk, kiosk, member."""
    who = identity()
    code = community()
    name = bank().members.get(code, who.member).name if who.member else None
    place = bank().communities.get(code)
    return {"role": who.role, "community": code, "community_name": place.name,
            "timezone": place.timezone, "member": who.member, "name": name,
            "rules": bank().rules.list(code)}


@bp.route("/service-days", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@bp.arguments(DayQuery, location="query")
@bp.response(200, DayList)
def list_days(query: dict[str, Any]) -> Any:
    """The community's service days, newest first (the desk picks one)."""
    return {"items": bank().desk.days(community(), query.get("status"))}


@bp.route("/members/<code>/gifts", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@bp.response(200, OfferList)
def member_gifts(code: str) -> Any:
    """The gifts offered today as this member sees them: their price, the stock left,
    how many more the member may take, the tier gate, and why not when they may not."""
    return {"member": code, "items": bank().desk.offers(community(), code)}
