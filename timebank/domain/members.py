"""Members and the org units they live and serve in, as the use cases and views see them.

Units form a four-level grid (community → grid → building → household) plus teams (服务队),
which stand alone or under any unit. A unit's materialised ``path`` ("/g1/b3/h12/") makes
"everything below a unit" one prefix range on an index.
"""

from __future__ import annotations

import attrs

KINDS = ("grid", "building", "household", "team")
# The kinds of unit each kind may hang from; ``None`` is the community itself.
PARENT_KIND: dict[str, tuple[str | None, ...]] = {
    "grid": (None,), "building": ("grid",), "household": ("building",),
    "team": (None, "grid", "building", "household", "team")}


@attrs.frozen
class Member:
    code: str
    name: str
    phone: str | None = None
    card: str | None = None
    roles: tuple[str, ...] = ("resident",)
    tags: tuple[str, ...] = ()
    unit: str | None = None
    teams: tuple[str, ...] = ()


@attrs.frozen
class Unit:
    code: str
    name: str
    kind: str
    parent: str | None
    path: str


@attrs.frozen
class UnitRef:
    """A unit as a use case needs it to hang a unit or a member from it, or to select
    what lies below it."""

    id: int
    kind: str
    path: str
