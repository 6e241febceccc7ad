"""Redemptions (兑换): gifts for points, at the desk or held first.

One redemption holds one or more items, all priced in one unit. Points and stock move in
one transaction: stock by guarded updates (``stock >= n``, gift rows locked by id first),
then the member's account (a hold, or a spend straight away); per-member limits and tiers
are checked inside that transaction, after the gift rows are locked, so racing requests
for one gift are checked one after the other. Each state change (fulfil, cancel,
return) is a guarded update from the state it starts in, so it happens exactly once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from timebank.domain.catalogue import (
    STATUSES,
    ItemRequest,
    PriceRule,
    check_text,
    item_requests,
    period_start,
    receipt_code,
    receipt_id,
    unit_price,
)
from timebank.domain.ledger import EntryKind, SystemAccount, move, negate
from timebank.errors import (
    InvalidState,
    LimitExceeded,
    NotEligible,
    NotFound,
    OutOfStock,
    RulebookError,
    UnknownGift,
    UnknownMember,
    ValidationError,
)
from timebank.services.tiers import evaluate, policy_of
from timebank.store import legacy as books
from timebank.store.tables import (
    gifts,
    redemption_items,
    redemptions,
    service_days,
    stock_movements,
)
from timebank.store.db import Store
from timebank.store.fast import Statement

from timebank.store.legacy import once
from timebank.store.tables import accounts, members
from timebank.timeutil import local_date, start_of_day_utc, utcnow

DEFAULT_HOLD_MINUTES = 60

# The desk's hot path: statements built once and run on the driver's cursor (see
# ``store.fast``); values read this way arrive as the driver gives them (JSON as text
# and dates as text on SQLite), hence ``_json`` and ``_date``.
_P = sa.bindparam
_MEMBER_BY = {
    field: Statement(sa.select(members.c.id, members.c.code, members.c.tags)
                     .where(members.c.community_id == _P("p_community"),
                            getattr(members.c, field) == _P("p_value")).limit(2))
    for field in ("code", "card")}
_GIFT_COLUMNS = (gifts.c.id, gifts.c.code, gifts.c.cost, gifts.c.unit, gifts.c.active_from,
                 gifts.c.active_until, gifts.c.min_tier, gifts.c.limit_per_member,
                 gifts.c.limit_period, gifts.c.price_rules)
_GIFT = Statement(sa.select(*_GIFT_COLUMNS).where(gifts.c.community_id == _P("p_community"),
                                                  gifts.c.code == _P("p_code")))
_TAKE = Statement(gifts.update().where(gifts.c.id == _P("p_id"), gifts.c.stock >= _P("p_n"))
                  .values(stock=gifts.c.stock - _P("p_n")).returning(gifts.c.stock))
_INSERT_REDEMPTION = Statement(redemptions.insert().values(
    {c: _P(f"p_{c}") for c in ("community_id", "member_id", "service_day_id", "status",
                               "unit", "total", "balance_after", "actor", "created_at",
                               "resolved_at")}).returning(redemptions.c.id))
_LINK = Statement(redemptions.update().where(redemptions.c.id == _P("p_id")).values(
    balance_after=_P("p_balance"), hold_id=_P("p_hold"), entry_id=_P("p_entry")))
_INSERT_ITEM = Statement(redemption_items.insert().values(
    {c: _P(f"p_{c}") for c in ("redemption_id", "gift_id", "quantity", "unit_price")}))
_INSERT_MOVEMENT = Statement(stock_movements.insert().values(
    {c: _P(f"p_{c}") for c in ("gift_id", "kind", "quantity", "stock_after", "reason",
                               "actor", "redemption_id", "created_at")}))
# The member's account. Not locked here: the spend's guarded update locks it in the
# ledger's order (accounts by id) and reports posted and held as they are after it.
_ACCOUNT = Statement(sa.select(accounts.c.id)
                     .where(accounts.c.member_id == _P("p_member"),
                            accounts.c.unit == _P("p_unit")))
_AVAILABLE = Statement(sa.select(accounts.c.posted - accounts.c.held)
                       .where(accounts.c.id == _P("p_id")))


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


@attrs.frozen
class _Gift:
    id: int
    code: str
    cost: int
    unit: str
    active_from: date | None
    active_until: date | None
    min_tier: str | None
    limit_per_member: int | None
    limit_period: str
    price_rules: tuple[PriceRule, ...]


@attrs.frozen
class _Member:
    id: int
    code: str
    tags: tuple[str, ...]


@attrs.frozen
class RedemptionItem:
    gift: str
    quantity: int
    unit_price: int
    total: int


@attrs.frozen
class Redemption:
    """``balance_after`` is the member's available balance (posted − held) in ``unit``
    after this redemption's last change; ``receipt`` a short code for the desk."""

    id: int
    status: str
    total: int
    unit: str
    balance_after: int
    receipt: str
    items: tuple[RedemptionItem, ...]
    member: str
    service_day: str | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Redemption:
        return cls(**{**data, "items": tuple(RedemptionItem(**i) for i in data["items"])})


