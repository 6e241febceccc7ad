"""Who is calling and what they may do: API keys (or a host's identity resolver) and roles.

A view declares the roles it admits with ``@allow(...)``; the decorator resolves the
caller, answers 401 for no or an unknown key and 403 for a role, community or member
outside its rights, and only then lets the request's arguments be parsed. The community a
request acts on is always the caller's own; a platform key (an admin key without a
community) names one with the ``X-Timebank-Community`` header.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request

from timebank.domain.access import role_word
from timebank.errors import Forbidden, Unauthorized, ValidationError
from timebank.i18n import T
from timebank.services.keys import ROLES, Identity

COMMUNITY_HEADER = "X-Timebank-Community"
Resolver = Callable[[Any], Identity | None]

__all__ = ["COMMUNITY_HEADER", "Identity", "Resolver", "allow", "community", "identity"]


def bearer_resolver(bank: Any, ttl: float = 0.0) -> Resolver:
    """The default resolver: ``Authorization: Bearer <key>`` looked up by its hash.

    By default every request reads the key (one indexed look-up), so a key revoked by
    ``timebank keys revoke`` in another process fails from the next request on. An
    embedder may pass ``ttl`` seconds to remember known keys that long (a revoked key
    then works up to ``ttl`` seconds more). Unknown keys are never remembered."""
    known: dict[str, tuple[float, Identity]] = {}

    def resolve(req: Any) -> Identity | None:
        scheme, _, token = req.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        now = time.monotonic()
        hit = known.get(token)
        if hit is not None and hit[0] > now:
            return hit[1]
        found = bank.keys.resolve(token)
        if ttl > 0:
            if len(known) > 10_000:
                known.clear()
            known[token] = (now + ttl, found)
        return found
    return resolve


def identity() -> Identity:
    """The caller of the current request (resolved once per request)."""
    found = g.get("timebank_identity")
    if found is None:
        state = current_app.extensions["timebank"]
        found = state.resolver(request)
        if found is None:
            raise Unauthorized(T("this request needs an API key: Authorization: Bearer <key>"))
        if not isinstance(found, Identity) or found.role not in ROLES:
            raise Unauthorized(T("the identity resolver returned no known role"))
        g.timebank_identity = found
    return found


def community() -> str:
    """The community this request acts on: the caller's, or the one a platform key names."""
    who = identity()
    named = request.headers.get(COMMUNITY_HEADER)
    if who.community is not None:
        if named not in (None, who.community):
            raise Forbidden(T("this key belongs to another community"), field="community")
        return who.community
    if not named:
        raise ValidationError(T("a platform key names the community in {community_header}",
                                community_header=COMMUNITY_HEADER),
                              field=COMMUNITY_HEADER)
    return named


def allow(*roles: str, own: str | None = None,
          scope: str | None = None) -> Callable[[Any], Any]:
    """Admit callers with one of ``roles``. ``own`` names the path argument holding a
    member code: a ``member`` key is admitted only when that code is its own member.
    ``scope`` names a path argument holding a community code: a key is admitted only for
    its own community (a platform admin key for any)."""
    unknown = set(roles) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"

    def decorate(view: Any) -> Any:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            who = identity()
            if who.role not in roles:
                raise Forbidden(T("the {role} role may not do this", role=role_word(who.role)),
                                role=who.role)
            if who.role == "member" and (own is None or kwargs.get(own) != who.member):
                raise Forbidden(T("a member key sees only its own member"), role=who.role)
            if scope is not None:
                if who.community not in (None, kwargs.get(scope)):
                    raise Forbidden(T("this key belongs to another community"),
                                    field="community")
            else:
                community()  # a foreign community is refused before any work
            return view(*args, **kwargs)
        guarded.__doc__ = (view.__doc__ or "").rstrip() + \
            f"\n\nRoles: {', '.join(roles)}" + (" (own member only)" if
                                                 own and "member" in roles else "") + "."
        return guarded
    return decorate


def platform_only(view: Any) -> Any:
    """Admit only a platform key (an admin key without a community)."""
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        who = identity()
        if who.role != "admin" or who.community is not None:
            raise Forbidden(T("only a platform admin key may do this"), role=who.role)
        return view(*args, **kwargs)
    guarded.__doc__ = (view.__doc__ or "").rstrip() + "\n\nRoles: platform admin."
    return guarded
