"""``verify``'s second half: every stored figure that history determines, re-derived.

The hash chain covers entries and their postings only. Stock, redemption items, the
points of a contribution, an account's lifetime earnings and an account's owner live in
other rows; each is checked here against the history it was derived from:

- a gift's ``stock`` against the sum of its stock movements (and each ``stock_after``
  against the running sum);
- a redemption item's quantity against the stock it took (``reserve``/``redeem``);
- an approved (or later reversed) contribution's ``points`` against what its award
  entry credited the contribution's member;
- an account's ``lifetime_earned`` against its award credits less reversed awards;
- who owns an account, against the records naming the member an entry was for: the
  idempotency records (``balances`` by member code) and the redemptions and
  contributions tied to an entry. Entries written since owners were bound also carry
  them in their hashed meta (``owners``, checked by ``verify``'s chain walk); older
  entries keep their digests and are checked through these records only;
- an entry an idempotency record says was written must still exist (a deleted last
  entry, even with the chain head and balances rewound, is named this way).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.store.tables import (
    accounts,
    contributions,
    entries,
    gifts,
    holds,
    idempotency_keys,
    members,
    postings,
    redemption_items,
    redemptions,
    stock_movements,
)
from timebank.store.tables.districts import cross_acts
from timebank.store.verify import Problem

TAKEN = ("reserve", "redeem")


def check_records(conn: Connection, community_id: int, code: str) -> list[Problem]:
    return [*_stock(conn, community_id, code), *_items(conn, community_id, code),
            *_contributions(conn, community_id, code), *_earned(conn, community_id, code),
            *_redemption_owners(conn, community_id, code),
            *_recorded_entries(conn, community_id, code)]


def _stock(conn: Connection, community_id: int, code: str) -> list[Problem]:
    moved = (sa.select(stock_movements.c.gift_id,
                       sa.func.sum(stock_movements.c.quantity).label("total"))
             .group_by(stock_movements.c.gift_id).subquery())
    total = sa.func.coalesce(moved.c.total, 0)
    rows = conn.execute(
        sa.select(gifts.c.code, gifts.c.stock, total.label("moved"))
        .select_from(gifts.outerjoin(moved, moved.c.gift_id == gifts.c.id))
        .where(gifts.c.community_id == community_id, gifts.c.stock != total)
        .order_by(gifts.c.id)).all()
    problems = [Problem(code, f"gift {r.code}: stored stock {r.stock}, its stock "
                        f"movements say {r.moved}") for r in rows]
    running = sa.func.sum(stock_movements.c.quantity).over(
        partition_by=stock_movements.c.gift_id, order_by=stock_movements.c.id)
    legs = (sa.select(stock_movements.c.id, stock_movements.c.gift_id,
                      stock_movements.c.stock_after, running.label("running"))
            .join(gifts, gifts.c.id == stock_movements.c.gift_id)
            .where(gifts.c.community_id == community_id).subquery())
    bad = conn.execute(sa.select(legs.c.id, gifts.c.code)
                       .join(gifts, gifts.c.id == legs.c.gift_id)
                       .where(legs.c.stock_after != legs.c.running)
                       .order_by(legs.c.id).limit(1)).first()
    if bad is not None:
        problems.append(Problem(code, f"gift {bad.code}: stock after movement {bad.id} "
                                "does not match the movements before it"))
    return problems


def _items(conn: Connection, community_id: int, code: str) -> list[Problem]:
    taken = (sa.select(stock_movements.c.redemption_id, stock_movements.c.gift_id,
                       (-sa.func.sum(stock_movements.c.quantity)).label("taken"))
             .where(stock_movements.c.kind.in_(TAKEN),
                    stock_movements.c.redemption_id.is_not(None))
             .group_by(stock_movements.c.redemption_id, stock_movements.c.gift_id)
             .subquery())
    amount = sa.func.coalesce(taken.c.taken, 0)
    rows = conn.execute(
        sa.select(redemption_items.c.redemption_id, redemption_items.c.quantity,
                  gifts.c.code, amount.label("taken"), redemptions.c.entry_id)
        .join(redemptions, redemptions.c.id == redemption_items.c.redemption_id)
        .join(gifts, gifts.c.id == redemption_items.c.gift_id)
        .outerjoin(taken, sa.and_(taken.c.redemption_id == redemption_items.c.redemption_id,
                                  taken.c.gift_id == redemption_items.c.gift_id))
        .where(redemptions.c.community_id == community_id,
               redemption_items.c.quantity != amount)
        .order_by(redemption_items.c.id)).all()
    return [Problem(code, f"redemption {r.redemption_id}: item {r.code} says quantity "
                    f"{r.quantity}, the stock it took says {r.taken}", entry_id=r.entry_id)
            for r in rows]


def _credited(member_id: Any, entry_id: Any) -> Any:
    """What entry ``entry_id`` posted to accounts of member ``member_id``."""
    return (sa.select(sa.func.coalesce(sa.func.sum(postings.c.amount), 0))
            .join(accounts, accounts.c.id == postings.c.account_id)
            .where(postings.c.entry_id == entry_id, accounts.c.member_id == member_id)
            .scalar_subquery())


def _contributions(conn: Connection, community_id: int, code: str) -> list[Problem]:
    credited = _credited(contributions.c.member_id, contributions.c.entry_id)
    rows = conn.execute(
        sa.select(contributions.c.id, contributions.c.points, contributions.c.entry_id,
                  entries.c.seq, credited.label("credited"))
        .join(entries, entries.c.id == contributions.c.entry_id)
        .where(contributions.c.community_id == community_id,
               contributions.c.status.in_(("approved", "reversed")),
               contributions.c.points != credited)
        .order_by(entries.c.seq)).all()
    return [Problem(code, f"contribution {r.id}: {r.points} points, its award entry "
                    f"{r.entry_id} credits the contribution's member {r.credited}",
                    entry_id=r.entry_id, seq=r.seq) for r in rows]


def _earned(conn: Connection, community_id: int, code: str) -> list[Problem]:
    original = entries.alias("original")
    award = entries.c.kind == "award"
    reversed_award = sa.and_(entries.c.kind == "reversal", original.c.kind == "award")
    earned = sa.case((sa.and_(award, postings.c.amount > 0), postings.c.amount),
                     (sa.and_(reversed_award, postings.c.amount < 0), postings.c.amount),
                     else_=0)
    per_account = (sa.select(postings.c.account_id, sa.func.sum(earned).label("earned"))
                   .join(entries, entries.c.id == postings.c.entry_id)
                   .outerjoin(original, original.c.id == entries.c.reverses_id)
                   .where(entries.c.community_id == community_id)
                   .group_by(postings.c.account_id).subquery())
    total = sa.func.coalesce(per_account.c.earned, 0)
    rows = conn.execute(
        sa.select(accounts.c.id, accounts.c.lifetime_earned, total.label("earned"))
        .select_from(accounts.outerjoin(per_account,
                                        per_account.c.account_id == accounts.c.id))
        .where(accounts.c.community_id == community_id,
               accounts.c.lifetime_earned != total)
        .order_by(accounts.c.id)).all()
    return [Problem(code, f"account {r.id}: stored lifetime earned {r.lifetime_earned}, "
                    f"its awards and reversed awards say {r.earned}", account_id=r.id)
            for r in rows]


def _redemption_owners(conn: Connection, community_id: int, code: str) -> list[Problem]:
    rows = conn.execute(
        sa.select(redemptions.c.id, redemptions.c.entry_id, accounts.c.id.label("account"))
        .join(holds, holds.c.id == redemptions.c.hold_id)
        .join(accounts, accounts.c.id == holds.c.account_id)
        .where(redemptions.c.community_id == community_id,
               sa.or_(accounts.c.member_id.is_(None),
                      accounts.c.member_id != redemptions.c.member_id))
        .order_by(redemptions.c.id)).all()
    problems = [Problem(code, f"redemption {r.id}: its hold is on account {r.account}, "
                        "which is not the redeeming member's", entry_id=r.entry_id,
                        account_id=r.account) for r in rows]
    spent = _credited(redemptions.c.member_id, redemptions.c.entry_id)
    rows = conn.execute(
        sa.select(redemptions.c.id, redemptions.c.entry_id, redemptions.c.total,
                  (-spent).label("spent"))
        .where(redemptions.c.community_id == community_id,
               redemptions.c.entry_id.is_not(None), redemptions.c.total != -spent,
               # paid from another community: verify_districts checks both halves
               redemptions.c.entry_id.not_in(sa.select(cross_acts.c.to_entry_id)))
        .order_by(redemptions.c.id)).all()
    problems += [Problem(code, f"redemption {r.id}: total {r.total}, its entry "
                         f"{r.entry_id} takes {r.spent} from the redeeming member",
                         entry_id=r.entry_id) for r in rows]
    return problems


def _recorded_entries(conn: Connection, community_id: int, code: str) -> list[Problem]:
    """Entries the idempotency records say were written: each must exist, and move the
    points of the members the record names."""
    said: dict[int, set[str]] = defaultdict(set)
    seqs: dict[int, Any] = {}
    rows = conn.execution_options(yield_per=5000).execute(
        sa.select(idempotency_keys.c.response)
        .where(idempotency_keys.c.community_id == community_id,
               idempotency_keys.c.response.is_not(None)))
    for (response,) in rows:
        if isinstance(response, str):
            response = json.loads(response)
        if not isinstance(response, dict) or not isinstance(response.get("entry_id"), int):
            continue
        entry_id = response["entry_id"]
        seqs[entry_id] = response.get("seq")
        balances = response.get("balances")
        said[entry_id] |= set(balances) if isinstance(balances, dict) else set()
    if not seqs:
        return []
    found: dict[int, set[str]] = {}
    ids = sorted(seqs)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for entry_id, member in conn.execute(
                sa.select(entries.c.id, members.c.code)
                .select_from(entries.outerjoin(postings, postings.c.entry_id == entries.c.id)
                             .outerjoin(accounts, accounts.c.id == postings.c.account_id)
                             .outerjoin(members, members.c.id == accounts.c.member_id))
                .where(entries.c.community_id == community_id, entries.c.id.in_(chunk))):
            found.setdefault(entry_id, set())
            if member is not None:
                found[entry_id].add(member)
    problems = []
    for entry_id in ids:
        seq = seqs[entry_id] if isinstance(seqs[entry_id], int) else None
        if entry_id not in found:
            problems.append(Problem(code, f"entry {entry_id} (seq {seq}) was recorded as "
                                    "written but is missing", entry_id=entry_id, seq=seq))
        elif not said[entry_id] <= found[entry_id]:
            names = ", ".join(sorted(said[entry_id] - found[entry_id]))
            problems.append(Problem(code, f"entry {entry_id}: recorded as moving the points "
                                    f"of {names}, but none of its accounts is theirs",
                                    entry_id=entry_id, seq=seq))
    return problems
