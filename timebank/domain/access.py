"""Who may call: the roles, the identity a request acts as, and a stored API key."""

from __future__ import annotations

from datetime import datetime

import attrs

ROLES = ("admin", "clerk", "member", "kiosk")


@attrs.frozen
class Identity:
    """Who is calling: a role within one community (``None``: the platform) and, for the
    ``member`` role, the one member it may see. ``actor`` is what the books record."""

    role: str
    community: str | None = None
    member: str | None = None
    actor: str = "api"


@attrs.frozen
class ApiKey:
    """A stored key, found by its digest: what it grants, and whether it was revoked."""

    id: int
    role: str
    community: str | None
    member: str | None
    revoked_at: datetime | None


@attrs.frozen
class KeyListing:
    """A key as an operator sees it in a listing: never the token, only the first
    characters of it (``prefix``) to tell keys apart, and whether it was revoked."""

    id: int
    role: str
    community: str | None
    member: str | None
    prefix: str
    label: str
    created_at: datetime
    revoked_at: datetime | None
