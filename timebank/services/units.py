"""Org units: the four-level grid (community → grid → building → household) and teams.

Grids hang from the community itself; a building from a grid, a household from a
building. Teams (服务队) stand alone or under any unit. Each use case is a function taking
a unit of work; the ``Units`` facade runs it in a transaction.
"""

from __future__ import annotations

from timebank.domain.members import KINDS, PARENT_KIND, Unit
from timebank.errors import NotFound, ValidationError
from timebank.i18n import T
from timebank.services.communities import check_code
from timebank.store.db import Store
from timebank.store.uow import UnitOfWork

__all__ = ["KINDS", "PARENT_KIND", "Unit", "Units", "create", "listing"]


# -- use cases ------------------------------------------------------------------------------


def create(uow: UnitOfWork, code: str, name: str, kind: str,
           parent: str | None = None) -> Unit:
    """A grid, building, household or team below ``parent`` (a unit's code)."""
    check_code(code)
    if "/" in code:
        raise ValidationError(T("a unit code has no '/'"), field="code")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ValidationError(T("a unit needs a name of at most 200 characters"), field="name")
    if kind not in KINDS:
        raise ValidationError(T("kind must be one of {kinds}", kinds=', '.join(KINDS)),
                              field="kind")
    parent_id, path, parent_kind = None, "/", None
    if parent is not None:
        above = uow.members.units.ref(parent, "parent")
        parent_id, path, parent_kind = above.id, above.path, above.kind
    if parent_kind not in PARENT_KIND[kind]:
        wanted = " or ".join("the community" if k is None else f"a {k}"
                             for k in PARENT_KIND[kind])
        raise ValidationError(T("a {kind} belongs to {wanted}", kind=kind, wanted=wanted),
                              field="parent")
    path = f"{path}{code}/"
    if len(path) > 1000:
        raise ValidationError(T("the unit is nested too deep"), field="parent")
    uow.members.units.add(code, name, kind, parent_id, path)
    return Unit(code, name, kind, parent, path)


def listing(uow: UnitOfWork, *, kind: str | None = None, under: str | None = None,
            code: str | None = None) -> list[Unit]:
    """Units by path order, optionally of one ``kind`` and/or below unit ``under``."""
    units = uow.members.units
    top = units.ref(under, "under") if under is not None else None
    return units.listing(kind=kind, under=top, code=code)


class Units:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, community: str, code: str, name: str, kind: str,
               parent: str | None = None) -> Unit:
        """A grid, building, household or team; ``parent`` is the code of the unit above
        (none for a grid)."""
        return self.store.transact(community, lambda uow: create(
            uow, code, name, kind, parent))

    def get(self, community: str, code: str) -> Unit:
        found = self.list(community, code=code)
        if not found:
            raise NotFound(T("unknown unit {unit!r}", unit=code), field="unit")
        return found[0]

    def list(self, community: str, *, kind: str | None = None, under: str | None = None,
             code: str | None = None) -> list[Unit]:
        """Units by path order, optionally of one ``kind`` and/or below unit ``under``."""
        with self.store.reading(community) as uow:
            return listing(uow, kind=kind, under=under, code=code)
