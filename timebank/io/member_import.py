"""Importing members: a bulk insert per chunk, keyed by member code.

``Members.add`` writes one member per transaction; a roster of 26,000 residents goes in
here as one multi-row insert per chunk instead. A member whose code already exists with
the same name is left as it is (a re-import adds nothing); the same code with another
name is reported, never overwritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.io.headers import MEMBERS, HeaderMap
from timebank.io.importing import Checked, Plan
from timebank.io.rows import MemberRecord, Problem, member_record
from timebank.store.idempotency import insert_ignoring_conflicts
from timebank.domain.community import CommunityRef
from timebank.store.tables import member_teams, members, units
from timebank.timeutil import utcnow


def _column(field: str, lang: str) -> str:
    col = MEMBERS.column(field)
    return col.zh if lang.startswith("zh") else col.en


def member_plan(lang: str = "en") -> Plan[MemberRecord]:
    def parse(hmap: HeaderMap, number: int, values: Sequence[Any]
              ) -> tuple[MemberRecord | None, list[Problem]]:
        return member_record(MEMBERS, hmap, number, values, lang)

    def check(conn: Connection, comm: CommunityRef,
              records: Sequence[MemberRecord]) -> Checked[MemberRecord]:
        problems: list[Problem] = []
        unit_codes = {r.unit for r in records if r.unit} | {t for r in records for t in r.teams}
        known = _units(conn, comm.id, unit_codes)
        good = []
        for r in records:
            bad = []
            if r.unit and r.unit not in known:
                bad.append(Problem(r.row, _column("unit", lang), f"unknown unit {r.unit!r}"))
            bad += [Problem(r.row, _column("teams", lang), f"unknown team {t!r}")
                    for t in r.teams if t not in known or known[t][1] != "team"]
            if bad:
                problems.extend(bad)
            else:
                good.append(r)
        existing = _existing(conn, comm.id, [r.code for r in good])
        seen: dict[str, MemberRecord] = {}
        kept = []
        for r in good:
            first = seen.get(r.code)
            name = existing.get(r.code, first.name if first else None)
            if name is not None and name != r.name:
                problems.append(Problem(r.row, _column("code", lang),
                                        f"member {r.code!r} already exists as {name!r}"))
                continue
            seen.setdefault(r.code, r)
            kept.append(r)
        return Checked(kept, problems)

    def write(conn: Connection, comm: CommunityRef,
              records: Sequence[MemberRecord]) -> tuple[int, int]:
        existing = _existing(conn, comm.id, [r.code for r in records])
        fresh = list({r.code: r for r in reversed(records)
                      if r.code not in existing}.values())[::-1]
        if not fresh:
            return 0, len(records)
        known = _units(conn, comm.id, {r.unit for r in fresh if r.unit}
                       | {t for r in fresh for t in r.teams})
        now = utcnow()
        conn.execute(insert_ignoring_conflicts(conn, members), [
            {"community_id": comm.id, "code": r.code, "name": r.name, "phone": r.phone,
             "card": r.card, "roles": list(r.roles), "tags": list(r.tags),
             "unit_id": known[r.unit][0] if r.unit else None, "created_at": now}
            for r in fresh])
        ids = _ids(conn, comm.id, [r.code for r in fresh if r.teams])
        team_rows = [{"member_id": ids[r.code], "unit_id": known[t][0]}
                     for r in fresh for t in r.teams if r.code in ids]
        if team_rows:
            conn.execute(insert_ignoring_conflicts(conn, member_teams), team_rows)
        return len(fresh), len(records) - len(fresh)

    return Plan(MEMBERS, parse, check, write, tables=("members", "member_teams"))


def _units(conn: Connection, community_id: int, codes: set[str]) -> dict[str, tuple[int, str]]:
    if not codes:
        return {}
    rows = conn.execute(sa.select(units.c.code, units.c.id, units.c.kind).where(
        units.c.community_id == community_id, units.c.code.in_(sorted(codes))))
    return {code: (uid, kind) for code, uid, kind in rows}


def _existing(conn: Connection, community_id: int, codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(conn.execute(sa.select(members.c.code, members.c.name).where(
        members.c.community_id == community_id,
        members.c.code.in_(sorted(set(codes))))).all())


def _ids(conn: Connection, community_id: int, codes: list[str]) -> dict[str, int]:
    if not codes:
        return {}
    return dict(conn.execute(sa.select(members.c.code, members.c.id).where(
        members.c.community_id == community_id,
        members.c.code.in_(sorted(set(codes))))).all())
