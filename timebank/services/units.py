"""Org units: the four-level grid (community → grid → building → household) and teams.

A unit's materialised ``path`` ("/g1/b3/h12/") makes "everything below a unit" one
prefix range on an index. Grids hang from the community itself; a building from a grid,
a household from a building. Teams (服务队) stand alone or under any unit.
"""

from __future__ import annotations

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.errors import AlreadyExists, NotFound, ValidationError
from timebank.services.communities import check_code
from timebank.store import legacy as books
from timebank.store.db import Store
from timebank.store.tables import units

KINDS = ("grid", "building", "household", "team")
PARENT_KIND = {"grid": (None,), "building": ("grid",), "household": ("building",),
               "team": (None, "grid", "building", "household", "team")}


@attrs.frozen
class Unit:
    code: str
    name: str
    kind: str
    parent: str | None
    path: str


def unit_row(conn: Connection, community_id: int, code: str, field: str = "unit") -> sa.Row:
    row = conn.execute(sa.select(units.c.id, units.c.kind, units.c.path)
                       .where(units.c.community_id == community_id, units.c.code == code)
                       ).first()
    if row is None:
        raise NotFound(f"unknown unit {code!r}", field=field)
    return row


class Units:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, community: str, code: str, name: str, kind: str,
               parent: str | None = None) -> Unit:
        """A grid, building, household or team; ``parent`` is the code of the unit above
        (none for a grid)."""
        check_code(code)
        if "/" in code:
            raise ValidationError("a unit code has no '/'", field="code")
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise ValidationError("a unit needs a name of at most 200 characters",
                                  field="name")
        if kind not in KINDS:
            raise ValidationError(f"kind must be one of {', '.join(KINDS)}", field="kind")

        def run(conn: Connection) -> Unit:
            comm = books.community(conn, community)
            parent_id, path = None, "/"
            if parent is not None:
                above = unit_row(conn, comm.id, parent, "parent")
                parent_id, path, parent_kind = above.id, above.path, above.kind
            else:
                parent_kind = None
            if parent_kind not in PARENT_KIND[kind]:
                wanted = " or ".join("the community" if k is None else f"a {k}"
                                     for k in PARENT_KIND[kind])
                raise ValidationError(f"a {kind} belongs to {wanted}", field="parent")
            path = f"{path}{code}/"
            if len(path) > 1000:
                raise ValidationError("the unit is nested too deep", field="parent")
            try:
                conn.execute(units.insert().values(community_id=comm.id, code=code,
                                                   name=name, kind=kind,
                                                   parent_id=parent_id, path=path))
            except sa.exc.IntegrityError as exc:
                raise AlreadyExists(f"unit {code!r} already exists", field="code") from exc
            return Unit(code, name, kind, parent, path)
        return self.store.write(run)

    def get(self, community: str, code: str) -> Unit:
        found = self.list(community, code=code)
        if not found:
            raise NotFound(f"unknown unit {code!r}", field="unit")
        return found[0]

    def list(self, community: str, *, kind: str | None = None, under: str | None = None,
             code: str | None = None) -> list[Unit]:
        """Units by path order, optionally of one ``kind`` and/or below unit ``under``."""
        parents = units.alias("parents")
        with self.store.read() as conn:
            comm = books.community(conn, community)
            query = (sa.select(units.c.code, units.c.name, units.c.kind, parents.c.code,
                               units.c.path)
                     .select_from(units.outerjoin(parents, parents.c.id == units.c.parent_id))
                     .where(units.c.community_id == comm.id).order_by(units.c.path))
            if kind is not None:
                query = query.where(units.c.kind == kind)
            if code is not None:
                query = query.where(units.c.code == code)
            if under is not None:
                top = unit_row(conn, comm.id, under, "under")
                query = query.where(units.c.path.startswith(top.path, autoescape=True),
                                    units.c.id != top.id)
            return [Unit(*row) for row in conn.execute(query).all()]
