"""Anchors: each community's chain head written down outside the database.

``verify`` proves the rows agree with their hash chain, but someone who rewrites the
whole chain (every row and every hash, and the head) would pass it. An anchor copied
elsewhere (printed, mailed to the street office, posted) closes that gap: the entry at
``seq == anchor.entries`` must still carry ``anchor.head``, or the chain was rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain.ledger import GENESIS_HASH
from timebank.store.tables import communities, entries
from timebank.store.verify import Problem


@attrs.frozen
class Anchor:
    community: str
    entries: int
    head: str
    at: datetime


def heads(conn: Connection, community: str | None, now: datetime) -> list[Anchor]:
    """Each community's chain head (or one community's), by code."""
    query = sa.select(communities.c.code, communities.c.entry_seq,
                      communities.c.head_hash).order_by(communities.c.code)
    if community is not None:
        query = query.where(communities.c.code == community)
    return [Anchor(code, int(seq), head, now) for code, seq, head in conn.execute(query)]


def check(conn: Connection, anchors: Iterable[Anchor]) -> list[Problem]:
    """What no longer extends the anchors: a missing community, a chain shorter than an
    anchor, or an entry at an anchor's position with another hash."""
    problems: list[Problem] = []
    for anchor in anchors:
        found = conn.execute(sa.select(communities.c.id).where(
            communities.c.code == anchor.community)).scalar()
        if found is None:
            problems.append(Problem(anchor.community, "anchored community is missing"))
            continue
        if anchor.entries == 0:
            if anchor.head != GENESIS_HASH:
                problems.append(Problem(anchor.community, "anchor of 0 entries names a "
                                        "hash other than the genesis hash"))
            continue
        row = conn.execute(sa.select(entries.c.id, entries.c.hash).where(
            entries.c.community_id == found, entries.c.seq == anchor.entries)).first()
        if row is None:
            problems.append(Problem(anchor.community, f"chain is shorter than the anchor "
                                    f"of {anchor.entries} entries", seq=anchor.entries))
        elif row.hash != anchor.head:
            problems.append(Problem(
                anchor.community, f"entry {anchor.entries} no longer has the anchored "
                f"hash {anchor.head[:12]}…: the chain was rewritten", entry_id=row.id,
                seq=anchor.entries))
    return problems