def _find_member(conn: Connection, community_id: int, member: str | None,
                 card: str | None) -> _Member:
    if (member is None) == (card is None):
        raise ValidationError("name the member by code or by card, not both",
                              field="member")
    by = "code" if member is not None else "card"
    cur = _MEMBER_BY[by].cursor(conn, {"p_community": community_id,
                                       "p_value": member if member is not None else card})
    rows = cur.fetchall()
    cur.close()
    if len(rows) != 1:
        field = "member" if member is not None else "card"
        what = "no" if not rows else "more than one"
        raise UnknownMember(f"{what} member with {field} {member or card!r}", field=field)
    found_id, code, tags = rows[0]
    return _Member(int(found_id), code, tuple(_json(tags) or ()))


def _find_gifts(conn: Connection, community_id: int, wanted: Sequence[ItemRequest]
                ) -> list[_Gift]:
    found = []
    for item in wanted:
        row = _GIFT.one(conn, {"p_community": community_id, "p_code": item.gift})
        if row is None:
            raise UnknownGift(f"unknown gift {item.gift!r}", field="gift", gift=item.gift)
        (gift_id, code, cost, unit, start, end, min_tier, limit, period, rules) = row
        found.append(_Gift(int(gift_id), code, int(cost), unit, _date(start), _date(end),
                           min_tier, limit, period,
                           tuple(PriceRule(**r) for r in _json(rules))))
    return found


def _open_day(conn: Connection, community_id: int, code: str) -> int:
    row = conn.execute(sa.select(service_days.c.id, service_days.c.status).where(
        service_days.c.community_id == community_id, service_days.c.code == code)).first()
    if row is None:
        raise NotFound(f"unknown service day {code!r}", field="service_day")
    if row.status != "open":
        raise InvalidState(f"service day {code!r} is closed", field="service_day",
                           state=row.status)
    return int(row.id)


def _check_offered(gift: Any, today: Any) -> None:
    if (gift.active_from is not None and today < gift.active_from) or \
            (gift.active_until is not None and today > gift.active_until):
        raise InvalidState(f"gift {gift.code!r} is not offered on {today}", field="gift",
                           gift=gift.code)


def _check_tiers(conn: Connection, comm: books.CommunityRef, who: Any, wanted: Sequence[Any],
                 today: Any) -> None:
    needing = [g for g in wanted if g.min_tier]
    if not needing:
        return
    policy = policy_of(comm)
    if policy is None:
        raise NotEligible(f"gift {needing[0].code!r} needs tier {needing[0].min_tier!r} but "
                          f"the community has no tiers", field="gift")
    status = evaluate(conn, comm, policy, who.code, today)
    have = -1 if status.tier is None else policy.level(status.tier.code).rank
    for gift in needing:
        if have < policy.level(gift.min_tier).rank:
            raise NotEligible(f"gift {gift.code!r} needs tier {gift.min_tier!r}; member "
                              f"{who.code!r} has {status.tier.code if status.tier else 'none'}",
                              field="gift", gift=gift.code, min_tier=gift.min_tier)


