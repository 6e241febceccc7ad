"""Members (居民, 志愿者, 党员): added, changed, listed and looked up at a desk."""

from __future__ import annotations

from typing import Any

from timebank.domain.masking import mask_name
from webapi.api import bank
from webapi.auth import allow, community, identity
from webapi.schemas.members import MemberIn, MemberList, MemberOut, MemberPatch, MemberQuery
from webapi.views.base import blueprint
from webapi.views.paging import page

bp = blueprint("members", "Members (居民, 志愿者, 党员).")


@bp.route("/members", methods=["POST"])
@allow("admin")
@bp.arguments(MemberIn)
@bp.response(201, MemberOut)
def create_member(body: dict[str, Any]) -> Any:
    """Add a member."""
    return bank().members.add(community(), **body)


@bp.route("/members", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@bp.arguments(MemberQuery, location="query")
@bp.response(200, MemberList)
def list_members(query: dict[str, Any]) -> Any:
    """Members by code, a page at a time; with `card` or `phone`, the one member found
    (404 if none). A kiosk key may only look members up by card or phone, and sees the
    member as `GET /members/{code}` shows it to a kiosk."""
    if "card" in query or "phone" in query or identity().role == "kiosk":
        found = bank().members.lookup(community(), card=query.get("card"),
                                      phone=query.get("phone"))
        return {"items": [shown(found)], "next": None}
    limit = query.pop("limit")
    return page(bank().members.list(community(), limit=limit, **query), limit, "code")


@bp.route("/members/<code>", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@bp.response(200, MemberOut)
def get_member(code: str) -> Any:
    """One member. A kiosk sees only the code, the name masked for display and the card
    (its balance and tier are at `/members/{code}/balance`)."""
    return shown(bank().members.get(community(), code))


@bp.route("/members/<code>", methods=["PATCH"])
@allow("admin")
@bp.arguments(MemberPatch)
@bp.response(200, MemberOut)
def update_member(body: dict[str, Any], code: str) -> Any:
    """Change the fields given; null clears phone, card or unit."""
    return bank().members.update(community(), code, **body)


def shown(member: Any) -> Any:
    """The member as the caller may see it: whole, or for a kiosk (a screen at a desk that
    residents walk up to) the code, the masked name and the card, nothing else."""
    if identity().role != "kiosk":
        return member
    return {"code": member.code, "name": mask_name(member.name), "card": member.card}
