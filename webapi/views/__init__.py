"""The API's blueprints, one module per subject (named as its service in
``timebank.services``); ``BLUEPRINTS`` is every one the API mounts, in the order the
OpenAPI document lists them."""

from __future__ import annotations

from webapi.views import (
    approvals,
    catalogue,
    certificates,
    communities,
    contributions,
    desk,
    districts,
    exchange,
    expiry,
    keys,
    ledger,
    members,
    poster,
    redemptions,
    reports,
    rules,
    service_days,
    statements,
    system,
    tiers,
    transfers,
    units,
)

BLUEPRINTS = (
    system.bp,
    communities.bp,
    units.bp,
    members.bp,
    ledger.bp,
    expiry.bp,
    transfers.bp,
    rules.bp,
    contributions.bp,
    approvals.bp,
    statements.bp,
    tiers.bp,
    catalogue.bp,
    service_days.bp,
    redemptions.bp,
    exchange.bp,
    reports.bp,
    poster.bp,
    desk.bp,
    keys.bp,
    certificates.bp,
    districts.bp,
)
