"""PostgreSQL: a redemption at the desk in two statements, like ``fused`` for entries.

On the general path a single redemption is some twenty statements (the key's claim, the
redeemer, each gift's terms, the service day, each guarded stock decrement, each limit,
the two accounts, the chain step, the entry, the postings, the redemption, its items,
the stock movements, the answer). Here it is two, BEGIN sent with the first:

1. ``_READ`` finds the redeemer (by code, or by card at a kiosk desk), the gifts' terms,
   the service day and the community's settings, and, when the key is still free, locks
   the gift rows in id order (the lock order) and then the member's account and (for a
   redemption fulfilled at once) the redemption sink's, in id order, reading their stock
   and balances as locked, and draws the redemption id (and the entry id). It writes
   nothing. This process then applies the general path's rules to what it read (offered
   today, day open, stock, the price rules, the points), and declines at the first that
   does not pass;
2. the last statement before COMMIT, ``_SPEND`` or ``_HOLD``, first counts what the
   member took of each limited gift (its own snapshot is taken after the gift rows were
   locked by the first, so a racing redemption of the same member that committed first
   is counted; within the first statement it would not be), and only when every limit
   holds does it claim the key with its answer, take the stock (guarded ``stock >= n``)
   and write the redemption, its items and stock movements. ``_SPEND`` moves the two
   balances (guarded ``posted − held ≥ total``) and takes the chain step with the entry
   and its postings, hashed by the server as in ``fused``; ``_HOLD`` reserves the total
   on the member's account (the same guard) with its hold, and writes no entry: the
   points move when the redemption is fulfilled.

The path declines (returns None, having written nothing) where the general path must
answer: a key already used (a replay or a conflict), an unknown member, card or gift, a
card two members hold, gifts in two units, a gift that needs a tier (a tier is counted
from the member's awards, which only a statement after the account's lock sees whole), a
gift not offered today, a closed or unknown service day, too little stock, a member
without an account or without the points, a limit exceeded.
The general path then runs in the same transaction and raises the same error, with the
same fields, after the same checks in the same order; it has written nothing either. A
cross-community (``A:CODE``) redemption never comes here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs

from timebank.domain.catalogue import (
    ItemRequest,
    PriceRule,
    period_start,
    receipt_code,
    unit_price,
)
from timebank.domain.community import CommunityRef
from timebank.domain.gifts import GiftTerms
from timebank.domain.ledger import Entry, EntryKind, Posting
from timebank.domain.redemptions import Redemption, RedemptionItem
from timebank.errors import TimebankError
from timebank.store import idempotency
from timebank.store.fast import json_text
from timebank.store.fused import _SEQ, _around, _first, _run, chain_step
from timebank.store.posting import with_owners
from timebank.timeutil import local_date, start_of_day_utc, utcnow

if TYPE_CHECKING:
    from timebank.store.uow import UnitOfWork

_READ_BY = """
WITH free AS (
    SELECT 1 AS ok WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys
                                     WHERE community_id = %(c)s AND key = %(key)s)
), who AS (
    SELECT m.id, m.code, m.tags FROM members m
    WHERE m.community_id = %(c)s AND m.{field} = %(member)s LIMIT 2
), want AS (
    SELECT w.code, w.ord FROM unnest(%(gifts)s::text[]) WITH ORDINALITY AS w(code, ord)
), terms AS (
    SELECT g.id, g.code, g.cost, g.unit, g.active_from, g.active_until, g.min_tier,
           g.limit_per_member, g.limit_period, g.price_rules, want.ord
    FROM want JOIN gifts g ON g.community_id = %(c)s AND g.code = want.code
), locked_gifts AS MATERIALIZED (
    SELECT g.id, g.stock FROM gifts g
    WHERE g.id = ANY (ARRAY(SELECT id FROM terms)) AND EXISTS (SELECT 1 FROM free)
      AND (SELECT count(*) FROM who) = 1
      AND (SELECT count(*) FROM terms) = cardinality(%(gifts)s::text[])
      AND (SELECT count(DISTINCT unit) FROM terms) = 1
      AND NOT EXISTS (SELECT 1 FROM terms WHERE min_tier IS NOT NULL)
    ORDER BY g.id FOR UPDATE
), locked_accounts AS MATERIALIZED (
    SELECT a.id, a.posted, a.held, a.system FROM accounts a
    WHERE a.unit = (SELECT min(unit) FROM terms) AND EXISTS (SELECT 1 FROM locked_gifts)
      AND (a.member_id = (SELECT min(id) FROM who)
           OR (NOT %(hold)s AND a.community_id = %(c)s AND a.system = 'redemption'))
    ORDER BY a.id FOR UPDATE
)
SELECT (SELECT count(*) FROM free),
       (SELECT json_agg(who) FROM who),
       (SELECT json_agg(terms ORDER BY ord) FROM terms),
       (SELECT json_agg(locked_gifts) FROM locked_gifts),
       (SELECT json_agg(locked_accounts) FROM locked_accounts),
       (SELECT json_build_array(id, status) FROM service_days
        WHERE community_id = %(c)s AND code = %(day)s),
       (SELECT json_build_array(code, timezone, settings) FROM communities WHERE id = %(c)s),
       CASE WHEN EXISTS (SELECT 1 FROM locked_accounts) THEN
           nextval(pg_get_serial_sequence('redemptions', 'id')) END,
       CASE WHEN EXISTS (SELECT 1 FROM locked_accounts) AND NOT %(hold)s THEN
           nextval(pg_get_serial_sequence('entries', 'id')) END
