"""Service certificates (志愿服务记录证明): issue, show, revoke, check publicly; honour
hours; and the chain-head anchors that catch a rewritten history.

"Who records proves": a certificate counts what the community recorded, i.e. approved
contributions of service rules and approved honour hours in a period, and binds itself to
those records by a digest. It is never edited: a mistake is revoked and a new one issued
under a new number. The public check recomputes the digest, so a certificate whose
counted contribution was reversed after issue answers ``changed``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from timebank.domain.certificates import (
    Activity,
    Certificate,
    Honour,
    Issuer,
    MemberCertificate,
    PublicView,
    check_period,
    digest,
    issuer_of,
    number_of,
    parse_number,
    unknown,
)
from timebank.domain.masking import mask_name
from timebank.errors import InvalidState, NoServiceInPeriod, NotFound, ValidationError
from timebank.i18n import T
from timebank.services import honours
from timebank.store import anchors
from timebank.store.anchors import Anchor
from timebank.store.db import Store
from timebank.store.uow import UnitOfWork, codec
from timebank.store.verify import Problem
from timebank.timeutil import local_date, utcnow

__all__ = ["Anchor", "Certificate", "Certificates", "Honour", "PublicView", "issue",
           "public", "revoke", "show"]


def issue(uow: UnitOfWork, member: str, start: date, end: date, *, purpose: str = "",
          actor: str, key: str | None) -> Certificate:
    """Issue a certificate of ``member``'s service on local days ``start..end``."""
    if not isinstance(purpose, str) or len(purpose) > 500:
        raise ValidationError(T("purpose is text of at most 500 characters"), field="purpose")
    request = {"op": "issue_certificate", "member": member, "from": start.isoformat(),
               "to": end.isoformat(), "purpose": purpose, "actor": actor}

    def work() -> Certificate:
        today = local_date(utcnow(), uow.community.timezone)
        check_period(start, end, today)
        member_id = uow.members.id_of(member)
        name = uow.members.load(member_id).name
        service = uow.certificates.service(member_id, start, end)
        service = [a for a in service if a.minutes > 0]
        if not service:
            raise NoServiceInPeriod(
                T("member {member!r} has no approved volunteer-service hours from {start} to "
                  "{end}: no certificate is issued for zero hours", member=member,
                  start=start.isoformat(), end=end.isoformat()), field="from")
        honoured = uow.certificates.honours_of(member_id, start, end)
        number = number_of(uow.community.code, today.year,
                           uow.certificates.next_seq(today.year))
        counted = (uow.certificates.contribution_state([a.ref for a in service])
                   + uow.certificates.honour_state([a.ref for a in honoured]))
        seal = digest(uow.community.code, number, member, (start, end), counted)
        issuer = issuer_of(uow.community.settings,
                           uow.communities.name(uow.community.code), actor)
        cert = Certificate(number, member, name, start, end, purpose, sum(
            a.minutes for a in service), sum(a.minutes for a in honoured), tuple(service),
            tuple(honoured), issuer, today, actor, seal, "valid", _path(number))
        uow.certificates.add({
            "number": number, "year": today.year, "seq": int(number.rsplit("-", 1)[1]),
            "member_id": member_id, "name": name, "period_from": start,
            "period_to": end, "purpose": purpose, "service_minutes": cert.service_minutes,
            "honour_minutes": cert.honour_minutes, "issuer": _plain(issuer),
            "activities": {"service": [_plain(a) for a in service],
                           "honours": [_plain(a) for a in honoured]},
            "issued_on": today, "issued_by": actor, "issued_at": utcnow(),
            "digest": seal, "status": "valid"},
            [(a.kind, a.ref, a.minutes) for a in (*service, *honoured)])
        return cert
    return uow.once(key, request, work, Certificate)


def show(uow: UnitOfWork, number: str) -> Certificate:
    return _certificate(_row(uow, number))


def revoke(uow: UnitOfWork, number: str, *, reason: str, actor: str,
           key: str | None) -> Certificate:
    """Revoke a valid certificate once, saying why; it stays on record as revoked."""
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
        raise ValidationError(T("a revocation gives a reason of at most 500 characters"),
                              field="reason")
    request = {"op": "revoke_certificate", "number": number, "reason": reason,
               "actor": actor}

    def work() -> Certificate:
        row = _row(uow, number)
        if not uow.certificates.revoke(row.id, actor, reason.strip(), utcnow()):
            raise InvalidState(T("certificate {number} is already {status}", number=number,
                                 status=row.status),
                               field="status", state=row.status)
        return _certificate(_row(uow, number))
    return uow.once(key, request, work, Certificate)


def public(uow: UnitOfWork, number: str) -> PublicView:
    """What anyone may check: the status (``changed`` when a counted record is no longer
    what it was at issue), the masked name, the hours, the period and the issuer."""
    row = _row(uow, number)
    status = _checked(uow, row)
    return PublicView(row.number, status, mask_name(row.name), int(row.service_minutes),
                      int(row.honour_minutes), row.period_from, row.period_to,
                      Issuer(**row.issuer), row.issued_on)


