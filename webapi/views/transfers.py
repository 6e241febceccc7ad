"""Transfers: points or minutes from one member to another."""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, community, identity
from webapi.schemas.common import IdempotencyHeader
from webapi.schemas.transfers import TransferIn, TransferOut
from webapi.views.base import blueprint

bp = blueprint("transfers", "Transfers between members.")


@bp.route("/transfers", methods=["POST"])
@allow("admin", "clerk")
@bp.arguments(IdempotencyHeader, location="headers")
@bp.arguments(TransferIn)
@bp.response(201, TransferOut)
def transfer(headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Give points or minutes to another member (e.g. stored hours to a parent); the
    community's yearly maximum, if any, answers `limit_exceeded`."""
    return bank().transfers.give(community(), body.pop("sender"), body.pop("receiver"),
                                 key=headers["key"], actor=identity().actor, **body)
