"""Districts (通存通兑): deposit anywhere, redeem anywhere, with clearing between books.

The alliance of communities, a member moving home with the balance (one cross act), what
a partner's staff may see of a member, positions and settlements, and the district
reports. Each community keeps its own books; the cross acts themselves (two halves in
one transaction through a clearing account per partner) are in ``services/crossing.py``.
A settlement moves each clearing balance (as of ``until``) to the community's
``settlement`` account: positions start again from zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from timebank.domain.districts import (
    CrossMember,
    District,
    Moved,
    Position,
    Settlement,
    district_terms,
    partner_of,
    split_member,
)
from timebank.domain.ledger import EntryKind, Posting, move
from timebank.errors import (
    InvalidState,
    UnknownCommunity,
    ValidationError,
)
from timebank.i18n import T
from timebank.reports.district import DistrictBoard, DistrictParticipation, DistrictPeriod
from timebank.reports.participation import TARGET
from timebank.reports.periods import parse_month, parse_period
from timebank.services import district_reports
from timebank.services.crossing import Half, district_of, post_across
from timebank.store.db import Store
from timebank.store.idempotency import check_key
from timebank.store.posting import NewEntry
from timebank.store.uow import UnitOfWork
from timebank.timeutil import utc_naive, utcnow

away = split_member
SERVED_UNIT = "minutes"  # exchange requests are paid in minutes


# -- the alliance -------------------------------------------------------------------------


def create(uow: UnitOfWork, code: str, name: str, communities: Sequence[str],
           units: Sequence[str], rates: Any = None, position_limit: Any = None) -> District:
    settings = district_terms(code, name, communities, units, rates, position_limit)
    ids = uow.districts.community_ids(communities)
    missing = [c for c in communities if c not in ids]
    if missing:
        raise UnknownCommunity(T("unknown community {code!r}", code=missing[0]),
                               field="communities")
    uow.districts.add(code, name, settings, [ids[c] for c in communities])
    return uow.districts.named(code)

def move_member(uow: UnitOfWork, code: str, to_community: str, *, key: str,
                actor: str = "system") -> Moved:
    """The member and every balance the district clears move home to ``to_community``."""
    request = {"op": "move", "member": code, "to": to_community, "actor": actor}
    return uow.once(check_key(key), request,
                    lambda: _move(uow, code, to_community, actor), Moved)


def _move(uow: UnitOfWork, code: str, to_community: str, actor: str) -> Moved:
    district, to_id = district_of(uow, to_community)
    here = uow.community.code
    row = uow.districts.member(uow.community_id, code)
    new_id = uow.districts.add_member(to_id, row)
    uow.districts.add_move(int(row.id), new_id)
    old = uow.districts.member_accounts(int(row.id), district.units, uow.community_id)
    new = uow.districts.member_accounts(new_id, district.units, to_id)
    balances: dict[str, int] = {}
    crosses: list[int] = []
    for unit in district.units:
        account, posted, held = old[unit]
        if held:
            raise InvalidState(T("member {member!r} has {held} {unit} on hold; release it "
                                 "before moving", member=code, held=held, unit=unit),
                               field="member", state="held")
        if posted < 0:  # an award taken back after it was spent: settle it here first
            raise InvalidState(T("member {member!r} owes {owed} {unit}; it is earned back "
                                 "before moving", member=code, owed=-posted, unit=unit),
                               field="member", state="owed")
        arriving = district.convert(unit, posted, here, to_community) if posted else 0
        balances[unit] = arriving
        if not posted:
            continue
        out = uow.districts.clearing_account(uow.community_id, to_id, unit)
        into = uow.districts.clearing_account(to_id, uow.community_id, unit)
        reason = f"moved to {to_community}"
        cross_id, _ = post_across(
            uow, district, "move", unit,
            Half(uow.community_id, here, move(account, out, unit, posted), EntryKind.POST,
                 posted),
            Half(to_id, to_community, move(into, new[unit][0], unit, arriving),
                 EntryKind.POST, arriving), reason, actor, {"member": code})
        crosses.append(cross_id)
    return Moved(code, here, to_community, balances, tuple(crosses))


# -- what a partner's staff may see -------------------------------------------------------


def lookup(uow: UnitOfWork, member: str) -> CrossMember:
    """Name, card and available balance of a partner's member: nothing more."""
    ref = split_member(member)
    if ref is None:
        raise ValidationError(T("name the member COMMUNITY:CODE"), field="member")
    district, home_id = district_of(uow, ref[0])
    row = uow.districts.member(home_id, ref[1])
    found = uow.districts.member_accounts(int(row.id), district.units, home_id)
    return CrossMember(ref[0], row.code, row.name, row.card,
                       {u: posted - held for u, (_, posted, held) in found.items()})


# -- positions and settlements ------------------------------------------------------------


