"""The districts' gateway: alliances, clearing accounts, cross acts, moves, settlements.

A cross act writes in two communities' books in one transaction: ``post_half`` posts one
half through ``posting.post_many`` for the community it names (its own chain, its own
sequence). Callers post the halves in community-id order, so two acts between the same
pair take the communities' rows in one order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from timebank.domain.districts import CLEARING, SETTLEMENT, District, clearing_name
from timebank.domain.ledger import Posting
from timebank.errors import AlreadyExists, InvalidState, NotFound, UnknownMember
from timebank.i18n import T
from timebank.store.gateway import Gateway
from timebank.store.idempotency import insert_ignoring_conflicts
from timebank.store.ledger import _FREE_HELD, _INSERT_HOLD, _PLACE_HOLD, _RESOLVE_HOLD
from timebank.store.posting import NewEntry, Posted, allocate_ids, post_many, refuse
from timebank.store.tables import (
    accounts,
    communities,
    earnings_monthly,
    entries,
    exchange_claims,
    holds,
    members,
    postings,
)
from timebank.store.tables.districts import (
    cross_acts,
    district_communities,
    district_settlements,
    districts,
    member_moves,
)
from timebank.timeutil import utcnow


class DistrictsGateway(Gateway):
    # -- the alliance --------------------------------------------------------------------

    def community_ids(self, codes: Iterable[str]) -> dict[str, int]:
        wanted = list(codes)
        return {code: int(i) for i, code in self.conn.execute(
            sa.select(communities.c.id, communities.c.code)
            .where(communities.c.code.in_(wanted)))}

    def add(self, code: str, name: str, settings: Mapping[str, Any],
            community_ids: Sequence[int]) -> int:
        try:
            district_id = self.conn.execute(districts.insert().values(
                code=code, name=name, settings=dict(settings), created_at=utcnow())
                .returning(districts.c.id)).scalar_one()
            self.conn.execute(district_communities.insert(), [
                {"district_id": district_id, "community_id": c} for c in community_ids])
        except sa.exc.IntegrityError as exc:
            raise AlreadyExists(T("district {code!r} exists, or one of its communities is "
                                  "already in a district", code=code), field="code") from exc
        return int(district_id)

    def _load(self, where: Any, lock: bool = False) -> District | None:
        query = sa.select(districts.c.id, districts.c.code, districts.c.name,
                          districts.c.settings).where(where)
        if lock and self.uow.dialect == "postgresql":
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        if row is None:
            return None
        codes = tuple(self.conn.execute(
            sa.select(communities.c.code)
            .join(district_communities, district_communities.c.community_id == communities.c.id)
            .where(district_communities.c.district_id == row.id)
            .order_by(communities.c.id)).scalars())
        settings = row.settings or {}
        return District(int(row.id), row.code, row.name, codes, tuple(settings["units"]),
                        settings.get("rates") or {}, settings.get("position_limit"))

    def named(self, code: str, lock: bool = False) -> District:
        found = self._load(districts.c.code == code, lock)
        if found is None:
            raise NotFound(T("unknown district {code!r}", code=code), field="district")
        return found

    def of_community(self, community_id: int) -> District | None:
        return self._load(districts.c.id == sa.select(district_communities.c.district_id)
                          .where(district_communities.c.community_id == community_id)
                          .scalar_subquery())

    # -- accounts ------------------------------------------------------------------------

    def _system(self, community_id: int, name: str, unit: str) -> int:
        query = sa.select(accounts.c.id).where(accounts.c.community_id == community_id,
                                               accounts.c.system == name,
                                               accounts.c.unit == unit)
        found = self.conn.execute(query).scalar()
        if found is None:  # opened on first use: communities existed before districts
            self.conn.execute(insert_ignoring_conflicts(self.conn, accounts),
                              [{"community_id": community_id, "system": name, "unit": unit}])
            found = self.conn.execute(query).scalar_one()
        return int(found)

    def clearing_account(self, community_id: int, partner_id: int, unit: str) -> int:
        return self._system(community_id, clearing_name(partner_id), unit)

    def settlement_account(self, community_id: int, unit: str) -> int:
        return self._system(community_id, SETTLEMENT, unit)

    def member(self, community_id: int, code: str) -> Any:
        """A member of another community: id, code, name, phone, card, roles, tags."""
        row = self.conn.execute(
            sa.select(members.c.id, members.c.code, members.c.name, members.c.phone,
                      members.c.card, members.c.roles, members.c.tags)
            .where(members.c.community_id == community_id, members.c.code == code)).first()
        if row is None:
            raise UnknownMember(T("unknown member {member!r}", member=code), field="member")
        return row

    def member_accounts(self, member_id: int, units: Sequence[str], community_id: int
                        ) -> dict[str, tuple[int, int, int]]:
        """unit → (account id, posted, held), opening the missing accounts."""
        def read() -> dict[str, tuple[int, int, int]]:
            return {u: (int(i), int(p), int(h)) for i, u, p, h in self.conn.execute(
                sa.select(accounts.c.id, accounts.c.unit, accounts.c.posted, accounts.c.held)
                .where(accounts.c.member_id == member_id, accounts.c.unit.in_(units)))}
        found = read()
        missing = [u for u in units if u not in found]
        if missing:
            self.conn.execute(insert_ignoring_conflicts(self.conn, accounts), [
                {"community_id": community_id, "member_id": member_id, "unit": u}
                for u in missing])
            found = read()
        return found

    def add_member(self, community_id: int, row: Any) -> int:
        """The moving member's new row in ``community_id`` (same code, name, card)."""
        try:
            return int(self.conn.execute(members.insert().values(
                community_id=community_id, code=row.code, name=row.name,
                phone=row.phone, card=row.card, roles=row.roles, tags=row.tags,
                unit_id=None, created_at=utcnow()).returning(members.c.id)).scalar_one())
        except sa.exc.IntegrityError as exc:
            raise AlreadyExists(T("member {code!r} already exists", code=row.code),
                                field="code") from exc

    def add_move(self, from_member: int, to_member: int) -> None:
        try:
            self.conn.execute(member_moves.insert().values(
                from_member_id=from_member, to_member_id=to_member, moved_at=utcnow()))
        except sa.exc.IntegrityError as exc:
            raise AlreadyExists(T("the member has already moved"), field="member") from exc

    def add_claim(self, request_id: int, member_id: int) -> None:
        """A partner's member claims one of our requests (the request row is locked)."""
        self.conn.execute(exchange_claims.insert().values(
            request_id=request_id, member_id=member_id, status="active",
            created_at=utcnow()))

    # -- posting -------------------------------------------------------------------------

    def next_cross_id(self) -> int:
        return allocate_ids(self.conn, cross_acts, 1)[0]

    def lock_accounts(self, account_ids: Iterable[int]) -> None:
        """Lock both halves' accounts in id order before either half posts, so the two
        communities' rows are taken last (SQLite's writer already holds the database)."""
        if self.uow.dialect == "postgresql":
            self.conn.execute(sa.select(accounts.c.id)
                              .where(accounts.c.id.in_(sorted(set(account_ids))))
                              .order_by(accounts.c.id).with_for_update())

    def lock_communities(self, community_ids: Iterable[int]) -> None:
        """Take the communities' rows (their chain heads) in id order, for an act that
        posts several cross acts in a row."""
        if self.uow.dialect == "postgresql":
            self.conn.execute(sa.select(communities.c.id)
                              .where(communities.c.id.in_(sorted(set(community_ids))))
                              .order_by(communities.c.id).with_for_update())

    def post_half(self, community_id: int, code: str, entry: NewEntry) -> Posted:
        """One community's half of a cross act, in its own books and chain."""
        return post_many(self.conn, community_id, code, [entry])[0]

    def add_cross(self, cross_id: int, district_id: int, kind: str, unit: str,
                  payer: tuple[int, int, int], receiver: tuple[int, int, int]) -> None:
        """``payer``/``receiver``: (community id, amount, entry id)."""
        self.conn.execute(cross_acts.insert().values(
            id=cross_id, district_id=district_id, kind=kind, unit=unit,
            from_community_id=payer[0], from_amount=payer[1], from_entry_id=payer[2],
            to_community_id=receiver[0], to_amount=receiver[1], to_entry_id=receiver[2],
            created_at=utcnow()))

    def cross_act(self, cross_id: int) -> Any:
        """The recorded act: its communities, amounts and both halves' entry ids."""
        row = self.conn.execute(sa.select(cross_acts).where(cross_acts.c.id == cross_id)
                                ).first()
        if row is None:
            raise NotFound(T("unknown cross act {cross}", cross=cross_id), field="cross")
        return row

    def entry_legs(self, entry_id: int) -> tuple[Posting, ...]:
        """The postings of one half, in whichever community's books it is."""
        return tuple(Posting(int(a), u, int(n)) for a, u, n in self.conn.execute(
            sa.select(postings.c.account_id, accounts.c.unit, postings.c.amount)
            .join(accounts, accounts.c.id == postings.c.account_id)
            .where(postings.c.entry_id == entry_id).order_by(postings.c.id)))

    # -- holds in a partner's books (a held cross redemption) ----------------------------

    def hold_community(self, hold_id: int) -> int | None:
        """The community whose books hold ``hold_id``."""
        found = self.conn.execute(sa.select(holds.c.community_id)
                                  .where(holds.c.id == hold_id)).scalar()
        return None if found is None else int(found)

    def place_hold(self, community_id: int, account_id: int, amount: int, reason: str
                   ) -> tuple[int, int]:
        """Reserve ``amount`` on a partner's member account, in the partner's books (a
        guarded update, as at home): returns (hold id, available after)."""
        row = _PLACE_HOLD.one(self.conn, {"p_id": account_id, "p_n": amount})
        if row is None:
            refuse(self.conn, account_id, amount)
        assert row is not None
        found = _INSERT_HOLD.one(self.conn, {
            "p_community": community_id, "p_account": account_id, "p_amount": amount,
            "p_reason": reason, "p_now": utcnow()})
        assert found is not None
        return int(found[0]), int(row[0]) - int(row[1])

    def resolve_hold(self, community_id: int, hold_id: int, status: str
                     ) -> tuple[int, int, int]:
        """Capture or release a partner's hold exactly once: (account id, amount,
        available after)."""
        row = _RESOLVE_HOLD.one(self.conn, {"p_id": hold_id, "p_community": community_id,
                                            "p_status": status, "p_now": utcnow()})
        if row is None:
            raise InvalidState(T("hold {hold} is no longer held", hold=hold_id),
                               state="resolved")
        account_id, amount = row
        freed = _FREE_HELD.one(self.conn, {"p_id": account_id, "p_n": amount})
        assert freed is not None
        _, posted, held = freed
        return int(account_id), int(amount), int(posted) - int(held)

    def link_hold(self, hold_id: int, entry_id: int) -> None:
        self.conn.execute(holds.update().where(holds.c.id == hold_id)
                          .values(entry_id=entry_id))

    # -- positions and settlements -------------------------------------------------------

    def clearing(self, community_ids: Sequence[int], until: datetime | None = None
                 ) -> list[tuple[int, int, str, str, int]]:
        """(account id, community id, account name, unit, balance) of the communities' clearing
        accounts: stored, or summed over entries that occurred by ``until``."""
        own = sa.and_(accounts.c.community_id.in_(community_ids),
                      accounts.c.system.like(f"{CLEARING}%"))
        if until is None:
            rows = self.conn.execute(sa.select(
                accounts.c.id, accounts.c.community_id, accounts.c.system, accounts.c.unit,
                accounts.c.posted).where(own).order_by(accounts.c.id)).all()
        else:
            rows = self.conn.execute(
                sa.select(accounts.c.id, accounts.c.community_id, accounts.c.system,
                          accounts.c.unit, sa.func.coalesce(sa.func.sum(postings.c.amount), 0))
                .select_from(accounts.join(postings, postings.c.account_id == accounts.c.id)
                             .join(entries, entries.c.id == postings.c.entry_id))
                .where(own, entries.c.occurred_at <= until)
                .group_by(accounts.c.id, accounts.c.community_id, accounts.c.system,
                          accounts.c.unit).order_by(accounts.c.id)).all()
        return [(int(a), int(c), str(s), str(u), int(b)) for a, c, s, u, b in rows]

    def last_settled(self, district_id: int) -> datetime | None:
        return self.conn.execute(sa.select(sa.func.max(district_settlements.c.until))
                                 .where(district_settlements.c.district_id == district_id)
                                 ).scalar()

    def settlement(self, district_id: int, until: datetime) -> Any:
        return self.conn.execute(sa.select(district_settlements.c.result).where(
            district_settlements.c.district_id == district_id,
            district_settlements.c.until == until)).scalar()

    def add_settlement(self, district_id: int, until: datetime, result: Any) -> None:
        self.conn.execute(district_settlements.insert().values(
            district_id=district_id, until=until, result=result, created_at=utcnow()))

    # -- district reports: the running totals, summed per community ----------------------

    def communities_of(self, district_id: int) -> list[tuple[int, str, str]]:
        """(id, code, name) of the district's communities, by id."""
        return [(int(i), code, name) for i, code, name in self.conn.execute(
            sa.select(communities.c.id, communities.c.code, communities.c.name)
            .join(district_communities,
                  district_communities.c.community_id == communities.c.id)
            .where(district_communities.c.district_id == district_id)
            .order_by(communities.c.id))]

    def earned_by_community(self, community_ids: Sequence[int], months: Sequence[str],
                            unit: str) -> list[tuple[int, str, int, int]]:
        """(community id, rule, points, contributions) over ``months``."""
        em = earnings_monthly
        return [(int(c), rule, int(p), int(n)) for c, rule, p, n in self.conn.execute(
            sa.select(em.c.community_id, em.c.rule, sa.func.sum(em.c.points),
                      sa.func.sum(em.c.contributions))
            .where(em.c.community_id.in_(list(community_ids)),
                   em.c.month.in_(list(months)), em.c.unit == unit)
            .group_by(em.c.community_id, em.c.rule))]

    def earners_by_community(self, community_ids: Sequence[int], months: Sequence[str],
                             unit: str) -> dict[int, int]:
        """Community id → how many members earned or contributed in ``months``."""
        em = earnings_monthly
        per = (sa.select(em.c.community_id, em.c.member_id)
               .where(em.c.community_id.in_(list(community_ids)),
                      em.c.month.in_(list(months)), em.c.unit == unit)
               .group_by(em.c.community_id, em.c.member_id)
               .having(sa.or_(sa.func.sum(em.c.points) != 0,
                              sa.func.sum(em.c.contributions) != 0)).subquery())
        return {int(c): int(n) for c, n in self.conn.execute(
            sa.select(per.c.community_id, sa.func.count()).group_by(per.c.community_id))}

    def members_by_community(self, community_ids: Sequence[int]) -> dict[int, int]:
        return {int(c): int(n) for c, n in self.conn.execute(
            sa.select(members.c.community_id, sa.func.count())
            .where(members.c.community_id.in_(list(community_ids)))
            .group_by(members.c.community_id))}

    def top_in_district(self, community_ids: Sequence[int], months: Sequence[str],
                        unit: str, limit: int) -> list[tuple[str, str, str, int]]:
        """(community code, member code, name, points) of the ``limit`` members of the
        district with the most points over ``months`` (more than none), highest first,
        ties by community and code."""
        em = earnings_monthly
        total = sa.func.sum(em.c.points).label("total")
        top = (sa.select(em.c.member_id, total)
               .where(em.c.community_id.in_(list(community_ids)),
                      em.c.month.in_(list(months)), em.c.unit == unit)
               .group_by(em.c.member_id).having(sa.func.sum(em.c.points) > 0)
               .subquery("top"))
        rows = self.conn.execute(
            sa.select(communities.c.code, members.c.code, members.c.name, top.c.total)
            .select_from(top.join(members, members.c.id == top.c.member_id)
                         .join(communities, communities.c.id == members.c.community_id))
            .order_by(top.c.total.desc(), communities.c.code, members.c.code).limit(limit))
        return [(c, m, name, int(points)) for c, m, name, points in rows]
