"""The rules' gateway: the stored versions of the community's rules.

A version's definition is stored as ``rulebook.to_dict`` makes it and built back into a
validated ``Rule`` as it is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa

from timebank.domain import rulebook
from timebank.domain.rule_versions import StoredVersion, Versions
from timebank.store.gateway import Gateway
from timebank.store.tables import contributions, rule_versions
from timebank.timeutil import utcnow

_v = rule_versions.c


class RulesGateway(Gateway):
    def versions(self, codes: Iterable[str] | None = None) -> Versions:
        """Every stored version of the community's rules (or of ``codes``), oldest
        first."""
        query = (sa.select(_v.id, _v.code, _v.definition)
                 .where(_v.community_id == self.uow.community_id)
                 .order_by(_v.code, _v.effective_from))
        if codes is not None:
            query = query.where(_v.code.in_(sorted(set(codes))))
        found: Versions = {}
        for vid, code, definition in self.conn.execute(query):
            found.setdefault(code, []).append((vid, rulebook.rule(**definition)))
        return found

    def latest(self, code: str) -> StoredVersion | None:
        """The newest version of rule ``code``, if it has one."""
        row = self.conn.execute(
            sa.select(_v.id, _v.effective_from, _v.definition)
            .where(_v.community_id == self.uow.community_id, _v.code == code)
            .order_by(_v.effective_from.desc()).limit(1)).first()
        return None if row is None else StoredVersion(row.id, row.effective_from,
                                                      row.definition)

    def in_use(self, version_id: int) -> bool:
        """Whether any contribution was valued by the version."""
        return self.conn.execute(sa.select(contributions.c.id).where(
            contributions.c.rule_version_id == version_id).limit(1)).first() is not None

    def add(self, code: str, effective_from: date, definition: Mapping[str, Any],
            actor: str) -> None:
        self.conn.execute(rule_versions.insert().values(
            community_id=self.uow.community_id, code=code, effective_from=effective_from,
            definition=dict(definition), created_at=utcnow(), created_by=actor))

    def rewrite(self, version_id: int, definition: Mapping[str, Any], actor: str) -> None:
        """Replace a version no contribution was valued by yet."""
        self.conn.execute(rule_versions.update().where(_v.id == version_id).values(
            definition=dict(definition), created_at=utcnow(), created_by=actor))
