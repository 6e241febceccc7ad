"""The org units' gateway (``uow.members.units``): grids, buildings, households and teams
of the unit of work's community."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from timebank.domain.members import Unit, UnitRef
from timebank.errors import AlreadyExists, NotFound
from timebank.i18n import T
from timebank.store.gateway import Gateway
from timebank.store.tables import units


class UnitsGateway(Gateway):
    def ref(self, code: str, field: str = "unit") -> UnitRef:
        """The unit ``code``; ``NotFound`` (naming ``field``) if there is none."""
        row = self.conn.execute(
            sa.select(units.c.id, units.c.kind, units.c.path)
            .where(units.c.community_id == self.uow.community_id, units.c.code == code)
        ).first()
        if row is None:
            raise NotFound(T("unknown unit {unit!r}", unit=code), field=field)
        return UnitRef(row.id, row.kind, row.path)

    def teams(self, codes: Sequence[str]) -> dict[str, int]:
        """Ids of the teams among ``codes``, by code in the database's code order (the
        order a member's teams are listed in); codes that name no team are left out."""
        if not codes:
            return {}
        return dict(self.conn.execute(  # type: ignore[arg-type]
            sa.select(units.c.code, units.c.id)
            .where(units.c.community_id == self.uow.community_id,
                   units.c.code.in_(codes), units.c.kind == "team")
            .order_by(units.c.code)).all())

    def add(self, code: str, name: str, kind: str, parent_id: int | None, path: str) -> None:
        try:
            self.conn.execute(units.insert().values(
                community_id=self.uow.community_id, code=code, name=name, kind=kind,
                parent_id=parent_id, path=path))
        except sa.exc.IntegrityError as exc:
            raise AlreadyExists(T("unit {code!r} already exists", code=code), field="code") from exc

    def listing(self, *, kind: str | None = None, under: UnitRef | None = None,
                code: str | None = None) -> list[Unit]:
        """Units in path order, optionally of one ``kind``, strictly below ``under``, or
        the one with ``code``."""
        parents = units.alias("parents")
        query = (sa.select(units.c.code, units.c.name, units.c.kind, parents.c.code,
                           units.c.path)
                 .select_from(units.outerjoin(parents, parents.c.id == units.c.parent_id))
                 .where(units.c.community_id == self.uow.community_id)
                 .order_by(units.c.path))
        if kind is not None:
            query = query.where(units.c.kind == kind)
        if code is not None:
            query = query.where(units.c.code == code)
        if under is not None:
            query = query.where(units.c.path.startswith(under.path, autoescape=True),
                                units.c.id != under.id)
        return [Unit(*row) for row in self.conn.execute(query).all()]
