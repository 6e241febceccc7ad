"""Imports remembered: one row per file import, with its summary, so a clerk can come
back to what an import left pending (``contributions.import_id`` points here)."""

from __future__ import annotations

import sqlalchemy as sa

from timebank.store.tables.base import BigId, metadata

imports = sa.Table(
    "imports", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),        # members, contributions
    sa.Column("file", sa.String(500), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime, nullable=True),    # None: still running, or died
    sa.Column("committed", sa.Boolean, nullable=False),
    sa.Column("rows", sa.BigInteger, nullable=False),
    sa.Column("added", sa.BigInteger, nullable=False),
    sa.Column("unchanged", sa.BigInteger, nullable=False),   # keys already used: replays
    sa.Column("rejected", sa.BigInteger, nullable=False),    # bad rows, skipped
    sa.Column("pending", sa.BigInteger, nullable=False),     # waiting for approval at the end
    sa.Column("flagged", sa.BigInteger, nullable=False),
    sa.Column("problems", sa.JSON, nullable=False),          # the first: {row, column, message}
    sa.Index(None, "community_id", "id"),
)
