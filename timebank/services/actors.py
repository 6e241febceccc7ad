"""Who acts: an ``Actor`` checked, and the person behind a reference the books recorded.

Four-eyes rests on people: the recorder of a contribution may neither approve nor reject
it, whichever key, host identity or CLI name either act came through. A key's person is
its holder's name, looked up here from the reference (``key:3``), never taken from what
a caller says; a named CLI operator is a person by name; a host's identity is its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from timebank.domain.access import Actor, key_id_of, person_of
from timebank.errors import ValidationError
from timebank.i18n import T
from timebank.store.uow import UnitOfWork

__all__ = ["Actor", "check_actor", "persons", "same_person"]


def check_actor(actor: object, field: str = "approver") -> Actor:
    """``actor`` if it is an ``Actor`` with a reference of at most 200 characters and a
    name of at most 100; a plain string is refused, naming ``field``."""
    if not isinstance(actor, Actor) or not isinstance(actor.ref, str) or \
            not actor.ref.strip() or len(actor.ref) > 200 or \
            not isinstance(actor.name, str) or len(actor.name) > 100:
        raise ValidationError(T("{field} is an Actor (Actor.key, Actor.host or "
                                "Actor.operator), not a plain string", field=field),
                              field=field)
    return actor


def persons(uow: UnitOfWork, refs: Iterable[str]) -> dict[str, str]:
    """The person behind each recorded reference (keys' holders read in one query)."""
    wanted = set(refs)
    holders = uow.keys.holders(k for r in wanted if (k := key_id_of(r)) is not None)
    return {r: person_of(r, holders.get(key_id_of(r) or 0, "")) for r in wanted}


def same_person(uow: UnitOfWork, actor: Actor, recorded_by: str) -> bool:
    """Whether ``actor`` is the person who recorded what ``recorded_by`` names."""
    if actor.ref == recorded_by:
        return True
    found = persons(uow, [actor.ref, recorded_by])
    return found[actor.ref] == found[recorded_by]
