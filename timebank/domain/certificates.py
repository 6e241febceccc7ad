"""Service records and certificates (志愿服务记录证明) as plain values and pure rules.

The national rules (《志愿服务记录与证明出具办法(试行)》, 民发〔2015〕149号) ask that the
organisation which recorded the service proves it, from its records, with four groups of
facts: the volunteer, the service (hours and content), the issuer, and a registered number
with the date of issue. Anyone must be able to check a certificate, so each one carries a
SHA-256 ``digest`` over exactly the records it counts: recomputed later from the same
records, a different digest means one of them changed (a contribution reversed) after
issue.

Service hours are kept apart from points: they are the minutes credited to approved
contributions of rules flagged ``service = true`` (always ``per_hour`` rules), never
adjustments, transfers or gifts. Honour hours (荣誉时长) are separate and bounded by the
service they honour.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import attrs

from timebank.errors import RulebookError, UnknownCertificate, ValidationError
from timebank.i18n import T

ISSUER_KEYS = ("name", "person_in_charge", "handler", "contact")
_NUMBER = re.compile(r"^(?P<community>.{1,64})-(?P<year>\d{4})-(?P<seq>\d{5,9})$")


@attrs.frozen
class Issuer:
    """Who signs: the organisation, its person in charge (负责人), the handler (经办人)
    and a contact (联系方式)."""

    name: str
    person_in_charge: str = ""
    handler: str = ""
    contact: str = ""


@attrs.frozen
class Activity:
    """One counted record: a service contribution (``kind`` ``contribution``) or an
    approved honour (``honour``), with who recorded and who approved it."""

    kind: str
    ref: int
    day: date
    rule: str
    rule_name: str
    minutes: int
    recorded_by: str
    approved_by: str | None


@attrs.frozen
class Counted:
    """The current state of one counted record, as the digest binds it: its status and,
    for a contribution, the hash of the ledger entry that awarded it (if any)."""

    kind: str
    ref: int
    day: date
    rule: str
    minutes: int
    status: str
    entry_hash: str = ""


@attrs.frozen
class Certificate:
    number: str
    member: str
    name: str
    period_from: date
    period_to: date
    purpose: str
    service_minutes: int
    honour_minutes: int
    activities: tuple[Activity, ...]
    honours: tuple[Activity, ...]
    issuer: Issuer
    issued_on: date
    issued_by: str
    digest: str
    status: str  # valid, revoked
    verify_path: str
    revoked_reason: str | None = None


@attrs.frozen
class PublicView:
    """What anyone may learn from a certificate number: nothing that identifies the
    member beyond a masked name."""

    number: str
    status: str  # valid, revoked, changed
    name_masked: str
    service_minutes: int
    honour_minutes: int
    period_from: date
    period_to: date
    issuer: Issuer
    issued_on: date


@attrs.frozen
class MemberCertificate:
    """A certificate as its member's own page lists it: the hours and period, and its
    status as the public check would answer it (valid, revoked, changed)."""

    number: str
    status: str
    period_from: date
    period_to: date
    purpose: str
    service_minutes: int
    honour_minutes: int
    issued_on: date
    verify_path: str


@attrs.frozen
class Honour:
    id: int
    status: str  # pending, approved
    activity_date: date
    rule: str
    members: tuple[str, ...]
    minutes: int
    reason: str
    proposed_by: str
    approved_by: str | None = None


def digest(community: str, number: str, member: str, period: tuple[date, date],
           counted: Iterable[Counted]) -> str:
    """SHA-256 over the certificate's identity and every counted record's state, in a
    canonical order, so it does not depend on how rows come back."""
    items = sorted([c.kind, c.ref, c.day.isoformat(), c.rule, c.minutes, c.status,
                    c.entry_hash] for c in counted)
    body = {"community": community, "number": number, "member": member,
            "from": period[0].isoformat(), "to": period[1].isoformat(), "items": items}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def number_of(community: str, year: int, seq: int) -> str:
    """A certificate number: ``<community>-<year>-<seq>``, e.g. ``sjhy-2026-00012``. The
    community code in it lets the public check find the right books without a key."""
    return f"{community}-{year:04d}-{seq:05d}"


def parse_number(number: str) -> tuple[str, int, int]:
    """(community, year, seq) of a number; anything else is an unknown certificate, the
    same answer as a well-formed number that was never issued."""
    found = _NUMBER.match(number or "")
    if found is None:
        raise unknown(number)
    return found["community"], int(found["year"]), int(found["seq"])


def unknown(number: str) -> UnknownCertificate:
    return UnknownCertificate(T("no certificate numbered {number!r}", number=number[:100]),
                              field="number")


def check_period(start: date, end: date, today: date) -> None:
    if end < start:
        raise ValidationError(T("the period ends before it starts"), field="to")
    if end > today:
        raise ValidationError(T("the period ends in the future ({end}); a certificate proves "
                                "service already done", end=end.isoformat()), field="to")


def issuer_of(settings: Mapping[str, Any], community_name: str, handler: str) -> Issuer:
    """The issuer from the community's ``issuer`` settings (from the rulebook's
    ``[community.issuer]`` or ``update_settings``); the community's name and the person
    issuing stand in for what is not set."""
    raw = settings.get("issuer") or {}
    if not isinstance(raw, Mapping):
        raw = {}
    values = {k: str(raw.get(k) or "")[:200] for k in ISSUER_KEYS}
    return Issuer(values["name"] or community_name, values["person_in_charge"],
                  values["handler"] or handler, values["contact"])


def check_issuer(value: Any, where: str) -> None:
    """A rulebook's ``[community.issuer]`` table: text values of the known keys."""
    if not isinstance(value, Mapping):
        raise RulebookError(T("{where}: community.issuer must be a table", where=where),
                              field="community.issuer")
    for key, text in value.items():
        if key not in ISSUER_KEYS:
            raise RulebookError(T("{where}: community.issuer.{key}: unknown key; expected one "
                                  "of {issuer_keys}", where=where, key=key,
                                  issuer_keys=', '.join(ISSUER_KEYS)),
                                  field=f"community.issuer.{key}")
        if not isinstance(text, str) or len(text) > 200:
            raise RulebookError(T("{where}: community.issuer.{key}: text of at most 200 "
                                  "characters", where=where, key=key),
                                field=f"community.issuer.{key}")
