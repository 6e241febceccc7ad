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
    DistrictLeaderboardOut,
    DistrictLeaderboardQuery,
    DistrictMonthlyOut,
    DistrictMonthlyQuery,
    DistrictOut,
    DistrictParticipationOut,
    DistrictParticipationQuery,
    DistrictPositionsOut,
    DistrictSettlementIn,
    DistrictSettlementOut,
    MemberMovedOut,
    MemberMoveIn,
)
from webapi.views.base import blueprint
from webapi.views.report_files import answer, documented

bp = blueprint("districts", "Districts (通存通兑): deposit anywhere, redeem anywhere.")
files = documented(bp)


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


# -- district reports ---------------------------------------------------------------------



def _reader(code: str, unmasked: bool = False) -> None:
    """A platform admin, or an admin or clerk of one of the district's communities; only
    a platform admin sees another community's members unmasked."""
    who = identity()
    district = bank().districts.get(code)
    if who.role not in ("admin", "clerk") or who.community not in (None, *district.communities):
        raise Forbidden(T("only a platform admin or the staff of the district's communities "
                          "read its reports"), role=who.role)
    if unmasked and who.community is not None:
        raise Forbidden(T("only a platform admin sees a district's names unmasked"),
                        field="mask", role=who.role)


@bp.route("/districts/<code>/reports/monthly", methods=["GET"])
@bp.arguments(DistrictMonthlyQuery, location="query")
@bp.response(200, DistrictMonthlyOut)
@files
def district_monthly(query: dict[str, Any], code: str) -> Any:
    """The month's points over the district: per community (members, earners,
    contributions, points by rule) and in total, from the running totals.

    Roles: platform admin, or an admin or clerk of one of the district's communities."""
    _reader(code)
    report = bank().districts.monthly(code, query["month"], ledger_unit=query["ledger_unit"])
    return answer(report, query, code, "monthly")


@bp.route("/districts/<code>/reports/leaderboard", methods=["GET"])
@bp.arguments(DistrictLeaderboardQuery, location="query")
@bp.response(200, DistrictLeaderboardOut)
@files
def district_leaderboard(query: dict[str, Any], code: str) -> Any:
    """The district's members with the most points in a year, quarter or month, each
    with its community; names masked (张*明) and codes left out unless `mask=false`.

    Roles: platform admin, or an admin or clerk of one of the district's communities;
    `mask=false` for a platform admin only."""
    _reader(code, unmasked=not query["mask"])
    board = bank().districts.leaderboard(code, query["period"], limit=query["limit"],
                                         mask=query["mask"], ledger_unit=query["ledger_unit"])
    return answer(board, query, code, "leaderboard")


@bp.route("/districts/<code>/reports/participation", methods=["GET"])
@bp.arguments(DistrictParticipationQuery, location="query")
@bp.response(200, DistrictParticipationOut)
@files
def district_participation(query: dict[str, Any], code: str) -> Any:
    """A rule's participation in the month per community (those whose rulebook has the
    rule) and in total.

    Roles: platform admin, or an admin or clerk of one of the district's communities."""
    _reader(code)
    share = bank().districts.participation(code, query["month"], query["rule"],
                                           target=query["target"])
    return answer(share, query, code, f"participation-{share.rule}")
