"""The communities' gateway: create a community with its system accounts, read it, and
keep its settings (the rulebook's policies)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from timebank.domain.community import CommunityRef
from timebank.errors import AlreadyExists, UnknownCommunity
from timebank.i18n import T
from timebank.store.fast import Statement
from timebank.store.gateway import Gateway
from timebank.store.tables import communities
from timebank.timeutil import utcnow

_COMMUNITY = Statement(
    sa.select(communities.c.id, communities.c.code, communities.c.timezone,
              communities.c.settings, communities.c.name)
    .where(communities.c.code == sa.bindparam("p_code")))


class CommunitiesGateway(Gateway):
    def add(self, code: str, name: str, timezone: str,
            settings: Mapping[str, Any]) -> CommunityRef:
        """Insert the community and open its system accounts.

        A unit of work for ``code`` then acts for the new community without reading it
        back, and without putting its id in the process's cache before the transaction
        commits (a rolled-back id must never be remembered).
        """
        try:
            community_id = self.conn.execute(communities.insert().values(
                code=code, name=name, timezone=timezone, settings=dict(settings),
                created_at=utcnow()).returning(communities.c.id)).scalar_one()
        except sa.exc.IntegrityError as exc:
            raise AlreadyExists(T("community {code!r} already exists", code=code),
                                field="code") from exc
        self.uow.ledger.open_system_accounts(community_id)
        ref = CommunityRef(int(community_id), code, timezone, dict(settings))
        if self.uow.community_code == code:
            self.uow.act_for(ref)
        return ref

    def _row(self, code: str) -> tuple[Any, ...]:
        row = _COMMUNITY.one(self.conn, {"p_code": code})
        if row is None:
            raise UnknownCommunity(T("unknown community {community!r}", community=code),
                                   field="community")
        return row

    def get(self, code: str) -> CommunityRef:
        return self.named(code)[0]

    def named(self, code: str) -> tuple[CommunityRef, str]:
        """The community and its name, in one read."""
        community_id, found, timezone, settings, name = self._row(code)
        return CommunityRef(community_id, found, timezone, settings or {}), str(name)

    def name(self, code: str) -> str:
        return self.named(code)[1]

    def set_settings(self, community_id: int, settings: Mapping[str, Any]) -> dict[str, Any]:
        """Replace the community's settings; returns them as stored."""
        stored = self.conn.execute(
            communities.update().where(communities.c.id == community_id)
            .values(settings=dict(settings)).returning(communities.c.settings)).scalar()
        return dict(stored or {})
