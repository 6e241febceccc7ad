"""``verify``: re-walk every hash chain and recompute every balance from its postings.

It reads the rows as they are on disk and trusts none of the stored summaries: a row
edited with raw SQL (an amount, a reason, a balance) is found and named.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain.ledger import GENESIS_HASH, Entry, Posting
from timebank.store.tables import accounts, communities, entries, holds, members, postings


@attrs.frozen
class Problem:
    community: str
    what: str
    entry_id: int | None = None
    seq: int | None = None
    account_id: int | None = None


@attrs.frozen
class Report:
    ok: bool
    entries_checked: int
    problems: tuple[Problem, ...]

    @property
    def first_bad_entry(self) -> int | None:
        bad = [p for p in self.problems if p.entry_id is not None]
        return min(bad, key=lambda p: (p.community, p.seq or 0)).entry_id if bad else None


def check_records(conn: Connection, community_id: int, code: str) -> list[Problem]:
    """Stock, items, points, lifetime earnings and ownership (``verify_records``)."""
    from timebank.store.verify_records import check_records as check

    return check(conn, community_id, code)


def verify(conn: Connection, community: str | None = None,
           progress: Callable[[int], None] | None = None) -> Report:
    query = sa.select(communities.c.id, communities.c.code, communities.c.entry_seq,
                      communities.c.head_hash).order_by(communities.c.id)
    if community is not None:
        query = query.where(communities.c.code == community)
    problems: list[Problem] = []
    checked = 0
    for comm in conn.execute(query).all():
        count, found = _chain(conn, comm, progress)
        checked += count
        problems += found
        problems += _balances(conn, comm.id, comm.code)
        problems += check_records(conn, comm.id, comm.code)
    problems += check_clearing(conn, community)
    return Report(not problems, checked, tuple(problems))


def check_clearing(conn: Connection, community: str | None) -> list[Problem]:
    """Both halves of every cross-community act, and mirrored clearing accounts."""
    from timebank.store.verify_districts import clearing_problems

    return [Problem(code, what, entry_id) for code, what, entry_id
            in clearing_problems(conn) if community in (None, code)]


def _chain(conn: Connection, comm: sa.Row, progress: Callable[[int], None] | None
           ) -> tuple[int, list[Problem]]:
    """Walk entries in sequence order, recomputing each hash from the row as stored."""
    rows = conn.execution_options(stream_results=True, yield_per=5000).execute(
        sa.select(entries.c.id, entries.c.seq, entries.c.kind, entries.c.reason,
                  entries.c.actor, entries.c.occurred_at, entries.c.recorded_at,
                  entries.c.reverses_id, entries.c.meta, entries.c.hash,
                  postings.c.account_id, accounts.c.unit, postings.c.amount,
                  members.c.code.label("owner"))
        .select_from(entries.outerjoin(postings, postings.c.entry_id == entries.c.id)
                     .outerjoin(accounts, accounts.c.id == postings.c.account_id)
                     .outerjoin(members, members.c.id == accounts.c.member_id))
        .where(entries.c.community_id == comm.id)
        .order_by(entries.c.seq, postings.c.id))
    problems: list[Problem] = []
    prev_hash, expected_seq, count = GENESIS_HASH, 1, 0
    current: sa.Row | None = None
    legs: list[Posting] = []
    owner: dict[int, str | None] = {}

    def close(entry: sa.Row) -> None:
        nonlocal prev_hash, expected_seq, count
        count += 1
        if progress is not None and count % 5000 == 0:
            progress(5000)
        where = {"entry_id": entry.id, "seq": entry.seq}
        if entry.seq != expected_seq:
            problems.append(Problem(comm.code, f"sequence gap: expected {expected_seq}, "
                                    f"found {entry.seq}", **where))
        sums: dict[str, int] = {}
        for leg in legs:
            sums[leg.unit] = sums.get(leg.unit, 0) + leg.amount
        if len(legs) < 2 or any(sums.values()):
            problems.append(Problem(comm.code, "postings do not balance", **where))
        digest = Entry(comm.code, entry.seq, entry.kind, tuple(legs), entry.reason,
                       entry.actor, entry.occurred_at, entry.recorded_at,
                       entry.reverses_id, entry.meta).digest(prev_hash)
        if digest != entry.hash:
            problems.append(Problem(comm.code, "hash does not match the entry as stored",
                                    **where))
        problems.extend(_owners(comm.code, entry, owner, where))
        prev_hash, expected_seq = entry.hash, entry.seq + 1

    for row in rows:
        if current is None or row.id != current.id:
            if current is not None:
                close(current)
            current, legs, owner = row, [], {}
        if row.account_id is not None:
            legs.append(Posting(row.account_id, row.unit, row.amount))
            owner[row.account_id] = row.owner
    if current is not None:
        close(current)
    if progress is not None:
        progress(count % 5000)
    if count != comm.entry_seq or prev_hash != comm.head_hash:
        problems.append(Problem(comm.code, f"chain head does not match: {count} entries "
                                f"found, head says {comm.entry_seq}"))
    return count, problems


def _owners(code: str, entry: sa.Row, owner: dict[int, str | None],
            where: dict[str, int]) -> list[Problem]:
    """Who owns each account the entry posts to, against the ``owners`` hashed with it
    (entries written before owners were bound have none, and are checked elsewhere)."""
    said = entry.meta.get("owners") if isinstance(entry.meta, dict) else None
    if not isinstance(said, dict):
        return []
    return [Problem(code, f"entry {entry.id}: account {account} belongs to "
                    f"{now or 'no member'}, the entry as hashed says {then or 'no member'}",
                    account_id=account, **where)
            for account, now in sorted(owner.items())
            if now != (then := said.get(str(account)))]


def _balances(conn: Connection, community_id: int, code: str) -> list[Problem]:
    """Every stored balance against its postings and holds, set-based."""
    summed = (sa.select(postings.c.account_id, sa.func.sum(postings.c.amount).label("total"))
              .group_by(postings.c.account_id).subquery())
    held = (sa.select(holds.c.account_id, sa.func.sum(holds.c.amount).label("total"))
            .where(holds.c.status == "held").group_by(holds.c.account_id).subquery())
    rows = conn.execute(
        sa.select(accounts.c.id, accounts.c.posted, accounts.c.held,
                  sa.func.coalesce(summed.c.total, 0).label("sum_posted"),
                  sa.func.coalesce(held.c.total, 0).label("sum_held"))
        .select_from(accounts.outerjoin(summed, summed.c.account_id == accounts.c.id)
                     .outerjoin(held, held.c.account_id == accounts.c.id))
        .where(accounts.c.community_id == community_id,
               sa.or_(accounts.c.posted != sa.func.coalesce(summed.c.total, 0),
                      accounts.c.held != sa.func.coalesce(held.c.total, 0)))).all()
    problems = [Problem(code, f"account {r.id}: stored posted {r.posted} held {r.held}, "
                        f"postings say {r.sum_posted}, holds say {r.sum_held}",
                        account_id=r.id) for r in rows]
    # Each posting's balance_after is the running sum of its account's postings.
    running = sa.func.sum(postings.c.amount).over(partition_by=postings.c.account_id,
                                                 order_by=postings.c.id)
    legs = (sa.select(postings.c.entry_id, postings.c.account_id, postings.c.balance_after,
                      running.label("running"))
            .join(accounts, accounts.c.id == postings.c.account_id)
            .where(accounts.c.community_id == community_id).subquery())
    bad = conn.execute(
        sa.select(legs.c.entry_id, legs.c.account_id, entries.c.seq)
        .join(entries, entries.c.id == legs.c.entry_id)
        .where(legs.c.balance_after != legs.c.running)
        .order_by(entries.c.seq).limit(1)).first()
    if bad is not None:
        problems.append(Problem(code, f"account {bad.account_id}: balance after entry "
                                f"{bad.entry_id} does not match its postings",
                                entry_id=bad.entry_id, seq=bad.seq,
                                account_id=bad.account_id))
    return problems
