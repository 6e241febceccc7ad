"""Honour hours (荣誉时长): minutes an organiser adds for an activity, on top of the
verified service, shown apart from it everywhere.

A proposal names one activity (a local day and a service rule), its participants and the
minutes each gets. It counts only once a second person approves it, and for every
participant the honour minutes of that activity (all proposals together) never exceed
the activity's length: the participant's approved service minutes that day under that
rule. The bound is checked when proposed and again when approved, since a contribution
may have been reversed in between.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from timebank.domain.certificates import Honour
from timebank.domain.rule_versions import version_on
from timebank.errors import (
    HonourExceedsService,
    InvalidState,
    SelfApproval,
    UnknownHonour,
    ValidationError,
)
from timebank.i18n import T
from timebank.store.uow import UnitOfWork
from timebank.timeutil import local_date, utcnow

MAX_MINUTES = 24 * 60


def propose(uow: UnitOfWork, activity_date: date, rule: str, members: Sequence[str],
            minutes: int, reason: str, *, actor: str, key: str | None) -> Honour:
    """Propose honour minutes for the participants of one activity (pending until a
    second person approves)."""
    _check(activity_date, members, minutes, reason)
    request = {"op": "propose_honour", "activity_date": activity_date.isoformat(),
               "rule": rule, "members": list(members), "minutes": minutes,
               "reason": reason, "actor": actor}

    def work() -> Honour:
        if activity_date > local_date(utcnow(), uow.community.timezone):
            raise ValidationError(T("honour hours are for an activity already done"),
                                  field="activity_date")
        versions = uow.rules.versions([rule])
        if not version_on(versions, rule, activity_date)[1].service:
            raise ValidationError(T("rule {rule!r} is not volunteer service: it earns no "
                                    "service or honour hours", rule=rule), field="rule")
        ids = uow.members.ids(members)
        _bound(uow, ids, activity_date, rule, minutes, skip=None)
        hid = uow.certificates.add_honour(activity_date, rule, minutes, reason.strip(),
                                          actor, [ids[m] for m in members], utcnow())
        return Honour(hid, "pending", activity_date, rule, tuple(sorted(members)), minutes,
                      reason.strip(), actor)
    return uow.once(key, request, work, Honour)


def approve(uow: UnitOfWork, honour_id: int, *, approver: str, key: str | None) -> Honour:
    """Approve a pending proposal once; the approver is never its proposer."""
    request = {"op": "approve_honour", "honour": honour_id, "approver": approver}

    def work() -> Honour:
        found = uow.certificates.honour(honour_id)
        if found is None:
            raise UnknownHonour(T("unknown honour {honour_id}", honour_id=honour_id),
                                field="honour")
        row, people = found
        if row.status != "pending":
            raise InvalidState(T("honour {honour_id} is already {status}", honour_id=honour_id,
                                 status=row.status),
                               field="status", state=row.status)
        if approver == row.proposed_by:
            raise SelfApproval(T("{approver!r} proposed honour {honour_id}; a second person "
                                 "approves it", approver=approver, honour_id=honour_id),
                               field="approver")
        _bound(uow, dict((code, mid) for mid, code in people), row.activity_date, row.rule,
               int(row.minutes), skip=honour_id)
        if not uow.certificates.approve_honour(honour_id, approver, utcnow()):
            raise InvalidState(T("honour {honour_id} is no longer pending", honour_id=honour_id),
                               field="status")
        return Honour(honour_id, "approved", row.activity_date, row.rule,
                      tuple(code for _, code in people), int(row.minutes), row.reason,
                      row.proposed_by, approver)
    return uow.once(key, request, work, Honour)


STATUSES = ("pending", "approved")


def listing(uow: UnitOfWork, *, status: str | None = None, member: str | None = None,
            rule: str | None = None, from_: date | None = None, to: date | None = None,
            after: int | None = None, limit: int = 100) -> list[Honour]:
    """Honours by id, filtered by status, a participant, rule and activity days
    ``from_..to`` (inclusive); ``after`` an id to page on."""
    if status is not None and status not in STATUSES:
        raise ValidationError(T("status is one of {choices}", choices=", ".join(STATUSES)),
                              field="status")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10_000:
        raise ValidationError(T("limit is from 1 to 10000"), field="limit")
    if from_ is not None and to is not None and to < from_:
        raise ValidationError(T("the period ends before it starts"), field="to")
    member_id = None if member is None else uow.members.id_of(member)
    return uow.certificates.honour_list(status=status, member_id=member_id, rule=rule,
                                        start=from_, end=to, after=after, limit=limit)


def _bound(uow: UnitOfWork, ids: dict[str, int], day: date, rule: str, minutes: int, *,
           skip: int | None) -> None:
    """Refuse when any participant's honour minutes for the activity would exceed his
    approved service minutes that day under that rule."""
    uow.certificates.lock_members(ids.values())
    already = uow.certificates.honoured(ids.values(), day, rule, skip=skip)
    for code in sorted(ids):
        mid = ids[code]
        served = sum(a.minutes for a in uow.certificates.service(mid, day, day, rule=rule))
        if already.get(mid, 0) + minutes > served:
            raise HonourExceedsService(
                T("member {code!r}: {minutes} honour minutes (with {already} already given) "
                  "exceed the {served} minutes of approved service under {rule!r} on {day}",
                  code=code, minutes=minutes, already=already.get(mid, 0), served=served,
                  rule=rule, day=day.isoformat()), field="minutes", member=code,
                service_minutes=served, honour_minutes=already.get(mid, 0))


def _check(day: object, members: Sequence[str], minutes: object, reason: object) -> None:
    if not isinstance(day, date):
        raise ValidationError(T("activity_date is a date like 2026-01-12"),
                              field="activity_date")
    if isinstance(members, str) or not members or \
            not all(isinstance(m, str) and m for m in members):
        raise ValidationError(T("name at least one member"), field="members")
    if len(set(members)) != len(members):
        raise ValidationError(T("a member is named twice"), field="members")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or \
            not 1 <= minutes <= MAX_MINUTES:
        raise ValidationError(T("minutes is a whole number from 1 to {max_minutes}",
                                max_minutes=MAX_MINUTES),
                              field="minutes")
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 500:
        raise ValidationError(T("give a reason of at most 500 characters"), field="reason")
