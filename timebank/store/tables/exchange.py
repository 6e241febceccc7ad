"""Tables of the exchange (互助): requests, their claims and history, and offers. Schema
owned by migration 0006.

A request's ``hold_id`` reserves its estimate on the payer's account while it is open,
claimed or disputed; every state change locks the request row first (then accounts by
id, then the community row), and starts from one status, so it happens exactly once.
"""

from __future__ import annotations

import sqlalchemy as sa

from timebank.store.tables.base import BigId, metadata

exchange_offers = sa.Table(
    "exchange_offers", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("member_id", sa.ForeignKey("members.id"), nullable=False),
    sa.Column("category", sa.String(64), nullable=False),
    sa.Column("text", sa.String(500), nullable=False),
    sa.Column("availability", sa.String(200), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # listed, withdrawn
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("withdrawn_at", sa.DateTime, nullable=True),
    sa.Index(None, "community_id", "category", "status"),
    sa.Index(None, "member_id"),
)

exchange_requests = sa.Table(
    "exchange_requests", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("member_id", sa.ForeignKey("members.id"), nullable=False),  # the requester
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("category", sa.String(64), nullable=False),
    sa.Column("minutes", sa.BigInteger, nullable=False),  # the estimate, held at posting
    sa.Column("needed_on", sa.Date, nullable=True),
    sa.Column("place", sa.String(200), nullable=False),
    sa.Column("funded_by", sa.String(16), nullable=False),  # member, pool
    sa.Column("payer_account_id", sa.ForeignKey("accounts.id"), nullable=False),
    sa.Column("hold_id", sa.ForeignKey("holds.id"), nullable=True),
    sa.Column("max_volunteers", sa.Integer, nullable=False),
    sa.Column("offer_id", sa.ForeignKey("exchange_offers.id"), nullable=True),
    # open, claimed, disputed, done, cancelled, expired
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("minutes_paid", sa.BigInteger, nullable=True),
    sa.Column("entry_id", sa.ForeignKey("entries.id"), nullable=True),  # the payment
    sa.Column("reason", sa.String(500), nullable=False),  # of a cancel, dispute, settle
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("resolved_at", sa.DateTime, nullable=True),
    sa.Index(None, "community_id", "status", "needed_on"),
    sa.Index(None, "member_id"),
)

exchange_claims = sa.Table(
    "exchange_claims", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("request_id", sa.ForeignKey("exchange_requests.id"), nullable=False),
    sa.Column("member_id", sa.ForeignKey("members.id"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # active, withdrawn
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("withdrawn_at", sa.DateTime, nullable=True),
    sa.Index(None, "request_id", "status"),
    sa.Index(None, "member_id"),
)

exchange_events = sa.Table(
    "exchange_events", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("request_id", sa.ForeignKey("exchange_requests.id"), nullable=False),
    # posted, claimed, withdrawn, confirmed, disputed, settled, cancelled, expired
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("member_id", sa.ForeignKey("members.id"), nullable=True),
    sa.Column("minutes", sa.BigInteger, nullable=True),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Index(None, "request_id", "id"),
)

# Running totals of the exchange per member and local month (migration 0010), kept as
# requests are paid, so the monthly report reads a few rows whatever the history's length:
# minutes given (served, as a volunteer), minutes received (served to, as the requester,
# whoever paid) and requests served.
exchange_monthly = sa.Table(
    "exchange_monthly", metadata,
    sa.Column("community_id", sa.ForeignKey("communities.id"), primary_key=True),
    sa.Column("member_id", sa.ForeignKey("members.id"), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),  # 'YYYY-MM', the community's zone
    sa.Column("given", sa.BigInteger, nullable=False),
    sa.Column("received", sa.BigInteger, nullable=False),
    sa.Column("served", sa.BigInteger, nullable=False),
    sa.Index(None, "community_id", "month"),
)
