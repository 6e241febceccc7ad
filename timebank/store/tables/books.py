"""Core tables of the books: communities, the organisation, accounts, entries, postings.

Other features keep their tables in their own modules on the same ``metadata`` (the lock
order is in the package's docstring).
"""

from __future__ import annotations

import sqlalchemy as sa

from timebank.domain.ledger import GENESIS_HASH
from timebank.store.tables.base import BigId, metadata

communities = sa.Table(
    "communities", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("code", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("settings", sa.JSON, nullable=False),
    # The hash chain's head: the last entry's sequence number and hash.
    sa.Column("entry_seq", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("head_hash", sa.String(64), nullable=False, server_default=GENESIS_HASH),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

units = sa.Table(
    "units", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # grid, building, household, team
    sa.Column("parent_id", sa.ForeignKey("units.id"), nullable=True),
    # Materialised path "/grid/building/household/" so a subtree is one prefix range.
    sa.Column("path", sa.String(1000), nullable=False),
    sa.UniqueConstraint("community_id", "code"),
    sa.Index(None, "community_id", "path"),
)

members = sa.Table(
    "members", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("phone", sa.String(32), nullable=True),
    sa.Column("card", sa.String(64), nullable=True),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False),  # e.g. ["low_income"]
    sa.Column("unit_id", sa.ForeignKey("units.id"), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("community_id", "code"),
    sa.Index(None, "community_id", "card"),
    sa.Index(None, "community_id", "phone"),
    sa.Index(None, "unit_id"),
)

member_teams = sa.Table(
    "member_teams", metadata,
    sa.Column("member_id", sa.ForeignKey("members.id"), primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("units.id"), primary_key=True),
    sa.Index(None, "unit_id"),
)

accounts = sa.Table(
    "accounts", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("member_id", sa.ForeignKey("members.id"), nullable=True),
    sa.Column("system", sa.String(32), nullable=True),  # SystemAccount for community accounts
    sa.Column("unit", sa.String(16), nullable=False),
    sa.Column("posted", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("held", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("lifetime_earned", sa.BigInteger, nullable=False, server_default="0"),
    sa.UniqueConstraint("member_id", "unit"),
    sa.UniqueConstraint("community_id", "system", "unit"),
    sa.CheckConstraint("(member_id IS NULL) <> (system IS NULL)", name="one_owner"),
    # A second line behind the guarded updates: nothing on hold is ever negative. A member's
    # available balance (posted - held) goes below zero only through the reversal of an
    # award (NewEntry.overdraw, migration 0009): the member then owes the points.
    sa.CheckConstraint("system IS NOT NULL OR held >= 0", name="member_held_not_negative"),
)

entries = sa.Table(
    "entries", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("occurred_at", sa.DateTime, nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    # Unique: an entry is reversed at most once, enforced by the index itself.
    sa.Column("reverses_id", sa.ForeignKey("entries.id"), nullable=True, unique=True),
    sa.Column("meta", sa.JSON, nullable=False),  # rule, contribution, redemption, ...
    sa.Column("hash", sa.String(64), nullable=False),
    sa.UniqueConstraint("community_id", "seq"),
)

postings = sa.Table(
    "postings", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("entry_id", sa.ForeignKey("entries.id"), nullable=False),
    sa.Column("account_id", sa.ForeignKey("accounts.id"), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("balance_after", sa.BigInteger, nullable=False),
    sa.Index(None, "entry_id"),
    sa.Index(None, "account_id", "id"),
)

holds = sa.Table(
    "holds", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("account_id", sa.ForeignKey("accounts.id"), nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # held, captured, released
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("resolved_at", sa.DateTime, nullable=True),
    sa.Column("entry_id", sa.ForeignKey("entries.id"), nullable=True),  # the capture
    sa.Index(None, "account_id", "status"),
)

idempotency_keys = sa.Table(
    "idempotency_keys", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("request", sa.JSON, nullable=False),
    sa.Column("response", sa.JSON, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    # The unique index is what makes a replay harmless, not a look-up before writing.
    sa.UniqueConstraint("community_id", "key"),
)
