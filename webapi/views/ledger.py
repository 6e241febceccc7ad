"""The books: balances, administrators' adjustments and reversals, and the audit."""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, community, identity
from webapi.schemas.common import ID, IdempotencyHeader, OptionalIdempotencyHeader, Reason
from webapi.schemas.ledger import AdjustmentIn, EntryOut, MemberBalance, Verification
from webapi.views.base import blueprint

bp = blueprint("ledger", "Balances, adjustments, reversals and the audit.")


@bp.route("/members/<code>/balance", methods=["GET"])
@allow("admin", "clerk", "kiosk", "member", own="code")
@bp.response(200, MemberBalance)
def balance(code: str) -> Any:
    """A member's balances per unit (posted, held, available, lifetime earned) and tier."""
    status = bank().tiers.status(community(), code)
    return {"member": code, "balances": bank().ledger.balance(community(), code),
            "tier": status.tier if status is not None else None}


@bp.route("/adjustments", methods=["POST"])
@allow("admin")
@bp.arguments(IdempotencyHeader, location="headers")
@bp.arguments(AdjustmentIn)
@bp.response(201, EntryOut)
def adjust(headers: dict[str, str], body: dict[str, Any]) -> Any:
    """An administrator's correction: a signed amount with a reason."""
    return bank().ledger.adjust(community(), key=headers["key"], actor=identity().actor,
                                **body)


@bp.route(f"/entries/<{ID}:entry_id>/reverse", methods=["POST"])
@allow("admin")
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.arguments(Reason)
@bp.response(201, EntryOut)
def reverse(headers: dict[str, str], body: dict[str, Any], entry_id: int) -> Any:
    """Reverse an entry (at most once): returns the reversal entry."""
    return bank().ledger.reverse(community(), entry_id, key=headers.get("key"),
                                 actor=identity().actor, **body)


@bp.route("/audit/verify", methods=["GET"])
@allow("admin")
@bp.response(200, Verification)
def verify() -> Any:
    """Re-walk the community's hash chain and recompute every balance from postings."""
    return bank().verify(community())