def positions(uow: UnitOfWork, code: str, until: datetime | None = None) -> list[Position]:
    district = uow.districts.named(code)
    ids = uow.districts.community_ids(district.communities)
    by_id = {i: c for c, i in ids.items()}
    table: dict[tuple[str, str], dict[str, int]] = {
        (c, u): {p: 0 for p in district.communities if p != c}
        for c in district.communities for u in district.units}
    for _, community_id, name, unit, balance in uow.districts.clearing(list(by_id), until):
        partner = by_id.get(partner_of(name) or -1)
        own = by_id[community_id]
        if partner is not None and (own, unit) in table:
            table[own, unit][partner] -= balance * district.rate(unit, own)
    return [Position(c, u, sum(per.values()), per) for (c, u), per in table.items()]


def settle(uow: UnitOfWork, code: str, until: datetime, actor: str = "system"
           ) -> Settlement:
    """Close the period to ``until``: each community's clearing balances as of then go to
    its settlement account, in one entry of its books (occurred at ``until``)."""
    if not isinstance(until, datetime):
        raise ValidationError(T("until is a date and time"), field="until")
    cut = utc_naive(until)
    if cut > utc_naive(utcnow()):
        raise ValidationError(T("a period closes in the past, not the future"), field="until")
    district = uow.districts.named(code, lock=True)
    stored = uow.districts.settlement(district.id, cut)
    if stored is not None:  # the same period again: the same answer
        return Settlement(district.code, cut.isoformat(), tuple(
            Position(p["community"], p["unit"], p["total"], p["partners"]) for p in stored))
    last = uow.districts.last_settled(district.id)
    if last is not None and cut < last:
        raise InvalidState(T("district {code!r} is settled to {last}", code=code,
                             last=last.isoformat()), field="until")
    settled = positions(uow, code, cut)
    ids = uow.districts.community_ids(district.communities)
    by_id = {i: c for c, i in ids.items()}
    legs: dict[int, list[Posting]] = defaultdict(list)
    for account, community_id, _, unit, balance in uow.districts.clearing(list(by_id), cut):
        if balance:
            legs[community_id].append(Posting(account, unit, -balance))
            legs[community_id].append(Posting(
                uow.districts.settlement_account(community_id, unit), unit, balance))
    uow.districts.lock_accounts(leg.account_id for row in legs.values() for leg in row)
    for community_id in sorted(legs):
        uow.districts.post_half(community_id, by_id[community_id], NewEntry(
            EntryKind.POST, tuple(legs[community_id]), f"district {code} settlement",
            actor, occurred_at=cut, meta={"settlement": code, "until": cut.isoformat()}))
    uow.districts.add_settlement(district.id, cut, [attrs.asdict(p) for p in settled])
    return Settlement(district.code, cut.isoformat(), tuple(settled))


class Districts:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, code: str, name: str, communities: Sequence[str], units: Sequence[str],
               rates: Any = None, position_limit: Any = None) -> District:
        """An alliance of two or more communities clearing ``units`` (platform act)."""
        return self.store.transact(None, lambda uow: create(
            uow, code, name, communities, units, rates, position_limit))

    def get(self, code: str) -> District:
        with self.store.reading() as uow:
            return uow.districts.named(code)

    def move(self, community: str, member: str, to_community: str, *, key: str,
             actor: str = "system") -> Moved:
        """Move a member home from ``community`` to ``to_community`` with the balance."""
        return self.store.transact(community, lambda uow: move_member(
            uow, member, to_community, key=key, actor=actor))

    def lookup(self, community: str, member: str) -> CrossMember:
        """What ``community``'s staff see of a partner's member ``"A:CODE"``."""
        with self.store.reading(community) as uow:
            return lookup(uow, member)

    def positions(self, code: str) -> list[Position]:
        with self.store.reading() as uow:
            return positions(uow, code)

    def settle(self, code: str, until: datetime, actor: str = "system") -> Settlement:
        return self.store.transact(None, lambda uow: settle(uow, code, until, actor))

    # -- reports over the district's communities (one snapshot each) -------------------

    def monthly(self, code: str, month: str, *, ledger_unit: str = "points"
                ) -> DistrictPeriod:
        """The month's report (``YYYY-MM``) per community and in total."""
        return self.period(code, month, ledger_unit=ledger_unit, only_month=True)

    def period(self, code: str, period: str, *, ledger_unit: str = "points",
               only_month: bool = False) -> DistrictPeriod:
        """As ``monthly``, for a month, a quarter ``YYYY-Qn`` or a year ``YYYY``."""
        when = parse_month(period) if only_month else parse_period(period)
        with self.store.reading() as uow:
            return district_reports.period(uow, code, when, ledger_unit)

    def leaderboard(self, code: str, period: str, *, limit: int = 20, mask: bool = True,
                    ledger_unit: str = "points") -> DistrictBoard:
        """The district's top earners in ``period``; masked unless ``mask=False``."""
        when = parse_period(period)
        with self.store.reading() as uow:
            return district_reports.leaderboard(uow, code, when, ledger_unit=ledger_unit,
                                                limit=limit, mask=mask)

    def participation(self, code: str, month: str, rule: str, *,
                      target: float = TARGET) -> DistrictParticipation:
        """``rule``'s participation in ``month`` per community and in total."""
        when = parse_period(month, "month")
        with self.store.reading() as uow:
            return district_reports.participation(uow, code, when, rule, target=target)