"""
_READ = {field: _READ_BY.format(field=field) for field in ("code", "card")}

# Every write is conditional on the claim, and the claim on every limit holding.
_CLAIM = """
WITH taken AS MATERIALIZED (
    SELECT l.ord, l.lim, l.asked,
           (SELECT coalesce(sum(ri.quantity), 0) FROM redemption_items ri
            JOIN redemptions r ON r.id = ri.redemption_id
            WHERE r.member_id = %(member)s AND r.created_at >= l.since
              AND ri.gift_id = l.gift AND r.status IN ('held', 'fulfilled')) AS used
    FROM unnest(%(lgifts)s::bigint[], %(lsince)s::timestamp[], %(llimit)s::bigint[],
                %(lasked)s::bigint[]) WITH ORDINALITY AS l(gift, since, lim, asked, ord)
), claim AS (
    INSERT INTO idempotency_keys (community_id, key, request, response, created_at)
    SELECT %(c)s, %(key)s, CAST(%(request)s AS json), CAST(%(answer)s AS json), %(now)s
    WHERE NOT EXISTS (SELECT 1 FROM taken WHERE used + asked > lim)
    ON CONFLICT (community_id, key) DO NOTHING
    RETURNING id
), stock AS (
    UPDATE gifts g SET stock = g.stock - s.qty
    FROM unnest(%(gids)s::bigint[], %(qtys)s::bigint[]) AS s(id, qty)
    WHERE g.id = s.id AND g.stock >= s.qty AND EXISTS (SELECT 1 FROM claim)
    RETURNING g.id
), items AS (
    INSERT INTO redemption_items (redemption_id, gift_id, quantity, unit_price)
    SELECT %(rid)s, i.gift, i.qty, i.price
    FROM unnest(%(igifts)s::bigint[], %(iqtys)s::bigint[], %(iprices)s::bigint[],
                %(iafter)s::bigint[]) WITH ORDINALITY AS i(gift, qty, price, after, ord)
    WHERE EXISTS (SELECT 1 FROM claim) ORDER BY i.ord
), movements AS (
    INSERT INTO stock_movements (gift_id, kind, quantity, stock_after, reason, actor,
                                 redemption_id, created_at)
    SELECT i.gift, %(moved)s, -i.qty, i.after, %(reason)s, %(actor)s, %(rid)s, %(now)s
    FROM unnest(%(igifts)s::bigint[], %(iqtys)s::bigint[], %(iafter)s::bigint[])
         WITH ORDINALITY AS i(gift, qty, after, ord)
    WHERE EXISTS (SELECT 1 FROM claim) ORDER BY i.ord
)"""

# Fulfilled at once: the points move to the redemption sink, with the chain step.
_SPEND = _CLAIM + """, moved AS (
    UPDATE accounts a SET posted = a.posted + d.amount
    FROM unnest(%(accounts)s::bigint[], %(amounts)s::bigint[]) AS d(id, amount)
    WHERE a.id = d.id AND EXISTS (SELECT 1 FROM claim)
      AND (d.amount >= 0 OR a.system IS NOT NULL OR a.posted - a.held >= -d.amount)
    RETURNING a.id
), redemption AS (
    INSERT INTO redemptions (id, community_id, member_id, service_day_id, status, unit,
                             total, balance_after, hold_id, entry_id, actor, created_at,
                             resolved_at)
    SELECT %(rid)s, %(c)s, %(member)s, %(day)s, 'fulfilled', %(unit)s, %(total)s,
           %(available)s, NULL, %(id)s, %(actor)s, %(now)s, %(now)s
    FROM claim
), """ + chain_step("EXISTS (SELECT 1 FROM claim)") + """
SELECT (SELECT id FROM claim), (SELECT entry_seq FROM head),
       (SELECT count(*) FROM stock), (SELECT count(*) FROM moved)
