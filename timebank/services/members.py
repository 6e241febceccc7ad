"""Members of a community: add, update, look up (by code, card or phone), list.

A member's ``code`` is the host system's id for the person. Card codes are unique in a
community (a desk scans them); a phone may be shared by a household, so a phone look-up
that matches several members asks for the card or code instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.errors import AlreadyExists, UnknownMember, ValidationError
from timebank.services.communities import check_code
from timebank.services.units import unit_row
from timebank.store import legacy as books
from timebank.store.db import Store
from timebank.store.tables import member_teams, members, units
from timebank.timeutil import utcnow

_NAME = re.compile(r"^[\w.-]{1,32}$")
UNSET: Any = object()  # "leave as it is" for ``update``


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


def _names(values: object, field: str) -> list[str]:
    """Roles and tags: short names (``party_member``, ``low_income``), no duplicates."""
    if isinstance(values, str) or not isinstance(values, Sequence | set | frozenset):
        raise ValidationError(f"{field} must be a list of names", field=field)
    out = []
    for value in values:
        if not isinstance(value, str) or not _NAME.match(value):
            raise ValidationError(f"{field}: {value!r} is not a name (letters, digits, "
                                  "'_', '-', '.'; at most 32)", field=field)
        if value not in out:
            out.append(value)
    return out


def _optional(value: object, field: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise ValidationError(f"{field} must be text of at most {limit} characters",
                              field=field)
    return value


def _name(name: object) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ValidationError("a member needs a name of at most 200 characters",
                              field="name")
    return name


class Members:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- writes --------------------------------------------------------------------------

    def add(self, community: str, code: str, name: str, *, phone: str | None = None,
            card: str | None = None, roles: Sequence[str] = ("resident",),
            tags: Sequence[str] = (), unit: str | None = None,
            teams: Sequence[str] = ()) -> Member:
        """A new member; ``unit`` is the code of the household (or any unit) they live
        in, ``teams`` the codes of the team units they serve in."""
        check_code(code)
        card_code = _optional(card, "card", 64)
        row: dict[str, Any] = {"code": code, "name": _name(name),
                               "phone": _optional(phone, "phone", 32), "card": card_code,
                               "roles": _names(roles, "roles"), "tags": _names(tags, "tags")}
        team_codes = _names(teams, "teams")

        def run(conn: Connection) -> Member:
            comm = books.community(conn, community)
            unit_id = unit_row(conn, comm.id, unit).id if unit is not None else None
            team_ids = self._teams(conn, comm.id, team_codes)
            self._card_free(conn, comm.id, card_code, None)
            try:
                member_id = conn.execute(members.insert().values(
                    community_id=comm.id, unit_id=unit_id, created_at=utcnow(), **row)
                    .returning(members.c.id)).scalar_one()
            except sa.exc.IntegrityError as exc:
                raise AlreadyExists(f"member {code!r} already exists", field="code") from exc
            if team_ids:
                conn.execute(member_teams.insert(),
                             [{"member_id": member_id, "unit_id": t} for t in team_ids])
            return _load(conn, comm.id, [member_id])[0]
        return self.store.write(run)

    def update(self, community: str, code: str, *, name: str = UNSET, phone: str | None = UNSET,
               card: str | None = UNSET, roles: Sequence[str] = UNSET,
               tags: Sequence[str] = UNSET, unit: str | None = UNSET,
               teams: Sequence[str] = UNSET) -> Member:
        """Change only the fields given (PATCH); ``None`` clears phone, card or unit."""
        changes: dict[str, Any] = {}
        if name is not UNSET:
            changes["name"] = _name(name)
        if phone is not UNSET:
            changes["phone"] = _optional(phone, "phone", 32)
        if card is not UNSET:
            changes["card"] = _optional(card, "card", 64)
        if roles is not UNSET:
            changes["roles"] = _names(roles, "roles")
        if tags is not UNSET:
            changes["tags"] = _names(tags, "tags")
        team_codes = _names(teams, "teams") if teams is not UNSET else None

        def run(conn: Connection) -> Member:
            comm = books.community(conn, community)
            member_id = books.member_id(conn, comm.id, code)
            if unit is not UNSET:
                changes["unit_id"] = unit_row(conn, comm.id, unit).id if unit else None
            if changes.get("card"):
                self._card_free(conn, comm.id, changes["card"], member_id)
            if changes:
                conn.execute(members.update().where(members.c.id == member_id)
                             .values(**changes))
            if team_codes is not None:
                team_ids = self._teams(conn, comm.id, team_codes)
                conn.execute(member_teams.delete().where(member_teams.c.member_id == member_id))
                if team_ids:
                    conn.execute(member_teams.insert(),
                                 [{"member_id": member_id, "unit_id": t} for t in team_ids])
            return _load(conn, comm.id, [member_id])[0]
        return self.store.write(run)

    @staticmethod
    def _teams(conn: Connection, community_id: int, codes: Sequence[str]) -> list[int]:
        if not codes:
            return []
        found = dict(conn.execute(
            sa.select(units.c.code, units.c.id)
            .where(units.c.community_id == community_id, units.c.code.in_(codes),
                   units.c.kind == "team")).all())
        missing = [c for c in codes if c not in found]
        if missing:
            raise ValidationError(f"unknown team {missing[0]!r}", field="teams")
        return [found[c] for c in codes]

    @staticmethod
    def _card_free(conn: Connection, community_id: int, card: str | None,
                   member_id: int | None) -> None:
        if card is None:
            return
        holder = conn.execute(sa.select(members.c.id).where(
            members.c.community_id == community_id, members.c.card == card)).scalar()
        if holder is not None and holder != member_id:
            raise AlreadyExists(f"card {card!r} belongs to another member", field="card")

    # -- reads ---------------------------------------------------------------------------

    def get(self, community: str, code: str) -> Member:
        return self.lookup(community, code=code)

    def lookup(self, community: str, *, code: str | None = None, card: str | None = None,
               phone: str | None = None) -> Member:
        """The one member with this code, card or phone (give exactly one)."""
        given = {k: v for k, v in {"code": code, "card": card, "phone": phone}.items()
                 if v is not None}
        if len(given) != 1:
            raise ValidationError("look a member up by one of code, card or phone",
                                  field="code")
        (field, value), = given.items()
        with self.store.read() as conn:
            comm = books.community(conn, community)
            ids = conn.execute(sa.select(members.c.id).where(
                members.c.community_id == comm.id, members.c[field] == value)
                .limit(2)).scalars().all()
            if not ids:
                raise UnknownMember(f"no member with {field} {value!r}", field=field)
            if len(ids) > 1:
                raise ValidationError(f"several members share {field} {value!r}: use the "
                                      "card or the member code", field=field)
            return _load(conn, comm.id, ids)[0]

    def list(self, community: str, *, unit: str | None = None, role: str | None = None,
             team: str | None = None, tag: str | None = None, after: str | None = None,
             limit: int = 100) -> list[Member]:
        """Members by code, optionally living in ``unit`` or anywhere below it, holding
        ``role`` or ``tag``, serving in ``team``; ``after`` a code to page on."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10_000:
            raise ValidationError("limit is from 1 to 10000", field="limit")
        with self.store.read() as conn:
            comm = books.community(conn, community)
            query = (sa.select(members.c.id).where(members.c.community_id == comm.id)
                     .order_by(members.c.code))
            if unit is not None:
                top = unit_row(conn, comm.id, unit)
                below = sa.select(units.c.id).where(
                    units.c.community_id == comm.id,
                    units.c.path.startswith(top.path, autoescape=True))
                query = query.where(members.c.unit_id.in_(below))
            if team is not None:
                team_id = unit_row(conn, comm.id, team, "team").id
                query = query.where(members.c.id.in_(
                    sa.select(member_teams.c.member_id)
                    .where(member_teams.c.unit_id == team_id)))
            if after is not None:
                query = query.where(members.c.code > after)
            ids = conn.execute(query).scalars().all()
            found = _load(conn, comm.id, ids)
        # Roles and tags are JSON lists: filtered here, portable across both engines.
        found = [m for m in found if (role is None or role in m.roles)
                 and (tag is None or tag in m.tags)]
        return found[:limit]


def _load(conn: Connection, community_id: int, ids: Sequence[int]) -> list[Member]:
    """Members by id (in the order given), with their unit and team codes."""
    if not ids:
        return []
    by_id: dict[int, Member] = {}
    teams: dict[int, list[str]] = {}
    for start in range(0, len(ids), 5000):
        chunk = list(ids[start:start + 5000])
        for mid, team in conn.execute(
                sa.select(member_teams.c.member_id, units.c.code)
                .join(units, units.c.id == member_teams.c.unit_id)
                .where(member_teams.c.member_id.in_(chunk)).order_by(units.c.code)):
            teams.setdefault(mid, []).append(team)
        rows = conn.execute(
            sa.select(members.c.id, members.c.code, members.c.name, members.c.phone,
                      members.c.card, members.c.roles, members.c.tags,
                      units.c.code.label("unit"))
            .select_from(members.outerjoin(units, units.c.id == members.c.unit_id))
            .where(members.c.id.in_(chunk), members.c.community_id == community_id))
        for r in rows:
            by_id[r.id] = Member(r.code, r.name, r.phone, r.card, tuple(r.roles),
                                 tuple(r.tags), r.unit, tuple(teams.get(r.id, ())))
    return [by_id[i] for i in ids if i in by_id]
