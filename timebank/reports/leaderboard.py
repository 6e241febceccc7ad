"""The leaderboard: the members with the most points earned in a month or a year, names
masked for posting (张*明) unless asked otherwise."""

from __future__ import annotations

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain.ledger import check_unit
from timebank.domain.masking import mask_name
from timebank.errors import ValidationError
from timebank.reports.monthly import competition_ranks, earned
from timebank.reports.periods import Period
from timebank.reports.scope import Scope
from timebank.domain.community import CommunityRef
from timebank.store.tables import members, units

MAX_LIMIT = 1000


@attrs.frozen
class LeaderLine:
    rank: int
    member: str | None    # None when masked: a code would name the person
    name: str
    unit: str | None
    unit_name: str | None
    total: int


@attrs.frozen
class Leaderboard:
    community: str
    period: str
    kind: str
    unit: str | None
    ledger_unit: str
    masked: bool
    lines: tuple[LeaderLine, ...]


def check_limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be a whole number from 1 to {MAX_LIMIT}",
                              field="limit")
    return limit


def leaderboard(conn: Connection, comm: CommunityRef, period: Period, where: Scope, *,
                ledger_unit: str = "points", limit: int = 20,
                mask: bool = True) -> Leaderboard:
    check_unit(ledger_unit)
    check_limit(limit)
    got = earned(conn, comm, period, where, ledger_unit)
    total = sa.func.sum(got.c.points).label("total")
    top = (sa.select(got.c.member_id, total).group_by(got.c.member_id)
           .having(sa.func.sum(got.c.points) > 0).subquery("top"))
    rows = conn.execute(
        sa.select(members.c.code, members.c.name, units.c.code, units.c.name, top.c.total)
        .select_from(top.join(members, members.c.id == top.c.member_id)
                     .outerjoin(units, units.c.id == members.c.unit_id))
        .order_by(top.c.total.desc(), members.c.code).limit(limit)).all()
    ranks = competition_ranks([int(r[4]) for r in rows])
    lines = tuple(
        LeaderLine(rank, None if mask else code, mask_name(name) if mask else name,
                   unit, unit_name, int(points))
        for rank, (code, name, unit, unit_name, points) in zip(ranks, rows, strict=True))
    return Leaderboard(comm.code, period.label, period.kind, where.unit, ledger_unit, mask,
                       lines)
