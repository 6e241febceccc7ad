"""PostgreSQL: a held redemption handed over or cancelled in two statements, like
``fused_redeem``.

On the general path the hand-over of a held redemption is about twenty statements (the
key's claim, the redemption's lock, where its hold lives, the hold's capture, the freed
points, the owners, the sink, the two guarded moves, the chain step, the entry, the
postings, the head, the hold's link, the redemption's state, its items, the answer), and
its cancellation about fifteen. Here each is two, BEGIN sent with the first:

1. ``_READ`` locks the redemption when the key is still free (the lock order: a
   redemption row, then gift rows, then accounts), reads its hold, its items and the
   community, and, when it is held in these books, locks what the change moves: for a
   hand-over the member's account and the redemption sink in id order (and draws the
   entry id), for a cancellation the gift rows in id order and then the member's
   account. It writes nothing;
2. the last statement before COMMIT claims the key with its answer and, guarded by the
   hold's ``status = 'held'``: ``_FULFIL`` captures the hold, frees the held points and
   moves them to the sink (guarded ``posted − held ≥ amount``, as a spend is), marks the
   redemption fulfilled and takes the chain step with the capture entry, hashed by the
   server as in ``fused``; ``_CANCEL`` releases the hold and its points, puts the items
   back in stock with their movements and marks the redemption cancelled.

The path declines (returns None, having written nothing) where the general path must
answer: a key already used (a replay or a conflict), an unknown redemption, one that is
not held, a hold in a partner's books (a redemption across a district), a member account
or sink that is missing, too few points to hand over (an award reversed since). The
general path then runs in the same transaction and raises the same error.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from timebank.domain.catalogue import receipt_code
from timebank.domain.community import CommunityRef
from timebank.domain.ledger import Entry, EntryKind, move
from timebank.domain.redemptions import Redemption, RedemptionItem
from timebank.store import idempotency
from timebank.store.fast import json_text
from timebank.store.fused import _SEQ, _around, _first, _run, chain_step
from timebank.store.posting import with_owners
from timebank.timeutil import utcnow

if TYPE_CHECKING:
    from timebank.store.uow import UnitOfWork

_READ = """
WITH free AS (
    SELECT 1 AS ok WHERE %(key)s::text IS NULL
       OR NOT EXISTS (SELECT 1 FROM idempotency_keys
                      WHERE community_id = %(c)s AND key = %(key)s::text)
), r AS MATERIALIZED (
    SELECT r.id, r.status, m.code AS member, r.unit, r.total, r.hold_id,
           d.code AS day, a.id AS account
    FROM redemptions r JOIN members m ON m.id = r.member_id
    LEFT JOIN service_days d ON d.id = r.service_day_id
    LEFT JOIN accounts a ON a.member_id = r.member_id AND a.unit = r.unit
    WHERE r.id = %(rid)s AND r.community_id = %(c)s AND EXISTS (SELECT 1 FROM free)
    FOR UPDATE OF r
), h AS (
    SELECT h.id, h.account_id, h.amount FROM holds h JOIN r ON h.id = r.hold_id
    WHERE r.status = 'held' AND h.community_id = %(c)s AND h.status = 'held'
      AND h.account_id = r.account
), gift_rows AS MATERIALIZED (
    SELECT g.id, g.stock FROM gifts g
    WHERE %(cancel)s AND EXISTS (SELECT 1 FROM h)
      AND g.id IN (SELECT gift_id FROM redemption_items
                   WHERE redemption_id = (SELECT id FROM r))
    ORDER BY g.id FOR UPDATE
), locked AS MATERIALIZED (
    SELECT a.id, a.posted, a.held, a.system FROM accounts a
    WHERE EXISTS (SELECT 1 FROM h) AND (NOT %(cancel)s OR EXISTS (SELECT 1 FROM gift_rows))
      AND (a.id = (SELECT account_id FROM h)
           OR (NOT %(cancel)s AND a.community_id = %(c)s AND a.system = 'redemption'
               AND a.unit = (SELECT unit FROM r)))
    ORDER BY a.id FOR UPDATE
)
SELECT (SELECT json_agg(r) FROM r),
       (SELECT json_agg(h) FROM h),
       (SELECT json_agg(locked) FROM locked),
       (SELECT json_agg(json_build_array(g.code, i.quantity, i.unit_price, g.id)
                        ORDER BY i.id)
        FROM redemption_items i JOIN gifts g ON g.id = i.gift_id
        WHERE i.redemption_id = (SELECT r.id FROM r) AND EXISTS (SELECT 1 FROM locked)),
       (SELECT json_agg(gift_rows) FROM gift_rows),
       (SELECT json_build_array(code, timezone, settings) FROM communities WHERE id = %(c)s),
       CASE WHEN NOT EXISTS (SELECT 1 FROM locked) THEN NULL WHEN %(cancel)s THEN 0
            ELSE nextval(pg_get_serial_sequence('entries', 'id')) END
