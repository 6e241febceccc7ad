"""Tables of the contribution workflow: rule versions, contributions, their anomaly flags,
and the running totals of earned points per member, rule and month."""

from __future__ import annotations

import sqlalchemy as sa

from timebank.store.tables.base import BigId, metadata

# One row per version of a rule; the version in force on a contribution's local day is
# the one with the latest ``effective_from`` on or before it.
rule_versions = sa.Table(
    "rule_versions", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("effective_from", sa.Date, nullable=False),
    sa.Column("definition", sa.JSON, nullable=False),  # rulebook.to_dict(rule)
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.UniqueConstraint("community_id", "code", "effective_from"),
)

contributions = sa.Table(
    "contributions", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("member_id", sa.ForeignKey("members.id"), nullable=False),
    sa.Column("rule", sa.String(64), nullable=False),
    sa.Column("rule_version_id", sa.ForeignKey("rule_versions.id"), nullable=False),
    sa.Column("unit", sa.String(16), nullable=False),
    sa.Column("quantity", sa.BigInteger, nullable=False),   # base units: minutes or items
    sa.Column("credited", sa.BigInteger, nullable=False),   # after rounding and limits
    sa.Column("occurred_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("ended_at", sa.DateTime, nullable=True),      # UTC, timed activities
    sa.Column("local_day", sa.Date, nullable=False),        # in the community's zone
    sa.Column("period", sa.String(7), nullable=True),       # per_period: 'YYYY-MM'
    sa.Column("tags", sa.JSON, nullable=False),
    sa.Column("note", sa.String(500), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),     # pending approved rejected reversed
    sa.Column("raw_points", sa.BigInteger, nullable=False),
    sa.Column("points", sa.BigInteger, nullable=False),
    sa.Column("capped", sa.Boolean, nullable=False),
    sa.Column("bonus", sa.BigInteger, nullable=False),
    sa.Column("notes", sa.JSON, nullable=False),            # why anything was cut
    sa.Column("recorded_by", sa.String(200), nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Column("decided_by", sa.String(200), nullable=True),
    sa.Column("decided_at", sa.DateTime, nullable=True),
    sa.Column("reason", sa.String(500), nullable=True),     # of a rejection or reversal
    sa.Column("entry_id", sa.ForeignKey("entries.id"), nullable=True),  # the award
    sa.Column("reversal_id", sa.ForeignKey("entries.id"), nullable=True),
    sa.Column("import_id", BigId, nullable=True),  # imports.id of the file it came from
    # Caps and streaks: a member's points from one rule over a range of local days.
    sa.Index(None, "member_id", "rule", "local_day"),
    sa.Index(None, "community_id", "status", "id"),
    sa.Index(None, "community_id", "local_day"),
    sa.Index(None, "import_id", "status"),
)

contribution_flags = sa.Table(
    "contribution_flags", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("contribution_id", sa.ForeignKey("contributions.id"), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),  # overlap, long_day, late, unusual
    sa.Column("detail", sa.String(500), nullable=False),
    sa.Index(None, "contribution_id"),
    sa.Index(None, "community_id", "kind"),
)

# Earned points per member, rule and local month of the activity, kept as awards post
# and reverse, so a monthly report reads a few rows instead of the whole history.
earnings_monthly = sa.Table(
    "earnings_monthly", metadata,
    sa.Column("community_id", sa.ForeignKey("communities.id"), primary_key=True),
    sa.Column("member_id", sa.ForeignKey("members.id"), primary_key=True),
    sa.Column("rule", sa.String(64), primary_key=True),
    sa.Column("unit", sa.String(16), primary_key=True),
    sa.Column("month", sa.String(7), primary_key=True),  # 'YYYY-MM'
    sa.Column("points", sa.BigInteger, nullable=False),
    sa.Column("contributions", sa.BigInteger, nullable=False),
    sa.Index(None, "community_id", "month"),
)
