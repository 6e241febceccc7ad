"""API keys: create one for a role (and a community, and a member), resolve a bearer token.

A key is ``tbk_`` followed by 32 random bytes (URL-safe base64), shown once and stored
only as its SHA-256 hex digest. A plain, fast digest is the right tool here and a slow
password hash (bcrypt, scrypt) is not: those exist to make guessing *low-entropy*
passwords expensive, but a 256-bit random token cannot be guessed however cheap each try
is, so the digest only has to be one-way. A fast digest also lets every request find its
key by an indexed equality look-up, with no per-request key-stretching cost.
"""

from __future__ import annotations

import hashlib
import secrets

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.errors import Unauthorized, ValidationError
from timebank.store import legacy as books
from timebank.store.tables import api_keys
from timebank.store.db import Store
from timebank.store.tables import communities, members
from timebank.timeutil import utcnow

ROLES = ("admin", "clerk", "member", "kiosk")
TOKEN_PREFIX = "tbk_"


@attrs.frozen
class Identity:
    """Who is calling: a role within one community (``None``: the platform) and, for the
    ``member`` role, the one member it may see. ``actor`` is what the books record."""

    role: str
    community: str | None = None
    member: str | None = None
    actor: str = "api"


@attrs.frozen
class CreatedKey:
    """A new key: ``token`` is the secret, returned this once and never stored."""

    id: int
    token: str
    role: str
    community: str | None
    member: str | None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_role(role: object) -> str:
    if role not in ROLES:
        raise ValidationError(f"role must be one of {', '.join(ROLES)}, got {role!r}",
                              field="role")
    return str(role)


class Keys:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, role: str, *, community: str | None = None, member: str | None = None,
               label: str = "") -> CreatedKey:
        """A new key. ``admin`` without a community is a platform key; every other role
        needs a community, and ``member`` (only) needs the member it is for."""
        check_role(role)
        if community is None and role != "admin":
            raise ValidationError(f"a {role} key needs a community", field="community")
        if (member is None) != (role != "member"):
            raise ValidationError("a member key, and only a member key, names a member",
                                  field="member")
        if not isinstance(label, str) or len(label) > 200:
            raise ValidationError("label must be text of at most 200 characters",
                                  field="label")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)

        def run(conn: Connection) -> CreatedKey:
            community_id = member_id = None
            if community is not None:
                community_id = books.community(conn, community).id
                if member is not None:
                    member_id = books.member_id(conn, community_id, member)
            key_id = conn.execute(api_keys.insert().values(
                community_id=community_id, member_id=member_id, role=role,
                key_hash=digest(token), prefix=token[:12], label=label,
                created_at=utcnow()).returning(api_keys.c.id)).scalar_one()
            return CreatedKey(key_id, token, role, community, member)
        return self.store.write(run)

    def resolve(self, token: str) -> Identity:
        """The identity a bearer token stands for; ``Unauthorized`` if it stands for none."""
        if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX) \
                or len(token) > 200:
            raise Unauthorized("unknown API key")
        with self.store.read() as conn:
            row = conn.execute(
                sa.select(api_keys.c.id, api_keys.c.role, api_keys.c.revoked_at,
                          communities.c.code.label("community"),
                          members.c.code.label("member"))
                .select_from(api_keys
                             .outerjoin(communities,
                                        communities.c.id == api_keys.c.community_id)
                             .outerjoin(members, members.c.id == api_keys.c.member_id))
                .where(api_keys.c.key_hash == digest(token))).first()
        if row is None or row.revoked_at is not None:
            raise Unauthorized("unknown API key")
        return Identity(row.role, row.community, row.member, actor=f"key:{row.id}")

    def revoke(self, key_id: int) -> None:
        """Stop a key from working (it stays listed, with its revocation time)."""
        def run(conn: Connection) -> None:
            conn.execute(api_keys.update()
                         .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                         .values(revoked_at=utcnow()))
        self.store.write(run)
