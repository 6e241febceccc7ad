"""API keys: create one for a role (and a community, and a member), resolve a bearer token.

A key is ``tbk_`` followed by 32 random bytes (URL-safe base64), shown once and stored
only as its SHA-256 hex digest. A plain, fast digest is the right tool here and a slow
password hash (bcrypt, scrypt) is not: those exist to make guessing *low-entropy*
passwords expensive, but a 256-bit random token cannot be guessed however cheap each try
is, so the digest only has to be one-way. A fast digest also lets every request find its
key by an indexed equality look-up, with no per-request key-stretching cost.
"""

from __future__ import annotations

import builtins
import hashlib
import secrets

import attrs

from timebank.domain.access import ROLES, Identity, KeyListing
from timebank.errors import NotFound, Unauthorized, ValidationError
from timebank.i18n import T
from timebank.store.db import Store
from timebank.store.uow import UnitOfWork

__all__ = ["ROLES", "TOKEN_PREFIX", "CreatedKey", "Identity", "Keys", "check_role",
           "check_token", "create", "digest", "listing", "resolve", "revoke", "revoke_checked"]

TOKEN_PREFIX = "tbk_"


@attrs.frozen
class CreatedKey:
    """A new key: ``token`` is the secret, returned this once and never stored."""

    id: int
    token: str
    role: str
    community: str | None
    member: str | None
    holder: str = ""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_token(token: object) -> str:
    """A token of the right shape; anything else stands for no key (no look-up needed)."""
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise Unauthorized(T("unknown API key"))
    return token


def check_role(role: object) -> str:
    if role not in ROLES:
        raise ValidationError(T("role must be one of {roles}, got {role!r}",
                                roles=', '.join(ROLES), role=role),
                              field="role")
    return str(role)


# -- use cases ------------------------------------------------------------------------------


def create(uow: UnitOfWork, role: str, *, member: str | None = None,
           label: str = "", holder: str = "") -> CreatedKey:
    """A new key for ``role`` in the unit of work's community (none: a platform key),
    given to ``holder`` (a person's name: what statements show for what the key does,
    and who four-eyes sees)."""
    community = uow.community_code
    check_role(role)
    if community is None and role != "admin":
        raise ValidationError(T("a {role} key needs a community", role=role), field="community")
    if (member is None) != (role != "member"):
        raise ValidationError(T("a member key, and only a member key, names a member"),
                              field="member")
    if not isinstance(label, str) or len(label) > 200:
        raise ValidationError(T("label must be text of at most 200 characters"), field="label")
    holder = check_holder(holder)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    community_id = member_id = None
    if community is not None:
        community_id = uow.community_id
        if member is not None:
            member_id = uow.members.id_of(member)
    key_id = uow.keys.add(community_id=community_id, member_id=member_id, role=role,
                          key_hash=digest(token), prefix=token[:12], label=label,
                          holder=holder)
    return CreatedKey(key_id, token, role, community, member, holder)


def check_holder(holder: object) -> str:
    """A holder's name: text of at most 100 characters, no line breaks (may be empty)."""
    if not isinstance(holder, str) or len(holder.strip()) > 100 or \
            any(not ch.isprintable() for ch in holder):
        raise ValidationError(T("a key's holder is a name of at most 100 characters"),
                              field="holder")
    return holder.strip()


def resolve(uow: UnitOfWork, token: str) -> Identity:
    """The identity a bearer token stands for; ``Unauthorized`` if it stands for none."""
    found = uow.keys.find(digest(check_token(token)))
    if found is None or found.revoked_at is not None:
        raise Unauthorized(T("unknown API key"))
    return Identity(found.role, found.community, found.member, actor=f"key:{found.id}",
                    name=found.holder)


def revoke(uow: UnitOfWork, key_id: int) -> None:
    """Stop a key from working (it stays listed, with its revocation time)."""
    uow.keys.revoke(key_id)


def listing(uow: UnitOfWork, *, revoked: bool = False) -> list[KeyListing]:
    """The keys of the unit of work's community (none: every key), never their tokens;
    the revoked ones too when ``revoked``."""
    community_id = uow.community_id if uow.community_code is not None else None
    return uow.keys.listing(community_id, revoked=revoked)


def revoke_checked(uow: UnitOfWork, key_id: int) -> None:
    """Revoke key ``key_id``, which must exist (and, when the unit of work names a
    community, belong to it): ``NotFound`` otherwise, with nothing written."""
    found, community_id = uow.keys.community_of(key_id)
    if not found or (uow.community_code is not None and community_id != uow.community_id):
        raise NotFound(T("unknown API key #{id}", id=key_id), field="key")
    uow.keys.revoke(key_id)


class Keys:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, role: str, *, community: str | None = None, member: str | None = None,
               label: str = "", holder: str = "") -> CreatedKey:
        """A new key. ``admin`` without a community is a platform key; every other role
        needs a community, and ``member`` (only) needs the member it is for. ``holder``
        names the person it is given to (王芳): statements show that name, and one
        person's keys count as one approver."""
        return self.store.transact(community, lambda uow: create(
            uow, role, member=member, label=label, holder=holder))

    def resolve(self, token: str) -> Identity:
        """The identity a bearer token stands for; ``Unauthorized`` if it stands for none."""
        check_token(token)  # before opening a transaction: junk costs no connection
        with self.store.reading() as uow:
            return resolve(uow, token)

    def revoke(self, key_id: int, *, community: str | None = None,
               check: bool = False) -> None:
        """Stop a key from working (it stays listed, with its revocation time); the HTTP
        API refuses it from the next request on. With ``check``, a key that does not
        exist (or is not of ``community``) is ``NotFound``; revoking twice is allowed."""
        if check:
            self.store.transact(community, lambda uow: revoke_checked(uow, key_id))
            return
        self.store.transact(None, lambda uow: revoke(uow, key_id))

    def list(self, *, community: str | None = None,
             revoked: bool = False) -> builtins.list[KeyListing]:
        """The keys of ``community`` (none: every key, the platform's too), by id, with
        their role, member, label, first characters and revocation time; never a token."""
        with self.store.reading(community) as uow:
            return listing(uow, revoked=revoked)
