"""Tables of the gift catalogue: gifts, stock movements, redemptions and their items,
service days. Schema owned by migration 0003.

A gift's ``stock`` column moves only by guarded updates in the same transaction as a
``stock_movements`` row, so the stock always equals the sum of its movements. Lock
order (see ``tables``): a redemption row, then gift rows by id, then accounts by id.
"""

from __future__ import annotations

import sqlalchemy as sa

from timebank.store.tables.base import BigId, metadata
from timebank.store.tables.books import entries

gifts = sa.Table(
    "gifts", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),        # zh-CN, the default
    sa.Column("name_en", sa.String(200), nullable=False),
    sa.Column("cost", sa.BigInteger, nullable=False),
    sa.Column("unit", sa.String(16), nullable=False),
    sa.Column("stock", sa.BigInteger, nullable=False),
    sa.Column("active_from", sa.Date, nullable=True),
    sa.Column("active_until", sa.Date, nullable=True),          # inclusive
    sa.Column("min_tier", sa.String(64), nullable=True),
    sa.Column("limit_per_member", sa.Integer, nullable=True),
    sa.Column("limit_period", sa.String(16), nullable=False),
    sa.Column("price_rules", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("community_id", "code"),
    # A second line behind the guarded updates: stock never goes below zero.
    sa.CheckConstraint("stock >= 0", name="stock_not_negative"),
)

stock_movements = sa.Table(
    "stock_movements", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("gift_id", sa.ForeignKey("gifts.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # domain.catalogue.MOVEMENT_KINDS
    sa.Column("quantity", sa.BigInteger, nullable=False),  # signed: + in, - out
    sa.Column("stock_after", sa.BigInteger, nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("redemption_id", sa.ForeignKey("redemptions.id"), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index(None, "gift_id", "id"),
    sa.Index(None, "redemption_id"),
)

service_days = sa.Table(
    "service_days", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # open, closed
    sa.Column("opened_at", sa.DateTime, nullable=False),
    sa.Column("closed_at", sa.DateTime, nullable=True),
    # The last stock movement before opening / at closing, and every gift's stock then:
    # the reconciliation's window and its two counts.
    sa.Column("open_mark", sa.BigInteger, nullable=False),
    sa.Column("close_mark", sa.BigInteger, nullable=True),
    sa.Column("opening_stock", sa.JSON, nullable=False),
    sa.Column("closing_stock", sa.JSON, nullable=True),
    sa.UniqueConstraint("community_id", "code"),
)

redemptions = sa.Table(
    "redemptions", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("member_id", sa.ForeignKey("members.id"), nullable=False),
    sa.Column("service_day_id", sa.ForeignKey("service_days.id"), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),  # held, fulfilled, cancelled, returned
    sa.Column("unit", sa.String(16), nullable=False),
    sa.Column("total", sa.BigInteger, nullable=False),
    # The member's available balance after this redemption's last change.
    sa.Column("balance_after", sa.BigInteger, nullable=False),
    sa.Column("hold_id", sa.ForeignKey("holds.id"), nullable=True),
    sa.Column("entry_id", sa.ForeignKey("entries.id"), nullable=True),      # the spend
    sa.Column("return_entry_id", sa.ForeignKey("entries.id"), nullable=True),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("resolved_at", sa.DateTime, nullable=True),
    sa.Index(None, "member_id", "created_at"),
    sa.Index(None, "service_day_id"),
    sa.Index(None, "community_id", "status", "created_at"),
)

redemption_items = sa.Table(
    "redemption_items", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("redemption_id", sa.ForeignKey("redemptions.id"), nullable=False),
    sa.Column("gift_id", sa.ForeignKey("gifts.id"), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price", sa.BigInteger, nullable=False),
    sa.Index(None, "redemption_id"),
    sa.Index(None, "gift_id", "redemption_id"),
)

# Windowed tiers and FIFO expiry read a community's entries by date; the ledger's own
# indexes are by account and by sequence.
entries_by_date = sa.Index("ix_entries_community_id_occurred_at",
                           entries.c.community_id, entries.c.occurred_at)
