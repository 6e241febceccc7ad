"""Importing members: a bulk insert per chunk, keyed by member code.

``Members.add`` writes one member per transaction; a roster of 26,000 residents goes in
here as one multi-row insert per chunk instead. A member whose code already exists with
the same name is left as it is (a re-import adds nothing); the same code with another
name is reported, never overwritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from timebank.i18n import translate
from timebank.io.headers import MEMBERS, HeaderMap
from timebank.io.importing import Checked, Plan
from timebank.io.rows import MemberRecord, Problem, member_record
from timebank.store.imports import NewMember
from timebank.store.uow import UnitOfWork


def _column(field: str, lang: str) -> str:
    col = MEMBERS.column(field)
    return col.zh if lang.startswith("zh") else col.en


def member_plan(lang: str = "en") -> Plan[MemberRecord]:
    def parse(hmap: HeaderMap, number: int, values: Sequence[Any]
              ) -> tuple[MemberRecord | None, list[Problem]]:
        return member_record(MEMBERS, hmap, number, values, lang)

    def check(uow: UnitOfWork, records: Sequence[MemberRecord]) -> Checked[MemberRecord]:
        problems: list[Problem] = []
        known = uow.imports.units({r.unit for r in records if r.unit}
                                  | {t for r in records for t in r.teams})
        good = []
        for r in records:
            bad = []
            if r.unit and r.unit not in known:
                bad.append(Problem(r.row, _column("unit", lang),
                                   translate("unknown unit {unit!r}", lang, unit=r.unit)))
            bad += [Problem(r.row, _column("teams", lang),
                            translate("unknown team {team!r}", lang, team=t))
                    for t in r.teams if t not in known or known[t][1] != "team"]
            if bad:
                problems.extend(bad)
            else:
                good.append(r)
        existing = uow.imports.member_names(r.code for r in good)
        seen: dict[str, MemberRecord] = {}
        kept = []
        for r in good:
            first = seen.get(r.code)
            name = existing.get(r.code, first.name if first else None)
            if name is not None and name != r.name:
                problems.append(Problem(r.row, _column("code", lang),
                                        translate("member {code!r} already exists as "
                                                  "{name!r}", lang, code=r.code, name=name)))
                continue
            seen.setdefault(r.code, r)
            kept.append(r)
        refused = _shared_cards(uow, kept, lang)
        problems += refused.values()
        return Checked([r for r in kept if r.row not in refused], problems)

    def write(uow: UnitOfWork, records: Sequence[MemberRecord]) -> tuple[int, int]:
        existing = uow.imports.member_names(r.code for r in records)
        fresh = list({r.code: r for r in reversed(records)
                      if r.code not in existing}.values())[::-1]
        if not fresh:
            return 0, len(records)
        known = uow.imports.units({r.unit for r in fresh if r.unit}
                                  | {t for r in fresh for t in r.teams})
        uow.imports.add_members([
            NewMember(r.code, r.name, r.phone, r.card, r.roles, r.tags,
                      known[r.unit][0] if r.unit else None,
                      tuple(known[t][0] for t in r.teams)) for r in fresh])
        return len(fresh), len(records) - len(fresh)

    return Plan(MEMBERS, parse, check, write, lang=lang)


def _shared_cards(uow: UnitOfWork, records: Sequence[MemberRecord],
                  lang: str) -> dict[int, Problem]:
    """Row → problem for every row whose card another member already holds, or another
    member of the file (a different code) carries too: a card finds one member at the
    desk, so every row sharing it is refused, naming the others, as ``member add`` does."""
    rows_of: dict[str, list[MemberRecord]] = {}
    for r in records:
        if r.card is not None:
            rows_of.setdefault(r.card, []).append(r)
    holders = uow.imports.card_holders(rows_of)
    column = _column("card", lang)
    problems: dict[int, Problem] = {}
    for card, rows in rows_of.items():
        holder = holders.get(card)
        for r in rows:
            others = [o for o in rows if o.code != r.code]
            if holder == r.code:
                continue  # the holder's own row: a re-import
            if holder is not None:
                problems[r.row] = Problem(r.row, column, translate(
                    "card {card!r} belongs to member {member!r}", lang, card=card,
                    member=holder))
            elif others:
                problems[r.row] = Problem(r.row, column, translate(
                    "card {card!r} is also given on rows {rows}", lang, card=card,
                    rows=", ".join(f"{o.row} ({o.code})" for o in others)))
    return problems
