"""The books: balances, administrators' adjustments and reversals, transfers, audit."""

from __future__ import annotations

from typing import Any

import attrs

from webapi.api import bank
from webapi.auth import allow, community, identity
from webapi.schemas.books import (
    AdjustmentIn,
    MemberBalance,
    TransferIn,
    TransferOut,
    Verification,
)
from webapi.schemas.common import (
    ID,
    EntryOut,
    IdempotencyHeader,
    OptionalIdempotencyHeader,
    Reason,
)
from webapi.views.base import blueprint

bp = blueprint("books", "Balances, adjustments, reversals, transfers and the audit.")


def _balances(member: str, balances: dict[str, Any], tier: Any = None) -> dict[str, Any]:
    return {"member": member, "tier": tier, "balances": {
        unit: {"posted": b.posted, "held": b.held, "available": b.available,
               "lifetime_earned": b.lifetime_earned} for unit, b in balances.items()}}


@bp.route("/members/<code>/balance", methods=["GET"])
@allow("admin", "clerk", "kiosk", "member", own="code")
@bp.response(200, MemberBalance)
def balance(code: str) -> Any:
    """A member's balances per unit (posted, held, available, lifetime earned) and tier."""
    status = bank().tiers.status(community(), code)
    return _balances(code, bank().ledger.balance(community(), code),
                     status.tier if status is not None else None)


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
    return bank().ledger.reverse(community(), entry_id, key=headers["key"],
                                 actor=identity().actor, **body)


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


@bp.route("/audit/verify", methods=["GET"])
@allow("admin")
@bp.response(200, Verification)
def verify() -> Any:
    """Re-walk the community's hash chain and recompute every balance from postings."""
    report = bank().verify(community())
    return {"ok": report.ok, "entries_checked": report.entries_checked,
            "first_bad_entry": report.first_bad_entry,
            "problems": [attrs.asdict(p) for p in report.problems]}