def _take_stock(conn: Connection, wanted: Sequence[Any], qty: Mapping[str, int]
                ) -> dict[int, int]:
    """Guarded decrements, gift rows by id: the stock after each, or OutOfStock."""
    after: dict[int, int] = {}
    for gift in sorted(wanted, key=lambda g: g.id):
        n = qty[gift.code]
        left = _TAKE.one(conn, {"p_id": gift.id, "p_n": n})
        if left is None:
            raise OutOfStock(f"gift {gift.code!r} has fewer than {n} in stock",
                             field="quantity", gift=gift.code)
        after[gift.id] = int(left[0])
    return after


def _check_limits(conn: Connection, tz: str, who: Any, wanted: Sequence[Any],
                  qty: Mapping[str, int], today: Any) -> None:
    for gift in wanted:
        if gift.limit_per_member is None:
            continue
        since = start_of_day_utc(period_start(gift.limit_period, today), tz)
        taken = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(redemption_items.c.quantity), 0))
            .join(redemptions, redemptions.c.id == redemption_items.c.redemption_id)
            .where(redemptions.c.member_id == who.id, redemptions.c.created_at >= since,
                   redemption_items.c.gift_id == gift.id,
                   redemptions.c.status.in_(("held", "fulfilled")))).scalar_one()
        if taken + qty[gift.code] > gift.limit_per_member:
            raise LimitExceeded(
                f"member {who.code!r} may take {gift.limit_per_member} of gift {gift.code!r} "
                f"a {gift.limit_period}: {taken} taken, {qty[gift.code]} more asked",
                field="quantity", gift=gift.code, limit=gift.limit_per_member, used=taken)


def _available(conn: Connection, account_id: int) -> int:
    row = _AVAILABLE.one(conn, {"p_id": account_id})
    assert row is not None
    return int(row[0])


def _transition(conn: Connection, comm: books.CommunityRef, redemption_id: int, start: str,
                end: str) -> Any:
    """Move a redemption from ``start`` to ``end`` exactly once (a guarded update)."""
    row = conn.execute(
        redemptions.update()
        .where(redemptions.c.id == redemption_id, redemptions.c.community_id == comm.id,
               redemptions.c.status == start)
        .values(status=end, resolved_at=utcnow())
        .returning(redemptions.c.member_id, redemptions.c.unit, redemptions.c.total,
                   redemptions.c.hold_id, redemptions.c.entry_id)).first()
    if row is None:
        current = conn.execute(sa.select(redemptions.c.status).where(
            redemptions.c.id == redemption_id,
            redemptions.c.community_id == comm.id)).scalar()
        if current is None:
            raise NotFound(f"unknown redemption {redemption_id}", field="redemption")
        raise InvalidState(f"redemption {redemption_id} is {current}, not {start}",
                           field="redemption", state=current)
    return row


def _restore_stock(conn: Connection, redemption_id: int, kind: str, actor: str) -> None:
    """Put a redemption's items back in stock (gift rows by id), one movement each."""
    items = conn.execute(
        sa.select(redemption_items.c.gift_id, redemption_items.c.quantity)
        .where(redemption_items.c.redemption_id == redemption_id)
        .order_by(redemption_items.c.gift_id)).all()
    now = utcnow()
    moves = []
    for gift_id, quantity in items:
        after = conn.execute(gifts.update().where(gifts.c.id == gift_id)
                             .values(stock=gifts.c.stock + quantity)
                             .returning(gifts.c.stock)).scalar_one()
        moves.append({"gift_id": gift_id, "kind": kind, "quantity": quantity,
                      "stock_after": after, "reason": f"redemption {redemption_id} {kind}",
                      "actor": actor, "redemption_id": redemption_id, "created_at": now})
    if moves:
        conn.execute(stock_movements.insert(), moves)


def load(conn: Connection, comm: books.CommunityRef, redemption_id: int) -> Redemption:
    row = conn.execute(
        sa.select(redemptions, members.c.code.label("member_code"),
                  service_days.c.code.label("day_code"))
        .join(members, members.c.id == redemptions.c.member_id)
        .outerjoin(service_days, service_days.c.id == redemptions.c.service_day_id)
        .where(redemptions.c.id == redemption_id,
               redemptions.c.community_id == comm.id)).first()
    if row is None:
        raise NotFound(f"unknown redemption {redemption_id}", field="redemption")
    return _of(row, _items(conn, [row.id]).get(row.id, ()))


