"""Who may call: the roles, the identity a request acts as, and a stored API key."""

from __future__ import annotations

from datetime import datetime

import attrs

from timebank.errors import ValidationError
from timebank.i18n import N_, T, Text

ROLES = ("admin", "clerk", "member", "kiosk")
# What a reader calls each role (管理员, 工作人员, 成员, 自助机), for messages naming one.
ROLE_WORDS = {"admin": N_("admin"), "clerk": N_("clerk"), "member": N_("member"),
              "kiosk": N_("kiosk")}


def role_word(role: str) -> Text | str:
    """The role in the reader's language; an unknown role as it is."""
    return Text(ROLE_WORDS[role]) if role in ROLE_WORDS else role


@attrs.frozen
class Actor:
    """Who does something, told apart as a person. ``ref`` is what the books record
    (``key:3``, ``host:u17``, or a named operator's name, ``王芳``), ``name`` the person
    a reader sees (a key's holder, a host user's name); statements show ``shown``.

    Four-eyes compares people (``person_of``): a key's holder and a named CLI operator
    are people by name (one person's two keys, or her key and her CLI work, are one
    actor), a host's identity (``host:...``) is its own, a key without a holder is
    itself. A key's holder is read from the key, never from ``name``."""

    ref: str
    name: str = ""

    @classmethod
    def key(cls, key_id: int, holder: str = "") -> Actor:
        """An API key, by its id, with its holder's name if it was given one."""
        return cls(f"key:{key_id}", holder)

    @classmethod
    def host(cls, user: str, name: str = "") -> Actor:
        """A host system's signed-in user, by the host's id for him."""
        return cls(f"{HOST}{user}", name)

    @classmethod
    def operator(cls, name: str) -> Actor:
        """A named person at the CLI or in a host's script (a community office worker):
        recorded by name, as a plain name recorded before actors was."""
        if not isinstance(name, str) or not name.strip() or name.startswith((KEY, HOST)):
            raise ValidationError(T("an operator is named by a person's name, got {name!r}",
                                    name=name), field="approver")
        return cls(name.strip(), name.strip())

    @property
    def shown(self) -> str:
        """What a statement shows: the name, else the reference."""
        return self.name or self.ref


KEY, HOST = "key:", "host:"


def key_id_of(ref: str) -> int | None:
    """The key id of a ``key:N`` reference."""
    rest = ref.removeprefix(KEY)
    return int(rest) if ref.startswith(KEY) and rest.isdigit() else None


def person_of(ref: str, holder: str = "") -> str:
    """The person behind a recorded reference (``holder``: the key's holder, if known):
    a key's holder or an operator's name as ``person:NAME``, a host identity and a key
    without a holder as themselves."""
    if ref.startswith(KEY):
        return f"person:{holder}" if holder else ref
    if ref.startswith(HOST):
        return ref
    return f"person:{ref}"


@attrs.frozen
class Identity:
    """Who is calling: a role within one community (``None``: the platform) and, for the
    ``member`` role, the one member it may see. ``actor`` is what the books record and
    ``name`` the person behind it (a key's holder); ``as_actor`` the two together."""

    role: str
    community: str | None = None
    member: str | None = None
    actor: str = "api"
    name: str = ""

    def as_actor(self) -> Actor:
        return Actor(self.actor, self.name)


@attrs.frozen
class ApiKey:
    """A stored key, found by its digest: what it grants, and whether it was revoked."""

    id: int
    role: str
    community: str | None
    member: str | None
    revoked_at: datetime | None
    holder: str = ""


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
    holder: str = ""
