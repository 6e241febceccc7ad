"""Communities: create one (with its system accounts) and read it back."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain.rulebook import Rulebook
from timebank.domain.rulebook import load as rulebook_of
from timebank.errors import AlreadyExists, ValidationError
from timebank.services import rules
from timebank.store import legacy as books
from timebank.store.db import Store
from timebank.store.tables import communities
from timebank.timeutil import DEFAULT_TIMEZONE, utcnow, zone


@attrs.frozen
class Community:
    code: str
    name: str
    timezone: str
    settings: Mapping[str, Any]


def check_code(code: object, field: str = "code") -> str:
    if not isinstance(code, str) or not code.strip() or len(code) > 64:
        raise ValidationError(f"{field} must be a non-empty code of at most 64 characters",
                              field=field)
    return code


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
            raise ValidationError("a community needs a name", field="name")
        zone(timezone)
        book = rulebook_of(rulebook) if isinstance(rulebook, str | Path) else rulebook

        def run(conn: Connection) -> Community:
            try:
                community_id = conn.execute(communities.insert().values(
                    code=code, name=name, timezone=timezone, settings=dict(settings or {}),
                    created_at=utcnow()).returning(communities.c.id)).scalar_one()
            except sa.exc.IntegrityError as exc:
                raise AlreadyExists(f"community {code!r} already exists",
                                    field="code") from exc
            books.open_system_accounts(conn, community_id)
            if book is None:
                return Community(code, name, timezone, dict(settings or {}))
            ref = books.CommunityRef(community_id, code, timezone, dict(settings or {}))
            rules.install(conn, ref, book)
            return Community(code, name, timezone, books.community(conn, code).settings)
        return self.store.write(run)

    def get(self, code: str) -> Community:
        with self.store.read() as conn:
            ref = books.community(conn, code)
            name = conn.execute(sa.select(communities.c.name)
                                .where(communities.c.id == ref.id)).scalar_one()
        return Community(ref.code, name, ref.timezone, ref.settings)

    def update_settings(self, code: str, changes: Mapping[str, Any]) -> Community:
        """Merge ``changes`` into the community's settings (policies, rulebook, ...)."""
        def run(conn: Connection) -> None:
            ref = books.community(conn, code)
            conn.execute(communities.update().where(communities.c.id == ref.id)
                         .values(settings={**ref.settings, **changes}))
        self.store.write(run)
        return self.get(code)
