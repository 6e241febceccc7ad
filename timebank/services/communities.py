"""Communities: create one (with its system accounts and rulebook), read it, change its
settings.

Each use case is a function taking a unit of work; the ``Communities`` facade runs it
through ``Store.transact`` (writes) or ``Store.reading`` (reads).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from timebank.domain.rulebook import Rulebook, load
from timebank.errors import ValidationError
from timebank.i18n import T
from timebank.services import rules
from timebank.store.db import Store
from timebank.store.uow import UnitOfWork
from timebank.timeutil import DEFAULT_TIMEZONE, zone


@attrs.frozen
class Community:
    code: str
    name: str
    timezone: str
    settings: Mapping[str, Any]


def check_code(code: object, field: str = "code") -> str:
    if not isinstance(code, str) or not code.strip() or len(code) > 64:
        raise ValidationError(T("{field} must be a non-empty code of at most 64 characters",
                                field=field),
                              field=field)
    return code


# -- use cases ------------------------------------------------------------------------------


def create(uow: UnitOfWork, code: str, name: str, *, timezone: str,
           settings: Mapping[str, Any] | None, book: Rulebook | None) -> Community:
    """Add the community (``uow`` acts for ``code``) and install ``book`` in the same
    transaction: a rulebook that fails to install leaves no community behind."""
    ref = uow.communities.add(code, name, timezone, dict(settings or {}))
    if book is None:
        return Community(code, name, timezone, ref.settings)
    rules.install(uow, book)
    # The rulebook wrote its policies into the settings: read them as stored.
    return Community(code, name, timezone, uow.communities.get(code).settings)


def get(uow: UnitOfWork, code: str) -> Community:
    ref, name = uow.communities.named(code)
    return Community(ref.code, name, ref.timezone, ref.settings)


def update_settings(uow: UnitOfWork, code: str, changes: Mapping[str, Any]) -> Community:
    """Merge ``changes`` into the community's settings."""
    ref, name = uow.communities.named(code)
    stored = uow.communities.set_settings(ref.id, {**ref.settings, **changes})
    return Community(ref.code, name, ref.timezone, stored)


class Communities:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, code: str, name: str, *, timezone: str = DEFAULT_TIMEZONE,
               settings: Mapping[str, Any] | None = None,
               rulebook: str | Path | Rulebook | None = None) -> Community:
        """A new community with its issuance, redemption, expiry and pool accounts, and
        its rulebook (a file, a shipped name such as ``red_vest``, or a ``Rulebook``)
        installed in the same transaction: a bad rulebook leaves no community behind."""
        check_code(code)
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(T("a community needs a name"), field="name")
        zone(timezone)
        book = load(rulebook) if isinstance(rulebook, str | Path) else rulebook
        return self.store.transact(code, lambda uow: create(
            uow, code, name, timezone=timezone, settings=settings, book=book))

    def get(self, code: str) -> Community:
        with self.store.reading(code) as uow:
            return get(uow, code)

    def update_settings(self, code: str, changes: Mapping[str, Any]) -> Community:
        """Merge ``changes`` into the community's settings (policies, rulebook, ...)."""
        return self.store.transact(code, lambda uow: update_settings(uow, code, changes))
