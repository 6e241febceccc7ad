"""The API keys' gateway: store a key's digest, find a key by digest, revoke one.

Keys are platform-wide (a platform key has no community), so nothing here reads the unit
of work's community: the use case passes the ids it resolved.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from timebank.domain.access import ApiKey, KeyListing
from timebank.store.gateway import Gateway
from timebank.store.tables import api_keys, communities, members
from timebank.timeutil import utcnow


class KeysGateway(Gateway):
    def add(self, *, community_id: int | None, member_id: int | None, role: str,
            key_hash: str, prefix: str, label: str, holder: str = "") -> int:
        """Store a new key (its digest, never the token); returns its id."""
        return int(self.conn.execute(api_keys.insert().values(
            community_id=community_id, member_id=member_id, role=role, key_hash=key_hash,
            prefix=prefix, label=label, holder=holder, created_at=utcnow())
            .returning(api_keys.c.id)).scalar_one())

    def find(self, key_hash: str) -> ApiKey | None:
        """The key with this digest, with its community's and member's codes."""
        row = self.conn.execute(
            sa.select(api_keys.c.id, api_keys.c.role, communities.c.code, members.c.code,
                      api_keys.c.revoked_at, api_keys.c.holder)
            .select_from(api_keys
                         .outerjoin(communities, communities.c.id == api_keys.c.community_id)
                         .outerjoin(members, members.c.id == api_keys.c.member_id))
            .where(api_keys.c.key_hash == key_hash)).first()
        return None if row is None else ApiKey(*row)

    def listing(self, community_id: int | None, *, revoked: bool) -> list[KeyListing]:
        """Keys by id: of one community (``None``: every key, platform keys too), the
        revoked ones only when ``revoked``."""
        query = (sa.select(api_keys.c.id, api_keys.c.role, communities.c.code,
                           members.c.code, api_keys.c.prefix, api_keys.c.label,
                           api_keys.c.created_at, api_keys.c.revoked_at, api_keys.c.holder)
                 .select_from(api_keys
                              .outerjoin(communities,
                                         communities.c.id == api_keys.c.community_id)
                              .outerjoin(members, members.c.id == api_keys.c.member_id))
                 .order_by(api_keys.c.id))
        if community_id is not None:
            query = query.where(api_keys.c.community_id == community_id)
        if not revoked:
            query = query.where(api_keys.c.revoked_at.is_(None))
        return [KeyListing(*row) for row in self.conn.execute(query)]

    def holders(self, key_ids: Iterable[int]) -> dict[int, str]:
        """The holder's name of each of ``key_ids`` that has one."""
        wanted = sorted(set(key_ids))
        if not wanted:
            return {}
        return {int(kid): holder for kid, holder in self.conn.execute(
            sa.select(api_keys.c.id, api_keys.c.holder)
            .where(api_keys.c.id.in_(wanted), api_keys.c.holder != ""))}

    def community_of(self, key_id: int) -> tuple[bool, int | None]:
        """Whether key ``key_id`` exists, and its community's id (``None``: platform)."""
        row = self.conn.execute(sa.select(api_keys.c.community_id)
                                .where(api_keys.c.id == key_id)).first()
        return (False, None) if row is None else (True, row[0])

    def revoke(self, key_id: int) -> None:
        """Mark the key revoked, once: a revoked key keeps its first revocation time."""
        self.conn.execute(api_keys.update()
                          .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
                          .values(revoked_at=utcnow()))