"""

_CLAIM = """
WITH claim AS (
    INSERT INTO idempotency_keys (community_id, key, request, response, created_at)
    SELECT %(c)s, %(key)s::text, CAST(%(request)s AS json), CAST(%(answer)s AS json), %(now)s
    WHERE %(key)s::text IS NOT NULL
    ON CONFLICT (community_id, key) DO NOTHING
    RETURNING id
), go AS (
    SELECT 1 AS ok WHERE %(key)s::text IS NULL OR EXISTS (SELECT 1 FROM claim)
)"""

_FULFIL = _CLAIM + """, captured AS (
    UPDATE holds SET status = 'captured', resolved_at = %(now)s, entry_id = %(id)s
    WHERE id = %(hold)s AND community_id = %(c)s AND status = 'held'
      AND EXISTS (SELECT 1 FROM go)
    RETURNING id
), moved AS (
    UPDATE accounts a SET posted = a.posted + d.amount, held = a.held - d.freed
    FROM unnest(%(accounts)s::bigint[], %(amounts)s::bigint[], %(freed)s::bigint[])
         AS d(id, amount, freed)
    WHERE a.id = d.id AND EXISTS (SELECT 1 FROM captured)
      AND (d.amount >= 0 OR a.system IS NOT NULL
           OR a.posted - (a.held - d.freed) >= -d.amount)
    RETURNING a.id
), resolved AS (
    UPDATE redemptions SET status = 'fulfilled', resolved_at = %(now)s,
                           balance_after = %(available)s, entry_id = %(id)s
    WHERE id = %(rid)s AND EXISTS (SELECT 1 FROM captured)
    RETURNING id
), """ + chain_step("EXISTS (SELECT 1 FROM captured)") + """
SELECT (SELECT count(*) FROM go), (SELECT entry_seq FROM head),
       (SELECT count(*) FROM moved), (SELECT count(*) FROM resolved)
"""

_CANCEL = _CLAIM + """, released AS (
    UPDATE holds SET status = 'released', resolved_at = %(now)s
    WHERE id = %(hold)s AND community_id = %(c)s AND status = 'held'
      AND EXISTS (SELECT 1 FROM go)
    RETURNING id
), freed AS (
    UPDATE accounts SET held = held - %(amount)s
    WHERE id = %(account)s AND EXISTS (SELECT 1 FROM released)
    RETURNING id
), restocked AS (
    UPDATE gifts g SET stock = g.stock + s.qty
    FROM unnest(%(gids)s::bigint[], %(qtys)s::bigint[]) AS s(id, qty)
    WHERE g.id = s.id AND EXISTS (SELECT 1 FROM released)
    RETURNING g.id
), movements AS (
    INSERT INTO stock_movements (gift_id, kind, quantity, stock_after, reason, actor,
                                 redemption_id, created_at)
    SELECT m.gift, 'release', m.qty, m.after, %(reason)s, %(actor)s, %(rid)s, %(now)s
    FROM unnest(%(gids)s::bigint[], %(qtys)s::bigint[], %(afters)s::bigint[])
         WITH ORDINALITY AS m(gift, qty, after, ord)
    WHERE EXISTS (SELECT 1 FROM released) ORDER BY m.ord
), resolved AS (
    UPDATE redemptions SET status = 'cancelled', resolved_at = %(now)s,
                           balance_after = %(available)s
    WHERE id = %(rid)s AND EXISTS (SELECT 1 FROM released)
    RETURNING id
)
SELECT (SELECT count(*) FROM go), (SELECT count(*) FROM freed),
       (SELECT count(*) FROM restocked), (SELECT count(*) FROM resolved)
