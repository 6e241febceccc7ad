"""The members' gateway: members of the unit of work's community, their units and teams."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from timebank.errors import UnknownMember
from timebank.store.fast import Statement
from timebank.store.tables import members
from timebank.store.uow import Gateway

CHUNK = 10_000
_MEMBER_ID = Statement(sa.select(members.c.id).where(
    members.c.community_id == sa.bindparam("p_community"),
    members.c.code == sa.bindparam("p_code")))


class MembersGateway(Gateway):
    def id_of(self, code: str) -> int:
        found = _MEMBER_ID.one(self.conn, {"p_community": self.uow.community_id,
                                           "p_code": code})
        if found is None:
            raise UnknownMember(f"unknown member {code!r}", field="member")
        return int(found[0])

    def ids(self, codes: Iterable[str]) -> dict[str, int]:
        """Member ids by code; an unknown code raises ``UnknownMember`` naming it."""
        wanted = sorted(set(codes))
        community_id = self.uow.community_id
        found: dict[str, int] = {}
        for start in range(0, len(wanted), CHUNK):
            found.update(self.conn.execute(  # type: ignore[arg-type]
                sa.select(members.c.code, members.c.id)
                .where(members.c.community_id == community_id,
                       members.c.code.in_(wanted[start:start + CHUNK]))).all())
        missing = [code for code in wanted if code not in found]
        if missing:
            raise UnknownMember(f"unknown member {missing[0]!r}"
                                + (f" (and {len(missing) - 1} more)" if len(missing) > 1
                                   else ""), field="member", code=missing[0])
        return found
