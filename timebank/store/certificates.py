"""The service records' gateway: service minutes from approved contributions, honour
hours, and certificates with the records they count.

Service minutes are read from the contributions themselves (``credited`` of approved
contributions whose rule version says ``service``), never from the ledger, so points
moved by adjustments, transfers or gifts can never become hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from timebank.domain.certificates import Activity, Counted, Honour
from timebank.store.gateway import Gateway
from timebank.store.tables import (
    certificate_items,
    certificates,
    communities,
    contributions,
    entries,
    honour_members,
    honours,
    members,
    rule_versions,
)

_c = contributions.c
_h = honours.c
_k = certificates.c


class CertificatesGateway(Gateway):
    # -- service minutes ---------------------------------------------------------------

    def service(self, member_id: int, start: date, end: date, *,
                rule: str | None = None) -> list[Activity]:
        """The member's approved service contributions on local days ``start..end``."""
        query = (sa.select(_c.id, _c.local_day, _c.rule, _c.credited, _c.recorded_by,
                           _c.decided_by, rule_versions.c.definition)
                 .join(rule_versions, rule_versions.c.id == _c.rule_version_id)
                 .where(_c.community_id == self.uow.community_id, _c.member_id == member_id,
                        _c.status == "approved", _c.local_day.between(start, end))
                 .order_by(_c.local_day, _c.id))
        if rule is not None:
            query = query.where(_c.rule == rule)
        return [Activity("contribution", r.id, r.local_day, r.rule,
                         str(r.definition.get("name_zh", r.rule)), int(r.credited),
                         r.recorded_by, r.decided_by)
                for r in self.conn.execute(query) if r.definition.get("service")]

    def contribution_state(self, ids: Sequence[int]) -> list[Counted]:
        """The current state of contributions ``ids``: status and award entry hash."""
        if not ids:
            return []
        rows = self.conn.execute(
            sa.select(_c.id, _c.local_day, _c.rule, _c.credited, _c.status, entries.c.hash)
            .select_from(contributions.outerjoin(entries, entries.c.id == _c.entry_id))
            .where(_c.community_id == self.uow.community_id, _c.id.in_(list(ids))))
        return [Counted("contribution", r.id, r.local_day, r.rule, int(r.credited),
                        r.status, r.hash or "") for r in rows]

    # -- honours -----------------------------------------------------------------------

    def lock_members(self, member_ids: Iterable[int]) -> None:
        """PostgreSQL: lock the members' rows in id order, so two proposals for one
        member cannot both pass the bound (SQLite serialises writers anyway)."""
        if self.uow.dialect == "postgresql":
            self.conn.execute(sa.select(members.c.id)
                              .where(members.c.id.in_(sorted(set(member_ids))))
                              .order_by(members.c.id).with_for_update())

    def honoured(self, member_ids: Iterable[int], day: date, rule: str, *,
                 skip: int | None = None) -> dict[int, int]:
        """Honour minutes already proposed or approved per member for one activity."""
        query = (sa.select(honour_members.c.member_id, sa.func.sum(_h.minutes))
                 .join(honours, _h.id == honour_members.c.honour_id)
                 .where(_h.community_id == self.uow.community_id, _h.activity_date == day,
                        _h.rule == rule,
                        honour_members.c.member_id.in_(sorted(set(member_ids))))
                 .group_by(honour_members.c.member_id))
        if skip is not None:
            query = query.where(_h.id != skip)
        return {m: int(total) for m, total in self.conn.execute(query)}

    def add_honour(self, day: date, rule: str, minutes: int, reason: str, by: str,
                   member_ids: Sequence[int], now: datetime) -> int:
        hid = self.conn.execute(honours.insert().values(
            community_id=self.uow.community_id, activity_date=day, rule=rule,
            minutes=minutes, reason=reason, status="pending", proposed_by=by,
            proposed_at=now).returning(_h.id)).scalar_one()
        self.conn.execute(honour_members.insert(), [
            {"honour_id": hid, "member_id": m} for m in member_ids])
        return int(hid)

    def honour(self, honour_id: int) -> tuple[Any, list[tuple[int, str]]] | None:
        """An honour's row (locked on PostgreSQL) and its (member id, code) pairs."""
        query = sa.select(honours).where(_h.id == honour_id,
                                         _h.community_id == self.uow.community_id)
        row = self.conn.execute(query.with_for_update()
                                if self.uow.dialect == "postgresql" else query).first()
        if row is None:
            return None
        people = self.conn.execute(
            sa.select(members.c.id, members.c.code)
            .join(honour_members, honour_members.c.member_id == members.c.id)
            .where(honour_members.c.honour_id == honour_id).order_by(members.c.code)).all()
        return row, [(m, code) for m, code in people]

    def approve_honour(self, honour_id: int, by: str, now: datetime) -> bool:
        """Guarded: only a pending honour is approved, once."""
        return self.conn.execute(
            honours.update().where(_h.id == honour_id, _h.status == "pending")
            .values(status="approved", approved_by=by, approved_at=now)
            .returning(_h.id)).first() is not None

    def honours_of(self, member_id: int, start: date, end: date) -> list[Activity]:
        """The member's approved honours on local days ``start..end``."""
        rows = self.conn.execute(
            sa.select(_h.id, _h.activity_date, _h.rule, _h.minutes, _h.reason,
                      _h.proposed_by, _h.approved_by)
            .join(honour_members, honour_members.c.honour_id == _h.id)
            .where(_h.community_id == self.uow.community_id,
                   honour_members.c.member_id == member_id, _h.status == "approved",
                   _h.activity_date.between(start, end))
            .order_by(_h.activity_date, _h.id))
        return [Activity("honour", r.id, r.activity_date, r.rule, r.reason, int(r.minutes),
                         r.proposed_by, r.approved_by) for r in rows]

    def honour_list(self, *, status: str | None = None, member_id: int | None = None,
                    rule: str | None = None, start: date | None = None,
                    end: date | None = None, after: int | None = None,
                    limit: int = 100) -> list[Honour]:
        """Honours by id with their participants' codes, filtered by status, a
        participant, rule and activity days ``start..end`` (inclusive)."""
        query = (sa.select(honours).where(_h.community_id == self.uow.community_id)
                 .order_by(_h.id).limit(limit))
        if status is not None:
            query = query.where(_h.status == status)
        if member_id is not None:
            query = query.where(_h.id.in_(
                sa.select(honour_members.c.honour_id)
                .where(honour_members.c.member_id == member_id)))
        if rule is not None:
            query = query.where(_h.rule == rule)
        if start is not None:
            query = query.where(_h.activity_date >= start)
        if end is not None:
            query = query.where(_h.activity_date <= end)
        if after is not None:
            query = query.where(_h.id > after)
        rows = self.conn.execute(query).all()
        people: dict[int, list[str]] = {r.id: [] for r in rows}
        if rows:
            for hid, code in self.conn.execute(
                    sa.select(honour_members.c.honour_id, members.c.code)
                    .join(members, members.c.id == honour_members.c.member_id)
                    .where(honour_members.c.honour_id.in_(list(people)))
                    .order_by(members.c.code)):
                people[hid].append(code)
        return [Honour(r.id, r.status, r.activity_date, r.rule, tuple(people[r.id]),
                       int(r.minutes), r.reason, r.proposed_by, r.approved_by)
                for r in rows]

    def honour_state(self, ids: Sequence[int]) -> list[Counted]:
        if not ids:
            return []
        rows = self.conn.execute(
            sa.select(_h.id, _h.activity_date, _h.rule, _h.minutes, _h.status)
            .where(_h.community_id == self.uow.community_id, _h.id.in_(list(ids))))
        return [Counted("honour", r.id, r.activity_date, r.rule, int(r.minutes), r.status)
                for r in rows]

    # -- certificates ------------------------------------------------------------------

    def next_seq(self, year: int) -> int:
        """The next number of the year. The community row is locked first (PostgreSQL),
        so two issues never take the same number; nothing else is locked after it."""
        if self.uow.dialect == "postgresql":
            self.conn.execute(sa.select(communities.c.id)
                              .where(communities.c.id == self.uow.community_id)
                              .with_for_update())
        top = self.conn.execute(
            sa.select(sa.func.max(_k.seq))
            .where(_k.community_id == self.uow.community_id, _k.year == year)).scalar()
        return int(top or 0) + 1

    def add(self, fields: Mapping[str, Any], items: Sequence[tuple[str, int, int]]) -> int:
        cid = self.conn.execute(certificates.insert().values(
            community_id=self.uow.community_id, **fields).returning(_k.id)).scalar_one()
        self.conn.execute(certificate_items.insert(), [
            {"certificate_id": cid, "kind": kind, "ref_id": ref, "minutes": minutes}
            for kind, ref, minutes in items])
        return int(cid)

    def by_number(self, number: str) -> Any | None:
        """The certificate row with its member's code, or None."""
        return self.conn.execute(
            sa.select(certificates, members.c.code.label("member_code"))
            .join(members, members.c.id == _k.member_id)
            .where(_k.community_id == self.uow.community_id, _k.number == number)).first()

    def of_member(self, member_id: int) -> list[Any]:
        """The member's certificate rows (with the member's code), newest first."""
        return list(self.conn.execute(
            sa.select(certificates, members.c.code.label("member_code"))
            .join(members, members.c.id == _k.member_id)
            .where(_k.community_id == self.uow.community_id, _k.member_id == member_id)
            .order_by(_k.id.desc())).all())

    def items(self, certificate_id: int) -> list[tuple[str, int]]:
        return [(k, int(r)) for k, r in self.conn.execute(
            sa.select(certificate_items.c.kind, certificate_items.c.ref_id)
            .where(certificate_items.c.certificate_id == certificate_id))]

    def revoke(self, certificate_id: int, by: str, reason: str, now: datetime) -> bool:
        """Guarded: a valid certificate is revoked once; nothing else ever changes."""
        return self.conn.execute(
            certificates.update().where(_k.id == certificate_id, _k.status == "valid")
            .values(status="revoked", revoked_by=by, revoked_at=now, revoked_reason=reason)
            .returning(_k.id)).first() is not None
