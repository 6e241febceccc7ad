"""Contributions: recorded one at a time or in a batch, approved or rejected, listed."""

from __future__ import annotations

from typing import Any

from webapi.api import bank
from webapi.auth import allow, community, identity
from webapi.schemas.common import ID, IdempotencyHeader, OptionalIdempotencyHeader, Reason
from webapi.schemas.contributions import (
    BatchIn,
    BatchOut,
    ContributionFull,
    ContributionIn,
    ContributionList,
    ContributionOut,
    ContributionQuery,
)
from webapi.views.base import blueprint
from webapi.views.paging import page

bp = blueprint("contributions", "Contributions: record, approve, reject.")


@bp.route("/contributions", methods=["POST"])
@allow("admin", "clerk")
@bp.arguments(IdempotencyHeader, location="headers")
@bp.arguments(ContributionIn)
@bp.response(201, ContributionOut)
def record(headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Record a contribution: approved at once, or pending if the rule needs approval.
    A rule's cap never rejects: the points are capped and `capped` is true."""
    return bank().contributions.record(community(), key=headers["key"],
                                       recorded_by=identity().actor, **body)


@bp.route("/contributions/batch", methods=["POST"])
@allow("admin", "clerk")
@bp.arguments(IdempotencyHeader, location="headers")
@bp.arguments(BatchIn)
@bp.response(201, BatchOut)
def record_batch(headers: dict[str, str], body: dict[str, Any]) -> Any:
    """One activity, many members: all recorded or none."""
    return bank().contributions.record_batch(community(), body.pop("rule"),
                                             body.pop("members"), key=headers["key"],
                                             recorded_by=identity().actor, **body)


@bp.route(f"/contributions/<{ID}:contribution_id>/approve", methods=["POST"])
@allow("admin", "clerk")
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.response(200, ContributionOut)
def approve(headers: dict[str, str], contribution_id: int) -> Any:
    """Approve a pending contribution (by someone other than its recorder)."""
    return bank().contributions.approve(community(), contribution_id,
                                        approver=identity().as_actor(),
                                        key=headers.get("key"))


@bp.route(f"/contributions/<{ID}:contribution_id>/reject", methods=["POST"])
@allow("admin", "clerk")
@bp.arguments(OptionalIdempotencyHeader, location="headers")
@bp.arguments(Reason)
@bp.response(200, ContributionOut)
def reject(headers: dict[str, str], body: dict[str, Any], contribution_id: int) -> Any:
    """Reject a pending contribution, saying why."""
    return bank().contributions.reject(community(), contribution_id,
                                       approver=identity().as_actor(),
                                       key=headers.get("key"), **body)


@bp.route(f"/contributions/<{ID}:contribution_id>/reverse", methods=["POST"])
@allow("admin")
@bp.arguments(IdempotencyHeader, location="headers")
@bp.arguments(Reason)
@bp.response(200, ContributionOut)
def reverse(headers: dict[str, str], body: dict[str, Any], contribution_id: int) -> Any:
    """Undo an approved contribution, saying why: its award is reversed (even when the
    points were already spent: the member then owes them) and it leaves the totals."""
    return bank().contributions.reverse(community(), contribution_id,
                                        actor=identity().actor, key=headers["key"], **body)


@bp.route("/contributions", methods=["GET"])
@allow("admin", "clerk")
@bp.arguments(ContributionQuery, location="query")
@bp.response(200, ContributionList)
def list_contributions(query: dict[str, Any]) -> Any:
    """Contributions by id, filtered; pass `next` as `after` for the next page."""
    return page(bank().contributions.list(community(), **query), query["limit"], "id")


@bp.route(f"/contributions/<{ID}:contribution_id>", methods=["GET"])
@allow("admin", "clerk")
@bp.response(200, ContributionFull)
def get_contribution(contribution_id: int) -> Any:
    """One contribution with its notes, flags and decision."""
    return bank().contributions.get(community(), contribution_id)
