"""Districts (通存通兑): alliances of communities, their cross-community acts and the
periods their clearing positions were settled in.

A community's clearing position with a partner lives in its own books, as a system
account ``clearing:<partner id>`` per unit (an ``accounts`` row): no new balance table.
"""

from __future__ import annotations

import sqlalchemy as sa

from timebank.store.tables.base import BigId, metadata

districts = sa.Table(
    "districts", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("code", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    # units, rates ({unit: {community: weight}}), position_limit
    sa.Column("settings", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

district_communities = sa.Table(
    "district_communities", metadata,
    sa.Column("district_id", sa.ForeignKey("districts.id"), primary_key=True),
    # A community belongs to one district at most: its partners are never ambiguous.
    sa.Column("community_id", sa.ForeignKey("communities.id"), primary_key=True,
              unique=True),
)

cross_acts = sa.Table(
    "cross_acts", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("district_id", sa.ForeignKey("districts.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # redeem, move, settle
    # The payer's books (from) and the receiver's books (to), each with its half.
    sa.Column("from_community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("to_community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("unit", sa.String(16), nullable=False),
    sa.Column("from_amount", sa.BigInteger, nullable=False),
    sa.Column("to_amount", sa.BigInteger, nullable=False),
    sa.Column("from_entry_id", sa.ForeignKey("entries.id"), nullable=False),
    sa.Column("to_entry_id", sa.ForeignKey("entries.id"), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index(None, "district_id", "created_at"),
)

member_moves = sa.Table(
    "member_moves", metadata,
    sa.Column("id", BigId, primary_key=True),
    # A member moves out once: the unique index refuses a racing second move.
    sa.Column("from_member_id", sa.ForeignKey("members.id"), nullable=False, unique=True),
    sa.Column("to_member_id", sa.ForeignKey("members.id"), nullable=False),
    sa.Column("moved_at", sa.DateTime, nullable=False),
)

district_settlements = sa.Table(
    "district_settlements", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("district_id", sa.ForeignKey("districts.id"), nullable=False),
    sa.Column("until", sa.DateTime, nullable=False),
    sa.Column("result", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("district_id", "until"),
)
