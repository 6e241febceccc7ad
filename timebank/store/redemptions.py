"""The redemptions' gateway: redemptions and their items, for the unit of work's community.

A redemption's id is taken before its row is written, so the spend or hold that names
its receipt comes first and the row goes in once, complete. A state change (fulfil,
cancel, return) locks the row first (the lock order: a redemption row, then gift rows,
then accounts), checks its status and writes the new one with its balance at the end.
The desk's statements are prebuilt (``fast.Statement``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from timebank.domain.catalogue import ItemRequest, receipt_code
from timebank.domain.redemptions import (
    Redeemer,
    Redemption,
    RedemptionItem,
    StoredItem,
    StoredRedemption,
)
from timebank.errors import NotFound
from timebank.i18n import T
from timebank.store import fused_held, fused_redeem
from timebank.store.fast import Statement
from timebank.store.gateway import Gateway
from timebank.store.tables import (
    accounts,
    gifts,
    members,
    redemption_items,
    redemptions,
    service_days,
)

_P = sa.bindparam
_REDEEMER = {
    field: Statement(sa.select(members.c.id, members.c.code, members.c.tags)
                     .where(members.c.community_id == _P("p_community"),
                            getattr(members.c, field) == _P("p_value")).limit(2))
    for field in ("code", "card")}
# The next id: a sequence on PostgreSQL; on SQLite the writer holds the database lock.
_NEXT_ID = {
    "postgresql": Statement(sa.text("SELECT nextval(pg_get_serial_sequence('redemptions', "
                                    "'id'))")),
    "sqlite": Statement(sa.select(sa.func.coalesce(sa.func.max(redemptions.c.id), 0) + 1)),
}
_INSERT = Statement(redemptions.insert().values(
    {c: _P(f"p_{c}") for c in ("id", "community_id", "member_id", "service_day_id", "status",
                               "unit", "total", "balance_after", "hold_id", "entry_id",
                               "actor", "created_at", "resolved_at")}))
_INSERT_ITEM = Statement(redemption_items.insert().values(
    {c: _P(f"p_{c}") for c in ("redemption_id", "gift_id", "quantity", "unit_price")}))
_TAKEN = Statement(
    sa.select(sa.func.coalesce(sa.func.sum(redemption_items.c.quantity), 0))
    .join(redemptions, redemptions.c.id == redemption_items.c.redemption_id)
    .where(redemptions.c.member_id == _P("p_member"), redemptions.c.created_at >= _P("p_since"),
           redemption_items.c.gift_id == _P("p_gift"),
           # Not ``in_``: a prebuilt statement cannot expand a list parameter.
           sa.or_(redemptions.c.status == "held", redemptions.c.status == "fulfilled")))
# FOR UPDATE OF the redemption only: the member's account is locked later, in its order.
_LOCK = Statement(
    sa.select(redemptions.c.id, redemptions.c.status, members.c.code, redemptions.c.unit,
              redemptions.c.total, redemptions.c.hold_id, redemptions.c.entry_id,
              service_days.c.code, accounts.c.id)
    .select_from(redemptions.join(members, members.c.id == redemptions.c.member_id)
                 .outerjoin(service_days, service_days.c.id == redemptions.c.service_day_id)
                 .outerjoin(accounts, sa.and_(accounts.c.member_id == redemptions.c.member_id,
                                              accounts.c.unit == redemptions.c.unit)))
    .where(redemptions.c.id == _P("p_id"), redemptions.c.community_id == _P("p_community"))
    .with_for_update(of=redemptions))
_ITEMS = Statement(
    sa.select(redemption_items.c.gift_id, gifts.c.code, redemption_items.c.quantity,
              redemption_items.c.unit_price)
    .join(gifts, gifts.c.id == redemption_items.c.gift_id)
    .where(redemption_items.c.redemption_id == _P("p_id")).order_by(redemption_items.c.id))
_RESOLVE = {
    column: Statement(redemptions.update().where(redemptions.c.id == _P("p_id")).values(
        status=_P("p_status"), resolved_at=_P("p_now"), balance_after=_P("p_balance"),
        **({column: _P("p_entry")} if column else {})))
    for column in ("entry_id", "return_entry_id", None)}


def _item(code: str, quantity: int, unit_price: int) -> RedemptionItem:
    return RedemptionItem(code, quantity, int(unit_price), quantity * unit_price)


class RedemptionsGateway(Gateway):
    # -- redeeming -----------------------------------------------------------------------

    def redeemers(self, field: str, value: str) -> list[Redeemer]:
        """Members whose ``field`` (``code`` or ``card``) is ``value``: at most two, which
        is enough to tell one from several."""
        rows = _REDEEMER[field].all(self.conn, {"p_community": self.uow.community_id,
                                                "p_value": value})
        return [Redeemer(int(found), code, tuple(tags or ())) for found, code, tags in rows]

    def taken_since(self, member_id: int, gift_id: int, since: datetime) -> int:
        """How many of the gift the member's held and fulfilled redemptions since
        ``since`` (naive UTC) hold."""
        row = _TAKEN.one(self.conn, {"p_member": member_id, "p_gift": gift_id,
                                     "p_since": since})
        return int(row[0]) if row is not None else 0

    def redeem_once(self, key: str, request: Mapping[str, Any], member: str,
                    items: Sequence[ItemRequest], service_day: str | None,
                    actor: str, *, by: str = "code", hold: bool = False
                    ) -> Redemption | None:
        """On PostgreSQL, a redemption fulfilled at once (or held) in two statements with
        its key (``fused_redeem``), the member named by ``by`` (``code`` or ``card``);
        None, having written nothing, where the general path must answer (and always on
        SQLite)."""
        return fused_redeem.redeem_once(self.uow, key, request, member, items, service_day,
                                        actor, by=by, hold=hold)

    def fulfil_once(self, redemption_id: int, key: str | None, request: Mapping[str, Any],
                    actor: str) -> Redemption | None:
        """On PostgreSQL, a held redemption handed over in two statements with its key
        (``fused_held``); None, having written nothing, where the general path must
        answer (and always on SQLite)."""
        return fused_held.fulfil_once(self.uow, redemption_id, key, request, actor)

    def cancel_once(self, redemption_id: int, key: str | None, request: Mapping[str, Any],
                    actor: str) -> Redemption | None:
        """``fulfil_once`` for the cancellation of a held redemption."""
        return fused_held.cancel_once(self.uow, redemption_id, key, request, actor)

    def next_id(self) -> int:
        row = _NEXT_ID[self.uow.dialect].one(self.conn, {})
        assert row is not None
        return int(row[0])

    def add(self, redemption_id: int, member_id: int, service_day_id: int | None,
            status: str, unit: str, total: int, balance_after: int, *, hold_id: int | None,
            entry_id: int | None, actor: str, at: datetime,
            items: Sequence[tuple[int, int, int]]) -> None:
        """Write the redemption (its id from ``next_id``) and its items, (gift id,
        quantity, unit price)."""
        _INSERT.run(self.conn, {
            "p_id": redemption_id, "p_community_id": self.uow.community_id,
            "p_member_id": member_id, "p_service_day_id": service_day_id, "p_status": status,
            "p_unit": unit, "p_total": total, "p_balance_after": balance_after,
            "p_hold_id": hold_id, "p_entry_id": entry_id, "p_actor": actor,
            "p_created_at": at, "p_resolved_at": None if status == "held" else at})
        _INSERT_ITEM.many(self.conn, [
            {"p_redemption_id": redemption_id, "p_gift_id": gift_id, "p_quantity": quantity,
             "p_unit_price": price} for gift_id, quantity, price in items])

    # -- state changes -------------------------------------------------------------------

    def lock(self, redemption_id: int) -> StoredRedemption:
        """The redemption, its row locked until the transaction ends."""
        row = _LOCK.one(self.conn, {"p_id": redemption_id,
                                    "p_community": self.uow.community_id})
        if row is None:
            raise NotFound(T("unknown redemption {redemption_id}", redemption_id=redemption_id),
                           field="redemption")
        found, status, member, unit, total, hold_id, entry_id, day, account_id = row
        return StoredRedemption(int(found), status, member, unit, int(total), hold_id,
                                entry_id, day, account_id)

    def items(self, redemption_id: int) -> list[StoredItem]:
        return [StoredItem(int(gift_id), _item(code, quantity, unit_price))
                for gift_id, code, quantity, unit_price
                in _ITEMS.all(self.conn, {"p_id": redemption_id})]

    def resolve(self, redemption_id: int, status: str, balance_after: int, at: datetime, *,
                entry_id: int | None = None, return_entry_id: int | None = None) -> None:
        """Write a locked redemption's new status, its balance after, and the spend or
        the reversal that the change posted."""
        column = ("entry_id" if entry_id is not None else
                  "return_entry_id" if return_entry_id is not None else None)
        params: dict[str, Any] = {"p_id": redemption_id, "p_status": status, "p_now": at,
                                  "p_balance": balance_after}
        if column is not None:
            params["p_entry"] = entry_id if entry_id is not None else return_entry_id
        _RESOLVE[column].run(self.conn, params)

    def held_before(self, before: datetime) -> list[int]:
        """The community's held redemptions made before ``before``, oldest first."""
        return list(self.conn.execute(sa.select(redemptions.c.id).where(
            redemptions.c.community_id == self.uow.community_id,
            redemptions.c.status == "held", redemptions.c.created_at < before)
            .order_by(redemptions.c.id)).scalars())

    def held_on(self, service_day_id: int) -> list[int]:
        """The service day's held redemptions, oldest first."""
        return list(self.conn.execute(sa.select(redemptions.c.id).where(
            redemptions.c.service_day_id == service_day_id, redemptions.c.status == "held")
            .order_by(redemptions.c.id)).scalars())

    # -- reads ---------------------------------------------------------------------------

    def get(self, redemption_id: int) -> Redemption:
        found = self.find(redemption_id=redemption_id, limit=1)
        if not found:
            raise NotFound(T("unknown redemption {redemption_id}", redemption_id=redemption_id),
                           field="redemption")
        return found[0]

    def find(self, *, redemption_id: int | None = None, member: str | None = None,
             status: str | None = None, service_day: str | None = None, limit: int = 50,
             offset: int = 0) -> list[Redemption]:
        """Redemptions newest first, filtered by id, member code, status and service day."""
        query = (sa.select(redemptions.c.id, redemptions.c.status, redemptions.c.total,
                           redemptions.c.unit, redemptions.c.balance_after,
                           members.c.code.label("member_code"),
                           service_days.c.code.label("day_code"))
                 .join(members, members.c.id == redemptions.c.member_id)
                 .outerjoin(service_days, service_days.c.id == redemptions.c.service_day_id)
                 .where(redemptions.c.community_id == self.uow.community_id))
        if redemption_id is not None:
            query = query.where(redemptions.c.id == redemption_id)
        if member is not None:
            query = query.where(members.c.code == member)
        if status is not None:
            query = query.where(redemptions.c.status == status)
        if service_day is not None:
            query = query.where(service_days.c.code == service_day)
        rows = self.conn.execute(query.order_by(redemptions.c.id.desc())
                                 .limit(limit).offset(offset)).all()
        items = self._items_of([r.id for r in rows]) if rows else {}
        return [Redemption(int(r.id), r.status, int(r.total), r.unit, int(r.balance_after),
                           receipt_code(r.id), items.get(r.id, ()), r.member_code, r.day_code)
                for r in rows]

    def _items_of(self, ids: Sequence[int]) -> dict[int, tuple[RedemptionItem, ...]]:
        found: dict[int, list[RedemptionItem]] = {}
        for redemption_id, code, quantity, unit_price in self.conn.execute(
                sa.select(redemption_items.c.redemption_id, gifts.c.code,
                          redemption_items.c.quantity, redemption_items.c.unit_price)
                .join(gifts, gifts.c.id == redemption_items.c.gift_id)
                .where(redemption_items.c.redemption_id.in_(list(ids)))
                .order_by(redemption_items.c.id)):
            found.setdefault(redemption_id, []).append(_item(code, quantity, unit_price))
        return {k: tuple(v) for k, v in found.items()}
