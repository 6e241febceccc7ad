"""API keys: who may call the HTTP API, as which role, for which community (or member).

Only a key's SHA-256 digest is stored (see ``timebank.services.keys`` for why a plain
digest is enough); ``prefix`` keeps the first characters so an operator can tell keys
apart in a listing without the table ever holding a usable secret.
"""

from __future__ import annotations

import sqlalchemy as sa

from timebank.store.tables.base import BigId, metadata

api_keys = sa.Table(
    "api_keys", metadata,
    sa.Column("id", BigId, primary_key=True),
    # NULL: a platform key (admin only), which may create communities.
    sa.Column("community_id", sa.ForeignKey("communities.id"), nullable=True),
    sa.Column("member_id", sa.ForeignKey("members.id"), nullable=True),
    sa.Column("role", sa.String(16), nullable=False),  # admin, clerk, member, kiosk
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    # The person the key is given to (王芳): what statements show, who four-eyes sees.
    sa.Column("holder", sa.String(100), nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("revoked_at", sa.DateTime, nullable=True),
    sa.Index(None, "community_id"),
)
