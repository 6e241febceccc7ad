"""Members of a community: add, update, look up (by code, card or phone), list.

A member's ``code`` is the host system's id for the person. Card codes are unique in a
community (a desk scans them); a phone may be shared by a household, so a phone look-up
that matches several members asks for the card or code instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from timebank.domain.members import Member
from timebank.errors import AlreadyExists, AmbiguousMember, UnknownMember, ValidationError
from timebank.i18n import T
from timebank.services.communities import check_code
from timebank.store.db import Store
from timebank.store.uow import UnitOfWork

__all__ = ["UNSET", "Member", "Members", "add", "list_members", "lookup", "update"]

_NAME = re.compile(r"^[\w.-]{1,32}$")
UNSET: Any = object()  # "leave as it is" for ``update``


def _names(values: object, field: str) -> list[str]:
    """Roles and tags: short names (``party_member``, ``low_income``), no duplicates."""
    if isinstance(values, str) or not isinstance(values, Sequence | set | frozenset):
        raise ValidationError(T("{field} must be a list of names", field=field), field=field)
    out = []
    for value in values:
        if not isinstance(value, str) or not _NAME.match(value):
            raise ValidationError(T("{field}: {value!r} is not a name (letters, digits, '_', "
                                    "'-', '.'; at most 32)", field=field, value=value), field=field)
        if value not in out:
            out.append(value)
    return out


def _optional(value: object, field: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise ValidationError(T("{field} must be text of at most {limit} characters", field=field,
                                limit=limit),
                              field=field)
    return value


def _name(name: object) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise ValidationError(T("a member needs a name of at most 200 characters"),
                              field="name")
    return name



def _team_ids(uow: UnitOfWork, codes: Sequence[str]) -> dict[str, int]:
    """Team ids by code, in the order a member's teams are listed."""
    if not codes:
        return {}
    found = uow.members.units.teams(codes)
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError(T("unknown team {team!r}", team=missing[0]), field="teams")
    return found


def _card_free(uow: UnitOfWork, card: str | None, member_id: int | None) -> None:
    if card is None:
        return
    holder = uow.members.card_holder(card)
    if holder is not None and holder != member_id:
        raise AlreadyExists(T("card {card!r} belongs to another member", card=card),
                            field="card")


# -- use cases ------------------------------------------------------------------------------


def add(uow: UnitOfWork, code: str, name: str, *, phone: str | None = None,
        card: str | None = None, roles: Sequence[str] = ("resident",),
        tags: Sequence[str] = (), unit: str | None = None,
        teams: Sequence[str] = ()) -> Member:
    """A new member living in unit ``unit`` and serving in the team units ``teams``."""
    check_code(code)
    card_code = _optional(card, "card", 64)
    fields: dict[str, Any] = {"code": code, "name": _name(name),
                              "phone": _optional(phone, "phone", 32), "card": card_code,
                              "roles": _names(roles, "roles"), "tags": _names(tags, "tags")}
    team_codes = _names(teams, "teams")
    members = uow.members
    unit_id = members.units.ref(unit).id if unit is not None else None
    team_ids = _team_ids(uow, team_codes)
    _card_free(uow, card_code, None)
    members.add(fields, unit_id, team_ids.values())
    return Member(code, fields["name"], fields["phone"], card_code, tuple(fields["roles"]),
                  tuple(fields["tags"]), unit, tuple(team_ids))


def update(uow: UnitOfWork, code: str, *, name: str = UNSET, phone: str | None = UNSET,
           card: str | None = UNSET, roles: Sequence[str] = UNSET,
           tags: Sequence[str] = UNSET, unit: str | None = UNSET,
           teams: Sequence[str] = UNSET) -> Member:
    """Change only the fields given; ``None`` clears phone, card or unit."""
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
    members = uow.members
    member_id = members.id_of(code)
    if unit is not UNSET:
        changes["unit_id"] = members.units.ref(unit).id if unit else None
    if changes.get("card"):
        _card_free(uow, changes["card"], member_id)
    members.change(member_id, changes)
    if team_codes is not None:
        members.set_teams(member_id, _team_ids(uow, team_codes).values())
    return members.load(member_id)


