"""``verify`` across communities: every cross act has both halves, and each pair of
clearing accounts mirrors the other exactly (in district value, per unit).

Stored balances are checked against their postings by ``verify`` itself, so the mirror
check may read them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain.districts import CLEARING, partner_of
from timebank.store.tables import accounts, communities, entries
from timebank.store.tables.districts import cross_acts, district_communities, districts


def clearing_problems(conn: Connection) -> list[tuple[str, str, int | None]]:
    """(community code, what, entry id) for every cross-community inconsistency."""
    code_of = dict(conn.execute(sa.select(communities.c.id, communities.c.code)).all())
    rates: dict[int, dict[str, Any]] = {}
    for community_id, settings in conn.execute(
            sa.select(district_communities.c.community_id, districts.c.settings)
            .join(districts, districts.c.id == district_communities.c.district_id)):
        rates[community_id] = (settings or {}).get("rates") or {}

    def rate(community_id: int, unit: str) -> int:
        return int(rates.get(community_id, {}).get(unit, {}).get(code_of[community_id], 1))

    problems: list[tuple[str, str, int | None]] = []
    acts = {row.id: row for row in conn.execute(sa.select(cross_acts))}
    halves: dict[int, dict[int, int]] = defaultdict(dict)  # cross id → community → entry
    cross = entries.c.meta["cross"].as_integer()
    for entry_id, community_id, cross_id in conn.execute(
            sa.select(entries.c.id, entries.c.community_id, cross).where(cross.is_not(None))):
        halves[int(cross_id)][int(community_id)] = int(entry_id)
        if int(cross_id) not in acts:
            problems.append((code_of[community_id], f"entry {entry_id} names cross act "
                             f"{cross_id}, which is not recorded", int(entry_id)))
    for act in acts.values():
        found = halves.get(act.id, {})
        for side, entry_id in ((act.from_community_id, act.from_entry_id),
                               (act.to_community_id, act.to_entry_id)):
            if found.get(side) != entry_id:
                problems.append((code_of[side], f"cross act {act.id}: the half in these "
                                 "books is missing", entry_id))
        if act.from_amount * rate(act.from_community_id, act.unit) != \
                act.to_amount * rate(act.to_community_id, act.unit):
            problems.append((code_of[act.from_community_id], f"cross act {act.id}: "
                             f"{act.from_amount} and {act.to_amount} {act.unit} differ",
                             None))
    balance: dict[tuple[int, int, str], int] = {}
    for community_id, system, unit, posted in conn.execute(
            sa.select(accounts.c.community_id, accounts.c.system, accounts.c.unit,
                      accounts.c.posted).where(accounts.c.system.like(f"{CLEARING}%"))):
        partner = partner_of(system)
        assert partner is not None
        balance[community_id, partner, unit] = posted * rate(community_id, unit)
    for (own, partner, unit), value in balance.items():
        mirror = balance.get((partner, own, unit), 0)
        if value + mirror:
            problems.append((code_of[own], f"clearing with {code_of.get(partner)} in {unit}: "
                             f"{value} here, {mirror} there: no mirror", None))
    return problems
