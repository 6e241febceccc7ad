"""Members of a community: add and look up."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.errors import AlreadyExists, ValidationError
from timebank.services.communities import check_code
from timebank.store import ledger as books
from timebank.store.db import Store
from timebank.store.tables import members
from timebank.timeutil import utcnow


@attrs.frozen
class Member:
    code: str
    name: str
    phone: str | None = None
    card: str | None = None
    roles: tuple[str, ...] = ("resident",)
    tags: tuple[str, ...] = ()


class Members:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, community: str, code: str, name: str, *, phone: str | None = None,
            card: str | None = None, roles: Sequence[str] = ("resident",),
            tags: Sequence[str] = ()) -> Member:
        check_code(code)
        if not isinstance(name, str) or not name.strip():
            raise ValidationError("a member needs a name", field="name")

        def run(conn: Connection) -> Member:
            comm = books.community(conn, community)
            try:
                conn.execute(members.insert().values(
                    community_id=comm.id, code=code, name=name, phone=phone, card=card,
                    roles=list(roles), tags=list(tags), created_at=utcnow()))
            except sa.exc.IntegrityError as exc:
                raise AlreadyExists(f"member {code!r} already exists", field="code") from exc
            return Member(code, name, phone, card, tuple(roles), tuple(tags))
        return self.store.write(run)