def lookup(uow: UnitOfWork, *, code: str | None = None, card: str | None = None,
           phone: str | None = None) -> Member:
    """The one member with this code, card or phone (give exactly one)."""
    given = {k: v for k, v in {"code": code, "card": card, "phone": phone}.items()
             if v is not None}
    if len(given) != 1:
        raise ValidationError(T("look a member up by one of code, card or phone"), field="code")
    (field, value), = given.items()
    found = uow.members.matching(field, value, 2)
    if not found:
        raise UnknownMember(T("no member with {field} {value!r}", field=field, value=value),
                            field=field)
    if len(found) > 1:
        raise AmbiguousMember(T("several members share {field} {value!r}: use the card or the "
                                "member code", field=field, value=value), field=field,
                              matches=len(found))
    return found[0]


def list_members(uow: UnitOfWork, *, unit: str | None = None, role: str | None = None,
                 team: str | None = None, tag: str | None = None, after: str | None = None,
                 limit: int = 100) -> list[Member]:
    """Members by code (see ``Members.list``)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10_000:
        raise ValidationError(T("limit is from 1 to 10000"), field="limit")
    units = uow.members.units
    top = units.ref(unit) if unit is not None else None
    team_id = units.ref(team, "team").id if team is not None else None
    # Roles and tags are JSON lists: filtered here, portable across both engines, so
    # the database can stop at ``limit`` only when neither is asked for.
    unfiltered = role is None and tag is None
    found = uow.members.listing(under=top, team_id=team_id, after=after,
                                limit=limit if unfiltered else None)
    return [m for m in found if (role is None or role in m.roles)
            and (tag is None or tag in m.tags)][:limit]


class Members:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, community: str, code: str, name: str, *, phone: str | None = None,
            card: str | None = None, roles: Sequence[str] = ("resident",),
            tags: Sequence[str] = (), unit: str | None = None,
            teams: Sequence[str] = ()) -> Member:
        """A new member; ``unit`` is the code of the household (or any unit) they live
        in, ``teams`` the codes of the team units they serve in."""
        return self.store.transact(community, lambda uow: add(
            uow, code, name, phone=phone, card=card, roles=roles, tags=tags, unit=unit,
            teams=teams))

    def update(self, community: str, code: str, *, name: str = UNSET, phone: str | None = UNSET,
               card: str | None = UNSET, roles: Sequence[str] = UNSET,
               tags: Sequence[str] = UNSET, unit: str | None = UNSET,
               teams: Sequence[str] = UNSET) -> Member:
        """Change only the fields given (PATCH); ``None`` clears phone, card or unit."""
        return self.store.transact(community, lambda uow: update(
            uow, code, name=name, phone=phone, card=card, roles=roles, tags=tags, unit=unit,
            teams=teams))

    def get(self, community: str, code: str) -> Member:
        return self.lookup(community, code=code)

    def lookup(self, community: str, *, code: str | None = None, card: str | None = None,
               phone: str | None = None) -> Member:
        """The one member with this code, card or phone (give exactly one)."""
        with self.store.reading(community) as uow:
            return lookup(uow, code=code, card=card, phone=phone)

    def list(self, community: str, *, unit: str | None = None, role: str | None = None,
             team: str | None = None, tag: str | None = None, after: str | None = None,
             limit: int = 100) -> list[Member]:
        """Members by code, optionally living in ``unit`` or anywhere below it, holding
        ``role`` or ``tag``, serving in ``team``; ``after`` a code to page on."""
        with self.store.reading(community) as uow:
            return list_members(uow, unit=unit, role=role, team=team, tag=tag, after=after,
                                limit=limit)
