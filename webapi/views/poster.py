"""The notice-board poster (上墙公示) over HTTP: the printable page the CLI makes."""

from __future__ import annotations

from typing import Any

from flask import current_app

from timebank.reports.poster import render_poster
from webapi.api import bank
from webapi.auth import allow, community
from webapi.schemas.desk import PosterQuery
from webapi.views.base import blueprint

bp = blueprint("poster", "The printable notice-board poster.")


@bp.route("/reports/poster", methods=["GET"])
@allow("admin", "clerk")
@bp.arguments(PosterQuery, location="query")
@bp.alt_response(200, schema={"type": "string"}, content_type="text/html",
                 description="The poster: a printable HTML page.", success=True)
def poster(query: dict[str, Any]) -> Any:
    """The month's points as a printable poster (A4 or A3, zh or en). Names are masked
    (张*明, 王*) and no member codes are shown."""
    report = bank().reports.monthly(community(), query["month"], query.get("unit"),
                                    mask=True)
    page = render_poster(report, lang=query["lang"], paper=query["size"],
                         limit=query.get("limit"))
    return current_app.response_class(page, content_type="text/html; charset=utf-8")
