"""Exchange (互助): requests and offers between members, paid minute for minute.

A member key may post, claim, withdraw, confirm, dispute and cancel for its own member
only: the view passes the key's member as ``as_member`` and the use case, which knows
the request, refuses anything else (403). Members may read the lists, to find requests
to take.
"""

from __future__ import annotations

import functools
from typing import Any

from timebank.domain.access import role_word
from timebank.errors import Forbidden
from timebank.i18n import T
from webapi.api import bank
from webapi.auth import allow, community, identity
from webapi.schemas.common import ID, IdempotencyHeader, OptionalIdempotencyHeader, Reason
from webapi.schemas.exchange import (
    ConfirmIn,
    MemberRequestList,
    RequestCategoryOut,
    RequestIn,
    RequestList,
    RequestOut,
    RequestQuery,
    ServiceOfferIn,
    ServiceOfferList,
    ServiceOfferOut,
    ServiceOfferQuery,
    SettleIn,
    SettlementOut,
    VolunteerIn,
)
from webapi.views.base import blueprint
from webapi.views.paging import offset_page

bp = blueprint("exchange", "Exchange (互助): requests and offers between members.")
STAFF_OR_MEMBER = ("admin", "clerk", "member")


def acts(*roles: str) -> Any:
    """Admit ``roles``; a member key acts for its own member only (checked by the use
    case, which is handed ``as_member``), and reads what volunteers need to see."""
    def decorate(view: Any) -> Any:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            who = identity()
            if who.role not in roles:
                raise Forbidden(T("the {role} role may not do this", role=role_word(who.role)),
                                role=who.role)
            community()
            return view(*args, **kwargs)
        guarded.__doc__ = (view.__doc__ or "").rstrip() + \
            f"\n\nRoles: {', '.join(roles)} (a member key for its own member only)."
        return guarded
    return decorate


def _as() -> dict[str, Any]:
    who = identity()
    return {"as_member": who.member if who.role == "member" else None, "actor": who.actor}


