"""Approving in bulk (a month of paper records in one act) and the imports behind it."""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, community, identity
from webapi.schemas.approvals import ApproveIn, ApproveOut, ImportOut
from webapi.schemas.common import ID, IdempotencyHeader
from webapi.views.base import blueprint

bp = blueprint("approvals", "Approving in bulk, and imports remembered.")


@bp.route("/contributions/approve", methods=["POST"])
@allow("admin", "clerk")
@bp.arguments(IdempotencyHeader, location="headers")
@bp.arguments(ApproveIn)
@bp.response(200, ApproveOut)
def approve_many(headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Approve `ids`, or every pending contribution a filter matches, each checked as a
    single approval is: the caller must not be its recorder, and flagged ones are
    skipped unless `include_flagged`. Skipped ones are listed with the reason."""
    return bank().approvals.approve_many(community(), approver=identity().as_actor(),
                                         key=headers["key"], **body)


@bp.route(f"/imports/<{ID}:import_id>", methods=["GET"])
@allow("admin", "clerk")
@bp.response(200, ImportOut)
def get_import(import_id: int) -> Any:
    """An import's summary: rows, added, pending approval, flagged, skipped rows."""
    return bank().approvals.import_summary(community(), import_id)
