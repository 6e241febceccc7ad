"""Reports for the community office and the notice board, as JSON, CSV or XLSX.

Admins and clerks only: a report names members and their points, which a member or
kiosk key has no business reading. The leaderboard masks names (张*明) by default, as it
is meant for posting; ``mask=false`` shows them to the office.
"""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, community
from webapi.schemas.reports import (
    LeaderboardOut,
    LeaderboardQuery,
    MonthlyOut,
    MonthlyQuery,
    ParticipationOut,
    ParticipationQuery,
)
from webapi.views.base import blueprint
from webapi.views.report_files import answer, documented

bp = blueprint("reports", "Reports: monthly points, leaderboards, participation.")
files = documented(bp)


@bp.route("/reports/monthly", methods=["GET"])
@allow("admin", "clerk")
@bp.arguments(MonthlyQuery, location="query")
@bp.response(200, MonthlyOut)
@files
def monthly(query: dict[str, Any]) -> Any:
    """The month's points per member (每月统计): by rule, total and rank, with totals per
    rule and per unit; `unit` narrows it to the members under one org unit. CSV and
    XLSX are masked (张*明, no codes, buildings not households) unless `mask=false`."""
    mask = query["mask"] if query["mask"] is not None else query["format"] != "json"
    report = bank().reports.monthly(community(), query["month"], query.get("unit"),
                                    ledger_unit=query["ledger_unit"], mask=mask)
    return answer(report, query, report.community, "monthly")


@bp.route("/reports/leaderboard", methods=["GET"])
@allow("admin", "clerk")
@bp.arguments(LeaderboardQuery, location="query")
@bp.response(200, LeaderboardOut)
@files
def leaderboard(query: dict[str, Any]) -> Any:
    """The members with the most points in a year, quarter or month. Names are masked
    and member codes left out unless `mask=false`."""
    board = bank().reports.leaderboard(community(), query["period"], query.get("unit"),
                                       limit=query["limit"], mask=query["mask"],
                                       ledger_unit=query["ledger_unit"])
    return answer(board, query, board.community, "leaderboard")


@bp.route("/reports/participation", methods=["GET"])
@allow("admin", "clerk")
@bp.arguments(ParticipationQuery, location="query")
@bp.response(200, ParticipationOut)
@files
def participation(query: dict[str, Any]) -> Any:
    """The share of members eligible for a rule who contributed under it in the month
    (参学率), per unit below `unit`, and whether it meets `target`."""
    share = bank().reports.participation(community(), query["month"], query["rule"],
                                         query.get("unit"), target=query["target"])
    return answer(share, query, share.community, f"participation-{share.rule}")
