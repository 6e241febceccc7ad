"""Tables of service records: honour hours (荣誉时长) with their participants, and the
certificates (志愿服务记录证明) with the records each one counts.

A certificate row is never edited except to revoke it; its ``digest`` binds it to the
records listed in ``certificate_items``, so the public check can recompute it later.
"""

from __future__ import annotations

import sqlalchemy as sa

from timebank.store.tables.base import BigId, metadata

honours = sa.Table(
    "honours", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("activity_date", sa.Date, nullable=False),   # local day of the activity
    sa.Column("rule", sa.String(64), nullable=False),
    sa.Column("minutes", sa.BigInteger, nullable=False),   # per participant
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),    # pending, approved
    sa.Column("proposed_by", sa.String(200), nullable=False),
    sa.Column("proposed_at", sa.DateTime, nullable=False),
    sa.Column("approved_by", sa.String(200), nullable=True),
    sa.Column("approved_at", sa.DateTime, nullable=True),
    sa.Index(None, "community_id", "activity_date"),
)

honour_members = sa.Table(
    "honour_members", metadata,
    sa.Column("honour_id", sa.ForeignKey("honours.id"), primary_key=True),
    sa.Column("member_id", sa.ForeignKey("members.id"), primary_key=True),
    sa.Index(None, "member_id"),
)

certificates = sa.Table(
    "certificates", metadata,
    sa.Column("id", BigId, primary_key=True),
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=False),
    sa.Column("number", sa.String(100), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),          # per community and year
    sa.Column("member_id", sa.ForeignKey("members.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),     # the member's name at issue
    sa.Column("period_from", sa.Date, nullable=False),
    sa.Column("period_to", sa.Date, nullable=False),
    sa.Column("purpose", sa.String(500), nullable=False),
    sa.Column("service_minutes", sa.BigInteger, nullable=False),
    sa.Column("honour_minutes", sa.BigInteger, nullable=False),
    sa.Column("issuer", sa.JSON, nullable=False),          # name, person_in_charge, ...
    sa.Column("activities", sa.JSON, nullable=False),      # what the certificate shows
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("issued_by", sa.String(200), nullable=False),
    sa.Column("issued_at", sa.DateTime, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),    # valid, revoked
    sa.Column("revoked_by", sa.String(200), nullable=True),
    sa.Column("revoked_at", sa.DateTime, nullable=True),
    sa.Column("revoked_reason", sa.String(500), nullable=True),
    sa.UniqueConstraint("community_id", "number"),
    sa.UniqueConstraint("community_id", "year", "seq"),
)

# The records a certificate counts: contributions and honours by id, with the minutes.
certificate_items = sa.Table(
    "certificate_items", metadata,
    sa.Column("certificate_id", sa.ForeignKey("certificates.id"), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),    # contribution, honour
    sa.Column("ref_id", sa.BigInteger, primary_key=True),
    sa.Column("minutes", sa.BigInteger, nullable=False),
)
