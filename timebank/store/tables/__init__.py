"""Every table of the package on one ``MetaData``, one module per feature.

The schema is owned by the Alembic migrations in ``store/migrations``; a test checks that
the migrations and these definitions agree. Only modules of ``timebank.store`` import
these names (ruff's banned-api rule enforces it).

Lock order, everywhere a transaction writes: member rows by id (recording contributions,
for their caps), then gift rows by id, then accounts by id, then the community row (its
chain head) last. The chain head is the only per-community hot row, so it is taken as
late as possible.
"""

from timebank.store.tables.access import api_keys
from timebank.store.tables.base import BigId, metadata
from timebank.store.tables.books import (
    accounts,
    communities,
    entries,
    holds,
    idempotency_keys,
    member_teams,
    members,
    postings,
    units,
)
from timebank.store.tables.catalogue import (
    gifts,
    redemption_items,
    redemptions,
    service_days,
    stock_movements,
)
from timebank.store.tables.certificates import (
    certificate_items,
    certificates,
    honour_members,
    honours,
)
from timebank.store.tables.contributions import (
    contribution_flags,
    contributions,
    earnings_monthly,
    rule_versions,
)
from timebank.store.tables.exchange import (
    exchange_claims,
    exchange_events,
    exchange_monthly,
    exchange_offers,
    exchange_requests,
)
from timebank.store.tables.imports import imports

__all__ = [
    "BigId", "accounts", "api_keys", "communities", "contribution_flags", "contributions",
    "earnings_monthly", "entries", "exchange_claims", "exchange_events", "exchange_monthly",
    "exchange_offers", "exchange_requests", "gifts", "holds", "idempotency_keys", "imports",
    "member_teams", "members", "metadata", "postings", "redemption_items", "redemptions",
    "rule_versions",
    "service_days", "stock_movements", "units",
]
__all__ += ["certificate_items", "certificates", "honour_members", "honours"]
from timebank.store.tables.districts import (  # noqa: E402
    cross_acts,
    district_communities,
    district_settlements,
    districts,
    member_moves,
)

__all__ += ["cross_acts", "district_communities", "district_settlements", "districts",
            "member_moves"]