@bp.route("/requests", methods=["POST"])
@acts(*STAFF_OR_MEMBER)
@bp.arguments(IdempotencyHeader, location="headers")
@bp.arguments(RequestIn)
@bp.response(201, RequestOut)
def post_request(headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Post a request (需求发布): its minutes are held on the payer at once."""
    return bank().requests.post(community(), body.pop("member"), body.pop("title"),
                                body.pop("category"), body.pop("minutes"),
                                key=headers["key"], **body, **_as())


@bp.route("/requests", methods=["GET"])
@acts(*STAFF_OR_MEMBER, "kiosk")
@bp.arguments(RequestQuery, location="query")
@bp.response(200, RequestList)
def list_requests(query: dict[str, Any]) -> Any:
    """Requests newest first; `status=open` by the date needed, each with `matches`
    (the nearest listed offers of its category: same building, then same grid)."""
    return offset_page(bank().requests.find(community(), **query), query["limit"],
                       query["offset"])


@bp.route("/requests/categories", methods=["GET"])
@acts(*STAFF_OR_MEMBER, "kiosk")
@bp.response(200, RequestCategoryOut(many=True))
def categories() -> Any:
    """The community's request categories (from its rulebook, else the default list)."""
    return list(bank().requests.categories(community()))


@bp.route(f"/requests/<{ID}:request_id>", methods=["GET"])
@acts(*STAFF_OR_MEMBER, "kiosk")
@bp.response(200, RequestOut)
def get_request(request_id: int) -> Any:
    """One request with its history."""
    return bank().requests.get(community(), request_id)


@bp.route(f"/requests/<{ID}:request_id>/claim", methods=["POST"])
@acts(*STAFF_OR_MEMBER)
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.arguments(VolunteerIn)
@bp.response(200, RequestOut)
def claim(headers: dict[str, str], body: dict[str, Any], request_id: int) -> Any:
    """A volunteer takes the request (接单)."""
    return bank().requests.claim(community(), request_id, body["member"],
                                 key=headers.get("key"), **_as())


@bp.route(f"/requests/<{ID}:request_id>/withdraw", methods=["POST"])
@acts(*STAFF_OR_MEMBER)
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.arguments(VolunteerIn)
@bp.response(200, RequestOut)
def withdraw(headers: dict[str, str], body: dict[str, Any], request_id: int) -> Any:
    """A volunteer gives the claim back before the request is done."""
    return bank().requests.withdraw(community(), request_id, body["member"],
                                    key=headers.get("key"), **_as())


@bp.route(f"/requests/<{ID}:request_id>/confirm", methods=["POST"])
@acts(*STAFF_OR_MEMBER)
@bp.arguments(IdempotencyHeader, location="headers")
@bp.arguments(ConfirmIn)
@bp.response(200, SettlementOut)
def confirm(headers: dict[str, str], body: dict[str, Any], request_id: int) -> Any:
    """The requester (or a clerk) confirms the real minutes: they move to the
    volunteer(s) in one entry, and the rest of the hold goes back."""
    return bank().requests.confirm(community(), request_id, body["minutes"],
                                   key=headers["key"], **_as())


@bp.route(f"/requests/<{ID}:request_id>/dispute", methods=["POST"])
@acts(*STAFF_OR_MEMBER)
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.arguments(Reason)
@bp.response(200, RequestOut)
def dispute(headers: dict[str, str], body: dict[str, Any], request_id: int) -> Any:
    """The requester disputes instead of confirming."""
    return bank().requests.dispute(community(), request_id, body["reason"],
                                   key=headers.get("key"), **_as())


@bp.route(f"/requests/<{ID}:request_id>/settle", methods=["POST"])
@allow("admin", "clerk")
@bp.arguments(IdempotencyHeader, location="headers")
@bp.arguments(SettleIn)
@bp.response(200, SettlementOut)
def settle(headers: dict[str, str], body: dict[str, Any], request_id: int) -> Any:
    """The community office settles a dispute: 0 to the estimated minutes."""
    who = identity()
    return bank().requests.settle(community(), request_id, body["minutes"], body["reason"],
                                  key=headers["key"], settler=who.member, actor=who.actor)


@bp.route(f"/requests/<{ID}:request_id>/cancel", methods=["POST"])
@acts(*STAFF_OR_MEMBER)
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.arguments(Reason)
@bp.response(200, RequestOut)
def cancel(headers: dict[str, str], body: dict[str, Any], request_id: int) -> Any:
    """Cancel: the requester before anyone claims it, a clerk at any time."""
    return bank().requests.cancel(community(), request_id, body["reason"],
                                  key=headers.get("key"), **_as())


@bp.route("/offers", methods=["POST"])
@acts(*STAFF_OR_MEMBER)
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.arguments(ServiceOfferIn)
@bp.response(201, ServiceOfferOut)
def add_offer(headers: dict[str, str], body: dict[str, Any]) -> Any:
    """List what a member can do (服务项目)."""
    return bank().offers.add(community(), body["member"], body["category"], body["text"],
                             body.get("availability", ""), key=headers.get("key"),
                             as_member=_as()["as_member"])


@bp.route("/offers", methods=["GET"])
@acts(*STAFF_OR_MEMBER, "kiosk")
@bp.arguments(ServiceOfferQuery, location="query")
@bp.response(200, ServiceOfferList)
def list_offers(query: dict[str, Any]) -> Any:
    """Listed offers newest first, by category and by unit (grid or building)."""
    return offset_page(bank().offers.find(community(), **query), query["limit"],
                       query["offset"])


@bp.route(f"/offers/<{ID}:offer_id>/withdraw", methods=["POST"])
@acts(*STAFF_OR_MEMBER)
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.response(200, ServiceOfferOut)
def withdraw_offer(headers: dict[str, str], offer_id: int) -> Any:
    """Take an offer off the list."""
    return bank().offers.withdraw(community(), offer_id, key=headers.get("key"),
                                  as_member=_as()["as_member"])


@bp.route("/members/<code>/requests", methods=["GET"])
@allow("admin", "clerk", "member", own="code")
@bp.response(200, MemberRequestList)
def member_requests(code: str) -> Any:
    """The member's requests still under way: those they posted and those they claimed
    (open, claimed or disputed), by the date needed."""
    return {"member": code, "items": bank().requests.under_way(community(), code)}