"""

# Held (picked up later): the points are reserved on the member's account, no entry yet.
_HOLD = _CLAIM + """, reserved AS (
    UPDATE accounts a SET held = a.held + %(total)s
    WHERE a.id = %(account)s AND a.posted - a.held >= %(total)s
      AND EXISTS (SELECT 1 FROM claim)
    RETURNING a.id
), hold AS (
    INSERT INTO holds (community_id, account_id, amount, status, reason, created_at)
    SELECT %(c)s, %(account)s, %(total)s, 'held', %(reason)s, %(now)s FROM reserved
    RETURNING id
), redemption AS (
    INSERT INTO redemptions (id, community_id, member_id, service_day_id, status, unit,
                             total, balance_after, hold_id, entry_id, actor, created_at,
                             resolved_at)
    SELECT %(rid)s, %(c)s, %(member)s, %(day)s, 'held', %(unit)s, %(total)s,
           %(available)s, hold.id, NULL, %(actor)s, %(now)s, NULL
    FROM hold
)
SELECT (SELECT id FROM claim), 0, (SELECT count(*) FROM stock),
       (SELECT count(*) FROM hold)
"""


def redeem_once(uow: UnitOfWork, key: str, request: Mapping[str, Any], member: str,
                items: Sequence[ItemRequest], service_day: str | None, actor: str, *,
                by: str = "code", hold: bool = False) -> Redemption | None:
    """Redeem ``items`` for the member whose ``by`` (``code`` or ``card``) is ``member``,
    fulfilled at once or, with ``hold``, held for later, in two statements; None
    (nothing written) where the general path must answer (see the module)."""
    from timebank.store.uow import codec  # the unit of work imports this module

    conn = uow.conn
    if uow.dialect != "postgresql" or conn.dialect.driver != "psycopg":
        return None
    c = uow.community_id
    codes = [i.gift for i in items]
    qty = {i.gift: i.quantity for i in items}
    now = utcnow()
    (free, who, found, gifts, accounts, day, comm, rid, eid) = _first(conn, _READ[by], {
        "c": c, "key": key, "member": member, "gifts": codes, "day": service_day,
        "hold": hold})[0]
    if not free or rid is None:
        return None  # a used key, an unknown member or gift, two units, a tier gift:
        # nothing locked (a tier is counted from awards read after the account's lock)
    if "community" not in uow.__dict__:
        uow.act_for(CommunityRef(c, comm[0], comm[1], comm[2] or {}))
    tz = uow.community.timezone
    today = local_date(now, tz)
    wanted = [_terms(t) for t in found]
    unit = wanted[0].unit
    try:
        for gift in wanted:
            gift.check_offered(today)
    except TimebankError:
        return None
    if service_day is not None and (day is None or day[1] != "open"):
        return None
    stock = {int(g["id"]): int(g["stock"]) for g in gifts}
    if any(stock[g.id] < qty[g.code] for g in wanted):
        return None
    own = [a for a in accounts or () if a["system"] is None]
    sink = [a for a in accounts or () if a["system"] is not None]
    if len(own) != 1 or len(sink) != (0 if hold else 1):
        return None  # an account to open, or a sink removed: the general path says
    account = own[0]
    redeemer = who[0]
    lines = [RedemptionItem(g.code, qty[g.code], p, p * qty[g.code])
             for g in wanted for p in [unit_price(g.cost, g.price_rules, redeemer["tags"])]]
    total = sum(line.total for line in lines)
    available = int(account["posted"]) - int(account["held"]) - total
    if available < 0:
        return None

    rid = int(rid)
    receipt = receipt_code(rid)
    reason = f"redemption {receipt}"
    result = Redemption(rid, "held" if hold else "fulfilled", total, unit, available, receipt,
                        tuple(lines), redeemer["code"], service_day)
    limited = [g for g in wanted if g.limit_per_member is not None]
    params = {
        "c": c, "key": key, "request": idempotency._stored_text(request),
        "answer": idempotency._stored_text(codec.unstructure(result)), "now": now,
        "member": int(redeemer["id"]), "day": int(day[0]) if day is not None else None,
        "lgifts": [g.id for g in limited],
        "lsince": [start_of_day_utc(period_start(g.limit_period, today), tz) for g in limited],
        "llimit": [g.limit_per_member for g in limited],
        "lasked": [qty[g.code] for g in limited],
        "gids": [g.id for g in wanted], "qtys": [qty[g.code] for g in wanted],
        "rid": rid, "unit": unit, "total": total, "available": available,
        "actor": actor, "reason": reason, "moved": "reserve" if hold else "redeem",
        "igifts": [g.id for g in wanted], "iqtys": [qty[g.code] for g in wanted],
        "iprices": [line.unit_price for line in lines],
        "iafter": [stock[g.id] - qty[g.code] for g in wanted]}
    if hold:
        claim, _, taken, moved = _run(conn, _HOLD, {**params, "account": int(account["id"])})
        written = True
    else:
        to = sink[0]
        legs = (Posting(int(account["id"]), unit, -total), Posting(int(to["id"]), unit, total))
        meta = with_owners({"redemption": rid, "receipt": receipt},
                           {legs[0].account_id: redeemer["code"]})
        entry = Entry(uow.ledger.community_code(), _SEQ, str(EntryKind.SPEND), legs, reason,
                      actor, now, now, None, meta)
        before, after_seq = _around(entry.digest_text(), f'"s":{_SEQ}')
        claim, seq, taken, moved = _run(conn, _SPEND, {
            **params, "id": int(eid), "occurred": now, "kind": str(EntryKind.SPEND),
            "meta": json_text(meta),
            "before": before, "after_seq": after_seq,
            "accounts": [leg.account_id for leg in legs],
            "amounts": [leg.amount for leg in legs],
            "after": [int(account["posted"]) - total, int(to["posted"]) + total]})
        written = seq is not None and attrs.evolve(entry, seq=int(seq)).digest_text() \
            == f"{before}{seq}{after_seq}"
    if claim is None:
        return None  # a limit reached (or the key taken meanwhile): nothing written
    if not written or taken != len(wanted) or moved != (1 if hold else 2):
        raise AssertionError(f"redemption {rid}: the write differs from what was read")
    return result


def _terms(row: Mapping[str, Any]) -> GiftTerms:
    def day(text: str | None) -> date | None:
        return date.fromisoformat(text) if text is not None else None
    return GiftTerms(int(row["id"]), row["code"], int(row["cost"]), row["unit"],
                     day(row["active_from"]), day(row["active_until"]), row["min_tier"],
                     row["limit_per_member"], row["limit_period"],
                     tuple(PriceRule(**r) for r in row["price_rules"] or ()))