def _items(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[RedemptionItem, ...]]:
    found: dict[int, list[RedemptionItem]] = {}
    for r in conn.execute(
            sa.select(redemption_items.c.redemption_id, gifts.c.code,
                      redemption_items.c.quantity, redemption_items.c.unit_price)
            .join(gifts, gifts.c.id == redemption_items.c.gift_id)
            .where(redemption_items.c.redemption_id.in_(list(ids)))
            .order_by(redemption_items.c.id)):
        found.setdefault(r.redemption_id, []).append(
            RedemptionItem(r.code, r.quantity, int(r.unit_price), r.quantity * r.unit_price))
    return {k: tuple(v) for k, v in found.items()}


def _of(row: Any, items: tuple[RedemptionItem, ...]) -> Redemption:
    return Redemption(int(row.id), row.status, int(row.total), row.unit,
                      int(row.balance_after), receipt_code(row.id), items, row.member_code,
                      row.day_code)


def hold_minutes(comm: books.CommunityRef) -> int:
    """How long a hold lasts before the job releases it (settings ``redemptions``)."""
    value = (comm.settings.get("redemptions") or {}).get("hold_minutes", DEFAULT_HOLD_MINUTES)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RulebookError(f"community {comm.code} settings.redemptions: hold_minutes must "
                            f"be a positive whole number", field="hold_minutes")
    return value


