"""Rules, contributions, statements and tiers: how points are earned and shown."""

from __future__ import annotations

from typing import Any

from timebank.domain.rulebook import to_dict
from webapi.api import bank
from webapi.auth import allow, community, identity
from webapi.schemas.common import ID, IdempotencyHeader, OptionalIdempotencyHeader, Reason
from webapi.schemas.earning import (
    BatchIn,
    BatchOut,
    ContributionFull,
    ContributionIn,
    ContributionList,
    ContributionOut,
    ContributionQuery,
    RuleIn,
    RuleList,
    RuleOut,
    StatementOut,
    StatementQuery,
    TierList,
    TierStatusOut,
)
from webapi.views.base import blueprint
from webapi.views.paging import page

rules_bp = blueprint("rules", "The community's rulebook (积分规则).")
contributions_bp = blueprint("contributions", "Contributions: record, approve, reject.")
members_bp = blueprint("member-books", "A member's statement and tier.")


@rules_bp.route("/rules", methods=["GET"])
@allow("admin", "clerk")
@rules_bp.response(200, RuleList)
def list_rules() -> Any:
    """The rules in force today."""
    return {"items": [to_dict(rule) for rule in bank().rules.list(community())]}


@rules_bp.route("/rules/<code>", methods=["GET"])
@allow("admin", "clerk")
@rules_bp.response(200, RuleOut)
def get_rule(code: str) -> Any:
    """One rule, the version in force today."""
    return to_dict(bank().rules.get(community(), code))


@rules_bp.route("/rules/<code>", methods=["PUT"])
@allow("admin")
@rules_bp.arguments(RuleIn)
@rules_bp.response(200, RuleOut)
def put_rule(body: dict[str, Any], code: str) -> Any:
    """Add or change a rule: a new version in force from `effective_from` (default
    today); contributions already recorded keep their points."""
    return to_dict(bank().rules.put(community(), code, body,
                                    effective_from=body.pop("effective_from", None),
                                    actor=identity().actor))


@contributions_bp.route("/contributions", methods=["POST"])
@allow("admin", "clerk")
@contributions_bp.arguments(IdempotencyHeader, location="headers")
@contributions_bp.arguments(ContributionIn)
@contributions_bp.response(201, ContributionOut)
def record(headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Record a contribution: approved at once, or pending if the rule needs approval.
    A rule's cap never rejects: the points are capped and `capped` is true."""
    return bank().contributions.record(community(), key=headers["key"],
                                       recorded_by=identity().actor, **body)


@contributions_bp.route("/contributions/batch", methods=["POST"])
@allow("admin", "clerk")
@contributions_bp.arguments(IdempotencyHeader, location="headers")
@contributions_bp.arguments(BatchIn)
@contributions_bp.response(201, BatchOut)
def record_batch(headers: dict[str, str], body: dict[str, Any]) -> Any:
    """One activity, many members: all recorded or none."""
    return bank().contributions.record_batch(community(), body.pop("rule"),
                                             body.pop("members"), key=headers["key"],
                                             recorded_by=identity().actor, **body)


@contributions_bp.route(f"/contributions/<{ID}:contribution_id>/approve", methods=["POST"])
@allow("admin", "clerk")
@contributions_bp.arguments(OptionalIdempotencyHeader, location="headers")
@contributions_bp.response(200, ContributionOut)
def approve(headers: dict[str, str], contribution_id: int) -> Any:
    """Approve a pending contribution (by someone other than its recorder)."""
    return bank().contributions.approve(community(), contribution_id,
                                        approver=identity().actor, key=headers["key"])


@contributions_bp.route(f"/contributions/<{ID}:contribution_id>/reject", methods=["POST"])
@allow("admin", "clerk")
@contributions_bp.arguments(OptionalIdempotencyHeader, location="headers")
@contributions_bp.arguments(Reason)
@contributions_bp.response(200, ContributionOut)
def reject(headers: dict[str, str], body: dict[str, Any], contribution_id: int) -> Any:
    """Reject a pending contribution, saying why."""
    return bank().contributions.reject(community(), contribution_id,
                                       approver=identity().actor, key=headers["key"],
                                       **body)


@contributions_bp.route("/contributions", methods=["GET"])
@allow("admin", "clerk")
@contributions_bp.arguments(ContributionQuery, location="query")
@contributions_bp.response(200, ContributionList)
def list_contributions(query: dict[str, Any]) -> Any:
    """Contributions by id, filtered; pass `next` as `after` for the next page."""
    return page(bank().contributions.list(community(), **query), query["limit"], "id")


@contributions_bp.route(f"/contributions/<{ID}:contribution_id>", methods=["GET"])
@allow("admin", "clerk")
@contributions_bp.response(200, ContributionFull)
def get_contribution(contribution_id: int) -> Any:
    """One contribution with its notes, flags and decision."""
    return bank().contributions.get(community(), contribution_id)


@members_bp.route("/members/<code>/statement", methods=["GET"])
@allow("admin", "clerk", "member", own="code")
@members_bp.arguments(StatementQuery, location="query")
@members_bp.response(200, StatementOut)
def statement(query: dict[str, Any], code: str) -> Any:
    """Every line on the member's accounts, naming the rule, contribution and approver."""
    return bank().statements.statement(community(), code, **query)


@members_bp.route("/members/<code>/tier", methods=["GET"])
@allow("admin", "clerk", "kiosk", "member", own="code")
@members_bp.response(200, TierStatusOut)
def tier(code: str) -> Any:
    """The member's tier today, the next one and the points still needed."""
    return bank().tiers.status(community(), code) or {"member": code, "tier": None}


@members_bp.route("/tiers", methods=["GET"])
@allow("admin", "clerk", "kiosk")
@members_bp.response(200, TierList)
def tiers() -> Any:
    """The community's tiers, lowest first (empty without a tier policy)."""
    return {"items": bank().tiers.levels(community())}