def _checked(uow: UnitOfWork, row: Any) -> str:
    """The stored status, or ``changed`` for a valid certificate a counted record of
    which is no longer what it was at issue (the digest says)."""
    if row.status != "valid":
        return str(row.status)
    kinds = uow.certificates.items(row.id)
    counted = (uow.certificates.contribution_state([r for k, r in kinds
                                                    if k == "contribution"])
               + uow.certificates.honour_state([r for k, r in kinds if k == "honour"]))
    now = digest(uow.community.code, row.number, row.member_code,
                 (row.period_from, row.period_to), counted)
    return "changed" if now != row.digest or len(counted) != len(kinds) else "valid"


def of_member(uow: UnitOfWork, member: str) -> list[MemberCertificate]:
    """The member's certificates, newest first, each with its checked status."""
    rows = uow.certificates.of_member(uow.members.id_of(member))
    return [MemberCertificate(row.number, _checked(uow, row), row.period_from,
                              row.period_to, row.purpose, int(row.service_minutes),
                              int(row.honour_minutes), row.issued_on, _path(row.number))
            for row in rows]


def _row(uow: UnitOfWork, number: str) -> Any:
    found = uow.certificates.by_number(number)
    if found is None:
        raise unknown(number)
    return found


def _certificate(row: Any) -> Certificate:
    acts = row.activities or {}
    return Certificate(
        row.number, row.member_code, row.name, row.period_from, row.period_to, row.purpose,
        int(row.service_minutes), int(row.honour_minutes),
        tuple(_activity(a) for a in acts.get("service", [])),
        tuple(_activity(a) for a in acts.get("honours", [])), Issuer(**row.issuer),
        row.issued_on, row.issued_by, row.digest, row.status, _path(row.number),
        row.revoked_reason)


def _plain(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = codec.unstructure(value)
    return out


def _activity(data: dict[str, Any]) -> Activity:
    return Activity(data["kind"], int(data["ref"]), date.fromisoformat(data["day"]),
                    data["rule"], data["rule_name"], int(data["minutes"]),
                    data["recorded_by"], data.get("approved_by"))


def _path(number: str) -> str:
    """Where the public check lives, relative to the API prefix."""
    return f"/public/certificates/{number}"


class Certificates:
    """Service certificates and honour hours of a community, and the chain anchors."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def issue(self, community: str, member: str, start: date, end: date, *,
              purpose: str = "", actor: str = "system",
              key: str | None = None) -> Certificate:
        """Issue a certificate of ``member``'s volunteer service on ``start..end``."""
        return self.store.transact(community, lambda uow: issue(
            uow, member, start, end, purpose=purpose, actor=actor, key=key))

    def show(self, number: str) -> Certificate:
        """The certificate, found by its number (which names its community)."""
        with self.store.reading(_community_of(number)) as uow:
            return _guarded(lambda: show(uow, number), number)

    def revoke(self, number: str, *, reason: str, actor: str = "system",
               key: str | None = None) -> Certificate:
        return self.store.transact(_community_of(number), lambda uow: _guarded(
            lambda: revoke(uow, number, reason=reason, actor=actor, key=key), number))

    def public(self, number: str) -> PublicView:
        """The public check: no key needed; an unknown number of any community is the
        same ``UnknownCertificate``."""
        with self.store.reading(_community_of(number)) as uow:
            return _guarded(lambda: public(uow, number), number)

    def of_member(self, community: str, member: str) -> list[MemberCertificate]:
        """The member's certificates, newest first, each with the status the public
        check answers (valid, revoked, changed)."""
        with self.store.reading(community) as uow:
            return of_member(uow, member)

    def propose_honour(self, community: str, activity_date: date, rule: str,
                       members: Sequence[str], minutes: int, reason: str, *,
                       actor: str = "system", key: str | None = None) -> Honour:
        """Propose honour minutes for the participants of one activity."""
        return self.store.transact(community, lambda uow: honours.propose(
            uow, activity_date, rule, members, minutes, reason, actor=actor, key=key))

    def approve_honour(self, community: str, honour_id: int, *, approver: str,
                       key: str | None = None) -> Honour:
        """Approve a proposal (by someone other than its proposer)."""
        return self.store.transact(community, lambda uow: honours.approve(
            uow, honour_id, approver=approver, key=key))

    def honours(self, community: str, *, status: str | None = None,
                member: str | None = None, rule: str | None = None,
                from_: date | None = None, to: date | None = None,
                after: int | None = None, limit: int = 100) -> list[Honour]:
        """Honours by id: ``status`` pending or approved, one participant ``member``,
        ``rule``, activity days ``from_..to`` (inclusive); ``after`` an id to page on."""
        with self.store.reading(community) as uow:
            return honours.listing(uow, status=status, member=member, rule=rule,
                                   from_=from_, to=to, after=after, limit=limit)

    def anchor(self, community: str | None = None) -> list[Anchor]:
        """Each community's chain head now (or one community's), to keep elsewhere."""
        with self.store.read() as conn:
            return anchors.heads(conn, community, utcnow())

    def check_anchors(self, found: Iterable[Anchor]) -> list[Problem]:
        """What no longer extends the given anchors (empty: every one holds)."""
        with self.store.read() as conn:
            return anchors.check(conn, found)


def _community_of(number: str) -> str:
    return parse_number(number)[0]


def _guarded(fn: Any, number: str) -> Any:
    """An unknown community answers as an unknown number does."""
    try:
        return fn()
    except NotFound as exc:
        if exc.details.get("field") == "community":
            raise unknown(number) from None
        raise