"""


def fulfil_once(uow: UnitOfWork, redemption_id: int, key: str | None,
                request: Mapping[str, Any], actor: str) -> Redemption | None:
    """Hand over held redemption ``redemption_id`` in two statements; None (nothing
    written) where the general path must answer (see the module)."""
    found = _locked(uow, redemption_id, key, cancel=False)
    if found is None:
        return None
    stored, held, own, sink, items, _, eid = found
    if len(sink) != 1:
        return None  # the sink removed: the general path says
    amount = int(held["amount"])
    if int(own["posted"]) - (int(own["held"]) - amount) < amount:
        return None  # too few points now (an award reversed since the hold)
    now = utcnow()
    rid = int(stored["id"])
    receipt = receipt_code(rid)
    reason = f"redemption {receipt}"
    legs = move(int(own["id"]), int(sink[0]["id"]), stored["unit"], amount)
    meta = with_owners({"redemption": rid, "receipt": receipt, "hold": int(held["id"])},
                       {legs[0].account_id: stored["member"]})
    entry = Entry(uow.ledger.community_code(), _SEQ, str(EntryKind.CAPTURE), legs, reason,
                  actor, now, now, None, meta)
    before, after_seq = _around(entry.digest_text(), f'"s":{_SEQ}')
    available = int(own["posted"]) - int(own["held"])  # unchanged by the capture
    result = _answer(stored, "fulfilled", available, items)
    go, seq, moved, resolved = _run(uow.conn, _FULFIL, {
        **_claiming(uow, key, request, result, now), "hold": int(held["id"]), "rid": rid,
        "available": available, "accounts": [leg.account_id for leg in legs],
        "amounts": [leg.amount for leg in legs], "freed": [amount, 0],
        "after": [int(own["posted"]) - amount, int(sink[0]["posted"]) + amount],
        "id": eid, "kind": str(EntryKind.CAPTURE), "reason": reason, "actor": actor,
        "occurred": now, "meta": json_text(meta), "before": before, "after_seq": after_seq})
    if not go:
        return None  # the key taken meanwhile: nothing written
    if seq is None or moved != 2 or resolved != 1 or \
            attrs.evolve(entry, seq=int(seq)).digest_text() != f"{before}{seq}{after_seq}":
        raise AssertionError(f"redemption {rid}: the write differs from what was read")
    return result


def cancel_once(uow: UnitOfWork, redemption_id: int, key: str | None,
                request: Mapping[str, Any], actor: str) -> Redemption | None:
    """Cancel held redemption ``redemption_id`` in two statements; None (nothing
    written) where the general path must answer (see the module)."""
    found = _locked(uow, redemption_id, key, cancel=True)
    if found is None:
        return None
    stored, held, own, _, items, stock, _ = found
    now = utcnow()
    rid, amount = int(stored["id"]), int(held["amount"])
    available = int(own["posted"]) - (int(own["held"]) - amount)
    result = _answer(stored, "cancelled", available, items)
    # The stock as locked: the statement's snapshot may predate a redemption that
    # committed while this one waited for the gift rows.
    locked = {int(g["id"]): int(g["stock"]) for g in stock}
    back = sorted((int(gift), int(qty), locked[int(gift)]) for _, qty, _, gift in items)
    go, freed, restocked, resolved = _run(uow.conn, _CANCEL, {
        **_claiming(uow, key, request, result, now), "hold": int(held["id"]), "rid": rid,
        "amount": amount, "account": int(own["id"]), "available": available,
        "gids": [gift for gift, _, _ in back], "qtys": [qty for _, qty, _ in back],
        "afters": [stock + qty for _, qty, stock in back],
        "reason": f"redemption {rid} release", "actor": actor})
    if not go:
        return None  # the key taken meanwhile: nothing written
    if freed != 1 or restocked != len(back) or resolved != 1:
        raise AssertionError(f"redemption {rid}: the write differs from what was read")
    return result


def _locked(uow: UnitOfWork, redemption_id: int, key: str | None, *, cancel: bool
            ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], list[Any],
                       list[Any], list[Any], int] | None:
    """``_READ``: (the redemption, its hold, the member's account, the sink (none for a
    cancellation), the items as (code, quantity, unit price, gift id), the gift rows
    locked with their stock (a cancellation's), the entry id drawn), locked as the
    module says; None where the general path answers."""
    conn = uow.conn
    if uow.dialect != "postgresql" or conn.dialect.driver != "psycopg":
        return None
    c = uow.community_id
    stored, hold, accounts, items, stock, comm, eid = _first(conn, _READ, {
        "c": c, "key": key, "rid": redemption_id, "cancel": cancel})[0]
    if eid is None:
        return None  # a used key, an unknown redemption, not held, held elsewhere
    if "community" not in uow.__dict__:
        uow.act_for(CommunityRef(c, comm[0], comm[1], comm[2] or {}))
    own = [a for a in accounts if a["system"] is None]
    sink = [a for a in accounts if a["system"] is not None]
    if len(own) != 1:
        return None
    return stored[0], hold[0], own[0], sink, items or [], stock or [], int(eid)


def _answer(stored: Mapping[str, Any], status: str, available: int, items: list[Any]
            ) -> Redemption:
    return Redemption(int(stored["id"]), status, int(stored["total"]), stored["unit"],
                      available, receipt_code(int(stored["id"])),
                      tuple(RedemptionItem(code, qty, price, qty * price)
                            for code, qty, price, *_ in items),
                      stored["member"], stored["day"])


def _claiming(uow: UnitOfWork, key: str | None, request: Mapping[str, Any],
              result: Redemption, now: datetime) -> dict[str, Any]:
    """The key's claim's parameters: the key stored with its request and answer."""
    from timebank.store.uow import codec  # the unit of work imports this module

    return {"c": uow.community_id, "key": key, "now": now,
            "request": idempotency._stored_text(request),
            "answer": idempotency._stored_text(codec.unstructure(result))}
