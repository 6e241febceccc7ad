"""Which blueprints the API serves: each with the ``Timebank`` services it calls, so an
API over a library without a feature simply leaves that feature's paths out."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint


def blueprints(bank: Any) -> list[Blueprint]:
    from webapi.views import books, catalogue, earning, org, reports, system

    found = [
        (system.bp, ()),
        (org.communities_bp, ("communities",)),
        (org.units_bp, ("units",)),
        (org.members_bp, ("members",)),
        (books.bp, ("ledger", "tiers", "transfers")),
        (earning.rules_bp, ("rules",)),
        (earning.contributions_bp, ("contributions",)),
        (earning.members_bp, ("statements", "tiers")),
        (catalogue.gifts_bp, ("gifts",)),
        (catalogue.days_bp, ("service_days",)),
        (catalogue.redemptions_bp, ("redemptions",)),
        (reports.bp, ("reports",)),
    ]
    return [bp for bp, needs in found if all(hasattr(bank, name) for name in needs)]
