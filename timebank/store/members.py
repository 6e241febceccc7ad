"""The members' gateway: members of the unit of work's community, their units and teams."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from timebank.domain.members import Member, UnitRef
from timebank.errors import AlreadyExists, UnknownMember
from timebank.i18n import T
from timebank.store.fast import Statement
from timebank.store.gateway import Gateway
from timebank.store.tables import member_teams, members, units
from timebank.store.units import UnitsGateway
from timebank.timeutil import utcnow

CHUNK = 10_000
TEAM_CHUNK = 5000
_MEMBER_ID = Statement(sa.select(members.c.id).where(
    members.c.community_id == sa.bindparam("p_community"),
    members.c.code == sa.bindparam("p_code")))
# A member with the code of the unit they live in (teams are read separately).
_MEMBER = (sa.select(members.c.id, members.c.code, members.c.name, members.c.phone,
                     members.c.card, members.c.roles, members.c.tags,
                     units.c.code.label("unit"))
           .select_from(members.outerjoin(units, units.c.id == members.c.unit_id)))


class MembersGateway(Gateway):
    @cached_property
    def units(self) -> UnitsGateway:
        """The org units members live and serve in."""
        return UnitsGateway(self.uow)

    # -- ids -----------------------------------------------------------------------------

    def id_of(self, code: str) -> int:
        found = _MEMBER_ID.one(self.conn, {"p_community": self.uow.community_id,
                                           "p_code": code})
        if found is None:
            raise UnknownMember(T("unknown member {member!r}", member=code), field="member")
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
            raise UnknownMember(T("unknown member {member!r}", member=missing[0])
                                if len(missing) == 1 else
                                T("unknown member {member!r} (and {more} more)",
                                  member=missing[0], more=len(missing) - 1),
                                field="member", code=missing[0])
        return found

    def card_holder(self, card: str) -> int | None:
        """The id of the member holding ``card``, if any."""
        found = self.conn.execute(sa.select(members.c.id).where(
            members.c.community_id == self.uow.community_id, members.c.card == card)).scalar()
        return None if found is None else int(found)

    # -- writes --------------------------------------------------------------------------

    def add(self, fields: Mapping[str, Any], unit_id: int | None,
            team_ids: Iterable[int]) -> int:
        """Insert a member (``fields``: code, name, phone, card, roles, tags) living in
        ``unit_id`` and serving in ``team_ids``; returns its id."""
        try:
            member_id = self.conn.execute(members.insert().values(
                community_id=self.uow.community_id, unit_id=unit_id, created_at=utcnow(),
                **fields).returning(members.c.id)).scalar_one()
        except sa.exc.IntegrityError as exc:
            raise AlreadyExists(T("member {code!r} already exists", code=fields["code"]),
                                field="code") from exc
        self._join_teams(member_id, team_ids)
        return int(member_id)

    def change(self, member_id: int, changes: Mapping[str, Any]) -> None:
        """Set the columns in ``changes`` (name, phone, card, roles, tags, unit_id)."""
        if changes:
            self.conn.execute(members.update().where(members.c.id == member_id)
                              .values(**changes))

    def set_teams(self, member_id: int, team_ids: Iterable[int]) -> None:
        self.conn.execute(member_teams.delete().where(member_teams.c.member_id == member_id))
        self._join_teams(member_id, team_ids)

    def _join_teams(self, member_id: int, team_ids: Iterable[int]) -> None:
        rows = [{"member_id": member_id, "unit_id": t} for t in team_ids]
        if rows:
            self.conn.execute(member_teams.insert(), rows)

    # -- reads ---------------------------------------------------------------------------

    def load(self, member_id: int) -> Member:
        return self._members(_MEMBER.where(members.c.id == member_id))[0]

    def matching(self, field: str, value: str, limit: int) -> list[Member]:
        """Up to ``limit`` members whose ``field`` (code, card or phone) is ``value``."""
        return self._members(_MEMBER.where(members.c.community_id == self.uow.community_id,
                                           members.c[field] == value).limit(limit))

    def listing(self, *, under: UnitRef | None = None, team_id: int | None = None,
                after: str | None = None, limit: int | None = None) -> list[Member]:
        """Members by code: living in ``under`` or below it, serving in ``team_id``,
        coded after ``after``; at most ``limit``."""
        community_id = self.uow.community_id
        query = _MEMBER.where(members.c.community_id == community_id).order_by(members.c.code)
        if under is not None:
            query = query.where(members.c.unit_id.in_(sa.select(units.c.id).where(
                units.c.community_id == community_id,
                units.c.path.startswith(under.path, autoescape=True))))
        if team_id is not None:
            query = query.where(members.c.id.in_(
                sa.select(member_teams.c.member_id).where(member_teams.c.unit_id == team_id)))
        if after is not None:
            query = query.where(members.c.code > after)
        if limit is not None:
            query = query.limit(limit)
        return self._members(query)

    def _members(self, query: sa.Select[Any]) -> list[Member]:
        """The members ``query`` selects (in its order), with their team codes."""
        rows = self.conn.execute(query).all()
        teams = self._teams_of([r.id for r in rows])
        return [Member(r.code, r.name, r.phone, r.card, tuple(r.roles), tuple(r.tags),
                       r.unit, tuple(teams.get(r.id, ()))) for r in rows]

    def _teams_of(self, ids: Sequence[int]) -> dict[int, list[str]]:
        teams: dict[int, list[str]] = {}
        for start in range(0, len(ids), TEAM_CHUNK):
            for mid, team in self.conn.execute(
                    sa.select(member_teams.c.member_id, units.c.code)
                    .join(units, units.c.id == member_teams.c.unit_id)
                    .where(member_teams.c.member_id.in_(ids[start:start + TEAM_CHUNK]))
                    .order_by(units.c.code)):
                teams.setdefault(mid, []).append(team)
        return teams