class Redemptions:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _write(self, community: str, key: str, request: dict[str, Any], work: Any
               ) -> Redemption:
        def run(conn: Connection) -> dict[str, Any]:
            comm = books.community(conn, community)
            return once(conn, comm.id, key, request, lambda: work(conn, comm))
        return Redemption.of(self.store.write(run))

    def redeem(self, community: str, member: str | None, items: Sequence[Any], *, key: str,
               card: str | None = None, hold: bool = False, service_day: str | None = None,
               actor: str = "system") -> Redemption:
        """Redeem ``items`` (``[{"gift": code, "quantity": n}, ...]``) for a member named
        by code, or by ``card`` (kiosk desks; pass ``member=None``).

        ``hold=False`` fulfils at once (points spent, stock handed out); ``hold=True``
        reserves both until ``fulfil`` or ``cancel``. Raises UnknownGift, InvalidAmount,
        InvalidState (gift not offered today, service day closed), NotEligible (tier),
        OutOfStock, LimitExceeded, InsufficientPoints; nothing is written then.
        """
        wanted_items = item_requests(items)
        if service_day is not None:
            check_text(service_day, "service_day", 64)
        request = {"op": "redeem", "member": member, "card": card, "hold": bool(hold),
                   "service_day": service_day, "actor": actor,
                   "items": [attrs.asdict(i) for i in wanted_items]}
        return self._write(community, key, request, lambda conn, comm: self._redeem(
            conn, comm, member, card, wanted_items, bool(hold), service_day, actor))

    def _redeem(self, conn: Connection, comm: books.CommunityRef, member: str | None,
                card: str | None, wanted_items: Sequence[ItemRequest], hold: bool,
                service_day: str | None, actor: str) -> dict[str, Any]:
        who = _find_member(conn, comm.id, member, card)
        qty = {i.gift: i.quantity for i in wanted_items}
        wanted = _find_gifts(conn, comm.id, wanted_items)
        units = {g.unit for g in wanted}
        if len(units) > 1:
            raise ValidationError("all items of one redemption are priced in one unit",
                                  field="items")
        unit = units.pop()
        now = utcnow()
        today = local_date(now, comm.timezone)
        for gift in wanted:
            _check_offered(gift, today)
        day_id = _open_day(conn, comm.id, service_day) if service_day is not None else None
        _check_tiers(conn, comm, who, wanted, today)
        stock_after = _take_stock(conn, wanted, qty)
        _check_limits(conn, comm.timezone, who, wanted, qty, today)

        lines = [RedemptionItem(g.code, qty[g.code], p, p * qty[g.code])
                 for g in wanted for p in [unit_price(g.cost, g.price_rules, who.tags)]]
        total = sum(line.total for line in lines)
        status = "held" if hold else "fulfilled"
        row = _INSERT_REDEMPTION.one(conn, {
            "p_community_id": comm.id, "p_member_id": who.id, "p_service_day_id": day_id,
            "p_status": status, "p_unit": unit, "p_total": total, "p_balance_after": 0,
            "p_actor": actor, "p_created_at": now, "p_resolved_at": None if hold else now})
        assert row is not None
        redemption_id = int(row[0])
        receipt = receipt_code(redemption_id)
        found = _ACCOUNT.one(conn, {"p_member": who.id, "p_unit": unit})
        account = (int(found[0]) if found is not None else
                   books.open_member_accounts(conn, comm.id, [who.id], unit)[who.id])
        reason = f"redemption {receipt}"
        hold_id: int | None = None
        entry_id: int | None = None
        if hold:
            hold_id, available = books.place_hold(conn, comm, account, total, reason)
        else:
            sink = books.system_account(conn, comm.id, SystemAccount.REDEMPTION, unit)
            done = books.post(conn, comm, EntryKind.SPEND, move(account, sink, unit, total),
                              reason=reason, actor=actor,
                              meta={"redemption": redemption_id, "receipt": receipt})
            entry_id = done.entry_id
            available = done.balances[account] - done.held[account]
        _LINK.run(conn, {"p_id": redemption_id, "p_balance": available, "p_hold": hold_id,
                         "p_entry": entry_id})
        _INSERT_ITEM.many(conn, [
            {"p_redemption_id": redemption_id, "p_gift_id": g.id, "p_quantity": qty[g.code],
             "p_unit_price": line.unit_price} for g, line in zip(wanted, lines, strict=True)])
        kind = "reserve" if hold else "redeem"
        _INSERT_MOVEMENT.many(conn, [
            {"p_gift_id": g.id, "p_kind": kind, "p_quantity": -qty[g.code],
             "p_stock_after": stock_after[g.id], "p_reason": reason, "p_actor": actor,
             "p_redemption_id": redemption_id, "p_created_at": now} for g in wanted])
        return attrs.asdict(Redemption(redemption_id, status, total, unit, available, receipt,
                                       tuple(lines), who.code, service_day))

    def fulfil(self, community: str, redemption_id: int, *, key: str,
               actor: str = "system") -> Redemption:
        """Hand over a held redemption: its hold is captured (points spent), once."""
        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            row = _transition(conn, comm, redemption_id, "held", "fulfilled")
            account, amount = books.resolve_hold(conn, comm, row.hold_id, "captured")
            sink = books.system_account(conn, comm.id, SystemAccount.REDEMPTION, row.unit)
            receipt = receipt_code(redemption_id)
            done = books.post(conn, comm, EntryKind.CAPTURE,
                              move(account, sink, row.unit, amount),
                              reason=f"redemption {receipt}", actor=actor,
                              meta={"redemption": redemption_id, "receipt": receipt,
                                    "hold": row.hold_id})
            books.link_hold(conn, row.hold_id, done.entry_id)
            conn.execute(redemptions.update().where(redemptions.c.id == redemption_id)
                         .values(entry_id=done.entry_id,
                                 balance_after=_available(conn, account)))
            return attrs.asdict(load(conn, comm, redemption_id))
        return self._write(community, key, {"op": "fulfil", "redemption": redemption_id,
                                            "actor": actor}, work)

    def cancel(self, community: str, redemption_id: int, *, key: str,
               actor: str = "system") -> Redemption:
        """Cancel a held redemption: stock and points go back, once."""
        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            _cancel(conn, comm, redemption_id, actor)
            return attrs.asdict(load(conn, comm, redemption_id))
        return self._write(community, key, {"op": "cancel", "redemption": redemption_id,
                                            "actor": actor}, work)

    def return_redemption(self, community: str, redemption_id: int, *, key: str,
                          reason: str = "returned", actor: str = "system") -> Redemption:
        """Take back a fulfilled redemption: its spend is reversed and the items go back
        into stock, once."""
        check_text(reason, "reason", 500)

        def work(conn: Connection, comm: books.CommunityRef) -> dict[str, Any]:
            row = _transition(conn, comm, redemption_id, "fulfilled", "returned")
            _restore_stock(conn, redemption_id, "return", actor)
            original = books.load_entry(conn, comm, row.entry_id)
            done = books.post(conn, comm, EntryKind.REVERSAL, negate(original.legs),
                              reason=reason, actor=actor, reverses=row.entry_id,
                              meta={"reverses_kind": original.kind,
                                    "redemption": redemption_id})
            account = books.open_member_accounts(conn, comm.id, [row.member_id],
                                                 row.unit)[row.member_id]
            conn.execute(redemptions.update().where(redemptions.c.id == redemption_id)
                         .values(return_entry_id=done.entry_id,
                                 balance_after=_available(conn, account)))
            return attrs.asdict(load(conn, comm, redemption_id))
        return self._write(community, key, {"op": "return", "redemption": redemption_id,
                                            "reason": reason, "actor": actor}, work)

    def release_stale(self, community: str, *, older_than_minutes: int | None = None,
                      now: datetime | None = None, actor: str = "system") -> list[int]:
        """The job: cancel held redemptions older than ``older_than_minutes`` (default the
        community's ``redemptions.hold_minutes``, else 60). Returns the ids released."""
        def run(conn: Connection) -> list[int]:
            comm = books.community(conn, community)
            minutes = older_than_minutes if older_than_minutes is not None \
                else hold_minutes(comm)
            before = (now or utcnow()) - timedelta(minutes=minutes)
            ids = conn.execute(sa.select(redemptions.c.id).where(
                redemptions.c.community_id == comm.id, redemptions.c.status == "held",
                redemptions.c.created_at < before).order_by(redemptions.c.id)).scalars().all()
            for redemption_id in ids:
                _cancel(conn, comm, redemption_id, actor)
            return list(ids)
        return self.store.write(run)

    # -- reads ---------------------------------------------------------------------------

    def get(self, community: str, redemption_id: int) -> Redemption:
        with self.store.read() as conn:
            return load(conn, books.community(conn, community), redemption_id)

    def by_receipt(self, community: str, receipt: str) -> Redemption:
        """The redemption a receipt code names."""
        found = receipt_id(receipt) if isinstance(receipt, str) else None
        if found is None:
            raise NotFound(f"unknown receipt {receipt!r}", field="receipt")
        return self.get(community, found)

    def find(self, community: str, *, member: str | None = None, status: str | None = None,
             service_day: str | None = None, limit: int = 50, offset: int = 0
             ) -> list[Redemption]:
        """Redemptions newest first, filtered by member code, status and service day."""
        if status is not None and status not in STATUSES:
            raise ValidationError(f"status must be one of {', '.join(STATUSES)}",
                                  field="status")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= 1000:
            raise ValidationError("limit must be from 1 to 1000", field="limit")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValidationError("offset must be 0 or more", field="offset")
        with self.store.read() as conn:
            comm = books.community(conn, community)
            query = (sa.select(redemptions, members.c.code.label("member_code"),
                               service_days.c.code.label("day_code"))
                     .join(members, members.c.id == redemptions.c.member_id)
                     .outerjoin(service_days,
                                service_days.c.id == redemptions.c.service_day_id)
                     .where(redemptions.c.community_id == comm.id))
            if member is not None:
                query = query.where(members.c.code == member)
            if status is not None:
                query = query.where(redemptions.c.status == status)
            if service_day is not None:
                query = query.where(service_days.c.code == service_day)
            rows = conn.execute(query.order_by(redemptions.c.id.desc())
                                .limit(limit).offset(offset)).all()
            items = _items(conn, [r.id for r in rows]) if rows else {}
        return [_of(r, items.get(r.id, ())) for r in rows]


def _cancel(conn: Connection, comm: books.CommunityRef, redemption_id: int,
            actor: str) -> None:
    row = _transition(conn, comm, redemption_id, "held", "cancelled")
    _restore_stock(conn, redemption_id, "release", actor)
    account, _ = books.resolve_hold(conn, comm, row.hold_id, "released")
    conn.execute(redemptions.update().where(redemptions.c.id == redemption_id)
                 .values(balance_after=_available(conn, account)))


def cancel_held(conn: Connection, comm: books.CommunityRef, redemption_ids: Sequence[int],
                actor: str) -> None:
    """Cancel these held redemptions inside an open transaction (service-day closing)."""
    for redemption_id in redemption_ids:
        _cancel(conn, comm, redemption_id, actor)
