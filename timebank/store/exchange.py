"""The exchange's gateway: every statement of requests, claims, their history and offers.

A state change reads its request with ``lock`` (the whole row, locked until the
transaction ends, then its active claims with the volunteers' accounts), so two racing
claims or confirmations are decided one after the other and the change can answer from
what it read and wrote, without reading the request back; the ledger side (holds, the
payment) goes through ``uow.ledger``. The statements of the post → claim → confirm path
are prebuilt (``fast.Statement``); the lists' filtered queries are built per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import attrs
import sqlalchemy as sa

from timebank.domain.exchange import (
    HELD,
    ExchangeRequest,
    Offer,
    RequestEvent,
    StoredRequest,
)
from timebank.errors import InsufficientPoints, InvalidState, NotFound, UnknownMember
from timebank.i18n import T
from timebank.store.fast import Statement
from timebank.store.gateway import Gateway
from timebank.store.tables import (
    accounts,
    communities,
    exchange_claims,
    exchange_events,
    exchange_offers,
    exchange_requests,
    members,
    units,
)
from timebank.timeutil import utcnow

_req = exchange_requests
_P = sa.bindparam
UNIT = "minutes"

# A member's id, tags and account in one unit (None until opened).
_MEMBER = Statement(
    sa.select(members.c.id, members.c.tags, accounts.c.id.label("account_id"))
    .select_from(members.outerjoin(accounts, sa.and_(accounts.c.member_id == members.c.id,
                                                     accounts.c.unit == _P("p_unit"))))
    .where(members.c.community_id == _P("p_community"), members.c.code == _P("p_code")))
_POOL = Statement(sa.select(accounts.c.posted, accounts.c.held)
                  .where(accounts.c.id == _P("p_id")).with_for_update())
_REQUEST_COLUMNS = ("community_id", "member_id", "title", "category", "minutes", "needed_on",
                    "place", "funded_by", "payer_account_id", "hold_id", "max_volunteers",
                    "offer_id", "status", "reason", "actor", "created_at")
_INSERT_REQUEST = Statement(_req.insert().values(
    {c: _P(f"p_{c}") for c in _REQUEST_COLUMNS}).returning(_req.c.id))
# FOR UPDATE OF the request only: accounts are locked later, in their order.
_LOCK = Statement(
    sa.select(_req.c.id, _req.c.status, members.c.code, _req.c.member_id, _req.c.minutes,
              _req.c.funded_by, _req.c.payer_account_id, _req.c.hold_id,
              _req.c.max_volunteers, _req.c.needed_on, _req.c.title, _req.c.category,
              _req.c.place, _req.c.offer_id, _req.c.reason, _req.c.created_at,
              _req.c.minutes_paid, _req.c.entry_id)
    .join(members, members.c.id == _req.c.member_id)
    .where(_req.c.id == _P("p_id"), _req.c.community_id == _P("p_community"))
    .with_for_update(of=_req))


def _volunteer_code(community: Any) -> Any:
    """A volunteer's code as the request's community names it: ``CODE`` for its own
    members, ``HOME:CODE`` for a member of a partner community (通存通兑)."""
    home = (sa.select(communities.c.code).where(communities.c.id == members.c.community_id)
            .scalar_subquery())
    return sa.case((members.c.community_id == community, members.c.code),
                   else_=home.concat(":").concat(members.c.code))


_CLAIMS = Statement(
    sa.select(_volunteer_code(_P("p_community", type_=sa.BigInteger)), members.c.id,
              accounts.c.id.label("account_id"))
    .select_from(exchange_claims.join(members, members.c.id == exchange_claims.c.member_id)
                 .outerjoin(accounts, sa.and_(accounts.c.member_id == members.c.id,
                                              accounts.c.unit == _P("p_unit"))))
    .where(exchange_claims.c.request_id == _P("p_id"), exchange_claims.c.status == "active")
    .order_by(exchange_claims.c.id))
# The volunteer found by code and the claim written in one statement.
_CLAIM = Statement(
    exchange_claims.insert().from_select(
        ["request_id", "member_id", "status", "created_at"],
        sa.select(_P("p_request", type_=sa.BigInteger), members.c.id,
                  sa.literal("active", sa.String), _P("p_now", type_=sa.DateTime))
        .where(members.c.community_id == _P("p_community"), members.c.code == _P("p_code")))
    .returning(exchange_claims.c.member_id))
_WITHDRAW_CLAIM = Statement(
    exchange_claims.update()
    .where(exchange_claims.c.request_id == _P("p_request"),
           exchange_claims.c.member_id == _P("p_member"), exchange_claims.c.status == "active")
    .values(status="withdrawn", withdrawn_at=_P("p_now")))
_SET_STATUS = Statement(
    _req.update().where(_req.c.id == _P("p_id"))
    .values(status=_P("p_status"), reason=_P("p_reason"), minutes_paid=_P("p_paid"),
            entry_id=_P("p_entry"), resolved_at=_P("p_resolved")))
_EVENT = Statement(exchange_events.insert().values(
    {c: _P(f"p_{c}") for c in ("request_id", "kind", "member_id", "minutes", "reason",
                               "actor", "at")}))
# Rows are added in member id order, so two payments touching the same members lock
# their totals in one order.
_COUNT_PAID = Statement(sa.text(
    "INSERT INTO exchange_monthly (community_id, member_id, month, given, received, served)"
    " VALUES (:p_community, :p_member, :p_month, :p_given, :p_received, :p_served)"
    " ON CONFLICT (community_id, member_id, month) DO UPDATE SET"
    " given = exchange_monthly.given + excluded.given,"
    " received = exchange_monthly.received + excluded.received,"
    " served = exchange_monthly.served + excluded.served"))


class ExchangeGateway(Gateway):
    # -- members -------------------------------------------------------------------------

    def requester(self, code: str, field: str = "member"
                  ) -> tuple[int, tuple[str, ...], int | None]:
        """The member's id, tags and account in minutes (None until opened)."""
        row = _MEMBER.one(self.conn, {"p_unit": UNIT, "p_community": self.uow.community_id,
                                      "p_code": code})
        if row is None:
            raise UnknownMember(T("unknown member {code!r}", code=code), field=field)
        member_id, tags, account_id = row
        return int(member_id), tuple(tags or ()), account_id

    def member(self, code: str, field: str = "member") -> tuple[int, tuple[str, ...]]:
        """The member's id and tags."""
        return self.requester(code, field)[:2]

    def unit_path(self, code: str) -> str:
        return self.uow.members.units.ref(code).path

    def pool_available(self, account_id: int, needed: int) -> None:
        """Lock the donation pool's account and refuse if it cannot give ``needed`` (the
        ledger lets the community's own accounts go below zero; the pool may not)."""
        row = _POOL.one(self.conn, {"p_id": account_id})
        assert row is not None
        available = int(row[0]) - int(row[1])
        if available < needed:
            raise InsufficientPoints(
                T("the donation pool has {available} minutes available, {needed} needed",
                  available=available, needed=needed),
                field="minutes", available=available, needed=needed)

    # -- requests ------------------------------------------------------------------------

    def add_request(self, member_id: int, member: str, *, title: str, category: str,
                    minutes: int, needed_on: date | None, place: str, funded_by: str,
                    payer_account: int, hold_id: int, max_volunteers: int,
                    offer: int | None, actor: str) -> StoredRequest:
        """Write an open request; returns it as written (no read back)."""
        now = utcnow()
        row = _INSERT_REQUEST.one(self.conn, {
            "p_community_id": self.uow.community_id, "p_member_id": member_id,
            "p_title": title, "p_category": category, "p_minutes": minutes,
            "p_needed_on": needed_on, "p_place": place, "p_funded_by": funded_by,
            "p_payer_account_id": payer_account, "p_hold_id": hold_id,
            "p_max_volunteers": max_volunteers, "p_offer_id": offer, "p_status": "open",
            "p_reason": "", "p_actor": actor, "p_created_at": now})
        assert row is not None
        return StoredRequest(int(row[0]), "open", member, member_id, minutes, funded_by,
                             payer_account, hold_id, max_volunteers, (), (), needed_on,
                             title, (), category, place, offer, "", now)

    def lock(self, request_id: int) -> StoredRequest:
        """The request, its row locked, with its active claims in claim order."""
        row = _LOCK.one(self.conn, {"p_id": request_id, "p_community": self.uow.community_id})
        if row is None:
            raise NotFound(T("unknown request {request_id}", request_id=request_id),
                           field="request")
        (found_id, status, code, member_id, minutes, funded_by, payer, hold_id, most,
         needed_on, title, category, place, offer, reason, created_at, paid, entry) = row
        claims = _CLAIMS.all(self.conn, {"p_unit": UNIT, "p_id": request_id,
                                          "p_community": self.uow.community_id})
        return StoredRequest(
            int(found_id), status, code, int(member_id), int(minutes), funded_by, int(payer),
            hold_id, int(most), tuple(c for c, _, _ in claims),
            tuple(int(i) for _, i, _ in claims), needed_on, title,
            tuple(a for _, _, a in claims), category, place, offer, reason, created_at,
            paid, entry)

    def claim(self, request_id: int, member: str) -> int:
        """Write ``member``'s active claim; returns the member's id."""
        row = _CLAIM.one(self.conn, {"p_request": request_id, "p_now": utcnow(),
                                     "p_community": self.uow.community_id, "p_code": member})
        if row is None:
            raise UnknownMember(T("unknown member {member!r}", member=member), field="member")
        return int(row[0])

    def withdraw_claim(self, request_id: int, member_id: int) -> None:
        _WITHDRAW_CLAIM.run(self.conn, {"p_request": request_id, "p_member": member_id,
                                        "p_now": utcnow()})

    def set_status(self, found: StoredRequest, status: str, *, final: bool = False,
                   reason: str | None = None, minutes_paid: int | None = None,
                   entry_id: int | None = None) -> StoredRequest:
        """Write a locked request's new status (and ``reason``, ``minutes_paid`` and
        ``entry_id`` when given); a final status stamps ``resolved_at``. Returns the
        request as written."""
        now = attrs.evolve(
            found, status=status, reason=found.reason if reason is None else reason,
            minutes_paid=found.minutes_paid if minutes_paid is None else minutes_paid,
            entry_id=found.entry_id if entry_id is None else entry_id)
        _SET_STATUS.run(self.conn, {"p_id": found.id, "p_status": status,
                                    "p_reason": now.reason, "p_paid": now.minutes_paid,
                                    "p_entry": now.entry_id,
                                    "p_resolved": utcnow() if final else None})
        return now

    def event(self, request_id: int, kind: str, *, member_id: int | None = None,
              minutes: int | None = None, reason: str = "", actor: str = "system") -> None:
        _EVENT.run(self.conn, {"p_request_id": request_id, "p_kind": kind,
                               "p_member_id": member_id, "p_minutes": minutes,
                               "p_reason": reason, "p_actor": actor, "p_at": utcnow()})

    def count_paid(self, month: str, requester_id: int, minutes: int,
                   shares: Sequence[tuple[int, int]]) -> None:
        """Add one paid request to the monthly running totals: ``minutes`` received by
        the requester, each (volunteer id, minutes) share given and one request served."""
        rows: dict[int, list[int]] = {requester_id: [0, minutes, 0]}
        for member_id, share in shares:
            slot = rows.setdefault(member_id, [0, 0, 0])
            slot[0] += share
            slot[2] += 1
        _COUNT_PAID.many(self.conn, [
            {"p_community": self.uow.community_id, "p_member": member_id, "p_month": month,
             "p_given": given, "p_received": received, "p_served": served}
            for member_id, (given, received, served) in sorted(rows.items())])

    def open_before(self, day: date) -> list[int]:
        """Open requests needed before ``day``, oldest first (the expiry job)."""
        return list(self.conn.execute(sa.select(_req.c.id).where(
            _req.c.community_id == self.uow.community_id, _req.c.status == "open",
            _req.c.needed_on < day).order_by(_req.c.id)).scalars())

    # -- reads ---------------------------------------------------------------------------

    def _claims(self, ids: Sequence[int]) -> dict[int, list[tuple[str, int]]]:
        found: dict[int, list[tuple[str, int]]] = {}
        for request_id, code, member_id in self.conn.execute(
                sa.select(exchange_claims.c.request_id,
                          _volunteer_code(self.uow.community_id), members.c.id)
                .join(members, members.c.id == exchange_claims.c.member_id)
                .where(exchange_claims.c.request_id.in_(list(ids)),
                       exchange_claims.c.status == "active")
                .order_by(exchange_claims.c.id)):
            found.setdefault(request_id, []).append((code, int(member_id)))
        return found

    def one(self, request_id: int) -> ExchangeRequest:
        """The request without its history (what a state change answers)."""
        found = self.find(request_id=request_id, limit=1)
        if not found:
            raise NotFound(T("unknown request {request_id}", request_id=request_id),
                           field="request")
        return found[0]

    def get(self, request_id: int) -> ExchangeRequest:
        """The request with its history."""
        found = [self.one(request_id)]
        events = tuple(
            RequestEvent(at, kind, code, minutes, reason, actor)
            for at, kind, code, minutes, reason, actor in self.conn.execute(
                sa.select(exchange_events.c.at, exchange_events.c.kind, members.c.code,
                          exchange_events.c.minutes, exchange_events.c.reason,
                          exchange_events.c.actor)
                .outerjoin(members, members.c.id == exchange_events.c.member_id)
                .where(exchange_events.c.request_id == request_id)
                .order_by(exchange_events.c.id)))
        return attrs.evolve(found[0], history=events)

    def find(self, **filters: Any) -> list[ExchangeRequest]:
        """Requests filtered as ``placed`` filters them."""
        return [found for found, _ in self.placed(**filters)]

    def placed(self, *, request_id: int | None = None, status: str | None = None,
               category: str | None = None, member: str | None = None,
               unit_path: str | None = None, limit: int = 50, offset: int = 0,
               by_date: bool = False, involving: str | None = None,
               statuses: Sequence[str] | None = None
               ) -> list[tuple[ExchangeRequest, str | None]]:
        """Requests with their requester's unit path, filtered by id, status (or any of
        ``statuses``), category, requester, a member ``involving`` them (as requester or
        active volunteer) and the requester's unit (a subtree); newest first, or by the
        date needed (undated last)."""
        query = (sa.select(_req, members.c.code.label("requester"),
                           units.c.path.label("path"))
                 .join(members, members.c.id == _req.c.member_id)
                 .outerjoin(units, units.c.id == members.c.unit_id)
                 .where(_req.c.community_id == self.uow.community_id))
        if request_id is not None:
            query = query.where(_req.c.id == request_id)
        if status is not None:
            query = query.where(_req.c.status == status)
        if category is not None:
            query = query.where(_req.c.category == category)
        if member is not None:
            query = query.where(members.c.code == member)
        if statuses is not None:
            query = query.where(_req.c.status.in_(list(statuses)))
        if involving is not None:
            who = sa.alias(members)  # not the requester's row of the outer query
            volunteer = sa.select(exchange_claims.c.request_id).join(
                who, who.c.id == exchange_claims.c.member_id).where(
                who.c.community_id == self.uow.community_id,
                who.c.code == involving, exchange_claims.c.status == "active")
            query = query.where(sa.or_(members.c.code == involving, _req.c.id.in_(volunteer)))
        if unit_path is not None:
            query = query.where(units.c.path.startswith(unit_path, autoescape=True))
        order = ([_req.c.needed_on.is_(None), _req.c.needed_on, _req.c.id] if by_date
                 else [_req.c.id.desc()])
        rows = self.conn.execute(query.order_by(*order).limit(limit).offset(offset)).all()
        claims = self._claims([r.id for r in rows]) if rows else {}
        return [(ExchangeRequest(
            int(r.id), r.status, r.requester, r.title, r.category, int(r.minutes),
            int(r.minutes) if r.status in HELD else 0,
            "pool" if r.funded_by == "pool" else r.requester, r.funded_by, r.needed_on,
            r.place, int(r.max_volunteers), tuple(c for c, _ in claims.get(r.id, [])),
            r.minutes_paid, r.entry_id, r.offer_id, r.reason, r.created_at), r.path)
            for r in rows]

    # -- offers --------------------------------------------------------------------------

    def add_offer(self, member_id: int, category: str, text: str, availability: str) -> int:
        return int(self.conn.execute(exchange_offers.insert().values(
            community_id=self.uow.community_id, member_id=member_id, category=category,
            text=text, availability=availability, status="listed", created_at=utcnow())
            .returning(exchange_offers.c.id)).scalar_one())

    def withdraw_offer(self, offer_id: int) -> Offer:
        """Withdraw a listed offer (a guarded update: at most once)."""
        done = self.conn.execute(exchange_offers.update().where(
            exchange_offers.c.id == offer_id,
            exchange_offers.c.community_id == self.uow.community_id,
            exchange_offers.c.status == "listed")
            .values(status="withdrawn", withdrawn_at=utcnow())).rowcount
        found = self.offers(offer_id=offer_id, status=None, limit=1)
        if not found:
            raise NotFound(T("unknown offer {offer_id}", offer_id=offer_id), field="offer")
        if not done:
            raise InvalidState(T("offer {offer_id} is already withdrawn", offer_id=offer_id),
                               state="withdrawn")
        return found[0]

    def offers(self, **filters: Any) -> list[Offer]:
        """Offers as ``placed_offers`` filters them."""
        return [offer for offer, _ in self.placed_offers(**filters)]

    def placed_offers(self, *, offer_id: int | None = None, category: str | None = None,
                      categories: Sequence[str] | None = None, unit_path: str | None = None,
                      member: str | None = None, status: str | None = "listed",
                      limit: int = 50, offset: int = 0) -> list[tuple[Offer, str | None]]:
        """Offers newest first, each with the offerer's unit path."""
        query = (sa.select(exchange_offers, members.c.code.label("member_code"),
                           units.c.code.label("unit_code"), units.c.path)
                 .join(members, members.c.id == exchange_offers.c.member_id)
                 .outerjoin(units, units.c.id == members.c.unit_id)
                 .where(exchange_offers.c.community_id == self.uow.community_id))
        if offer_id is not None:
            query = query.where(exchange_offers.c.id == offer_id)
        if status is not None:
            query = query.where(exchange_offers.c.status == status)
        if category is not None:
            query = query.where(exchange_offers.c.category == category)
        if categories is not None:
            query = query.where(exchange_offers.c.category.in_(list(categories)))
        if member is not None:
            query = query.where(members.c.code == member)
        if unit_path is not None:
            query = query.where(units.c.path.startswith(unit_path, autoescape=True))
        rows = self.conn.execute(query.order_by(exchange_offers.c.id.desc())
                                 .limit(limit).offset(offset)).all()
        return [(Offer(int(r.id), r.member_code, r.category, r.text, r.availability,
                       r.status, r.unit_code, r.created_at), r.path) for r in rows]
