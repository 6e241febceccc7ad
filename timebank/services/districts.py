"""Districts (通存通兑): deposit anywhere, redeem anywhere, with clearing between books.

Each community keeps its own books. A cross act (a member of A redeems at B; a member
moves home from A to B) posts A's half (member ↔ A's clearing account with B) and B's
half (B's clearing account with A ↔ sink or member) in ONE transaction, each half in its
own community's chain, both carrying one cross id in meta. Lock order: gift rows, then
both halves' accounts by id, then the two communities' rows by id (halves posted in
community-id order).
A settlement moves each clearing balance (as of ``until``) to the community's
``settlement`` account: positions start again from zero.

A member of A may claim and serve an exchange request posted in B: each volunteer from
a partner is paid by one cross act (B's payer → B's clearing with A; A's clearing with B
→ the volunteer), inside the confirmation's transaction.

A held cross redemption reserves the points in A's books (a hold there); fulfilling it
captures the hold as A's half of one cross act, cancelling releases it. A return is one
cross act the other way, each half the reversal of its book's half. A gift's ``min_tier``
is met by A's member who holds a tier of that code in A's ladder.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
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
from timebank.domain.gifts import GiftTerms
from timebank.domain.ledger import EntryKind, Posting, SystemAccount, move, negate
from timebank.domain.redemptions import Redeemer
from timebank.errors import (
    InvalidState,
    NotEligible,
    NotFound,
    PositionLimitExceeded,
    UnknownCommunity,
    ValidationError,
)
from timebank.i18n import T
from timebank.reports.district import DistrictBoard, DistrictParticipation, DistrictPeriod
from timebank.reports.participation import TARGET
from timebank.reports.periods import parse_month, parse_period
from timebank.services import district_reports
from timebank.services.tiers import evaluate, policy_of
from timebank.store.db import Store
from timebank.store.idempotency import check_key
from timebank.store.posting import NewEntry
from timebank.store.uow import UnitOfWork
from timebank.timeutil import local_date, utc_naive, utcnow

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


def _district_of(uow: UnitOfWork, partner: str) -> tuple[District, int]:
    """The acting community's district and the partner's id in it (or NotFound)."""
    district = uow.districts.of_community(uow.community_id)
    if district is None or partner not in district.communities \
            or partner == uow.community.code:
        raise NotFound(T("community {code!r} is not a partner in this district",
                         code=partner), field="community")
    return district, uow.districts.community_ids([partner])[partner]


# -- one cross act: two halves, one transaction ------------------------------------------


@attrs.frozen
class Half:
    community_id: int
    code: str
    legs: tuple[Posting, ...]
    kind: str
    amount: int
    meta: Mapping[str, Any] = attrs.field(factory=dict)
    reverses: int | None = None  # a return: the entry of these books it takes back


def _post_across(uow: UnitOfWork, district: District, kind: str, unit: str,
                 payer: Half, receiver: Half, reason: str, actor: str,
                 meta: dict[str, Any]) -> tuple[int, dict[int, Any]]:
    """Post both halves (community-id order), record the act, check the limit."""
    cross_id = uow.districts.next_cross_id()
    uow.districts.lock_accounts(leg.account_id for h in (payer, receiver) for leg in h.legs)
    now = utcnow()
    posted: dict[int, Any] = {}
    for half in sorted((payer, receiver), key=lambda h: h.community_id):
        partner = receiver.code if half is payer else payer.code
        posted[half.community_id] = uow.districts.post_half(half.community_id, half.code, NewEntry(
            half.kind, half.legs, reason, actor, occurred_at=now, reverses=half.reverses,
            meta={**meta, **half.meta, "cross": cross_id, "cross_kind": kind,
                  "partner": partner}))
    uow.districts.add_cross(
        cross_id, district.id, kind, unit,
        (payer.community_id, payer.amount, posted[payer.community_id].entry_id),
        (receiver.community_id, receiver.amount, posted[receiver.community_id].entry_id))
    _check_limit(uow, district, unit, {payer.community_id: payer.code,
                                       receiver.community_id: receiver.code})
    return cross_id, posted


def _check_limit(uow: UnitOfWork, district: District, unit: str,
                 touched: dict[int, str]) -> None:
    if district.position_limit is None:
        return
    totals: dict[int, int] = defaultdict(int)
    for _, community_id, _, acc_unit, balance in uow.districts.clearing(list(touched)):
        if acc_unit == unit:
            totals[community_id] -= balance * district.rate(unit, touched[community_id])
    for community_id, total in totals.items():
        if abs(total) > district.position_limit:
            raise PositionLimitExceeded(
                T("district {district!r} position limit: community {community!r} would "
                  "stand at {total} {unit}, the limit is {limit}", district=district.code,
                  community=touched[community_id], total=total, unit=unit,
                  limit=district.position_limit),
                field="district", limit=district.position_limit, position=total)


def redeemer(uow: UnitOfWork, ref: tuple[str, str], hold: bool) -> Redeemer:
    """A member of a partner community, redeeming here (at once, or held: the hold is
    placed in the home books and the act crosses when it is fulfilled)."""
    _, partner_id = _district_of(uow, ref[0])
    row = uow.districts.member(partner_id, ref[1])
    return Redeemer(int(row.id), f"{ref[0]}:{row.code}", tuple(row.tags or ()))


def check_tiers_across(uow: UnitOfWork, ref: tuple[str, str],
                       wanted: Sequence[GiftTerms]) -> None:
    """A gift with a ``min_tier`` names a tier of our ladder: a partner's member holds it
    when the home ladder has a tier of that code and the member's tier at home (counted
    by the home rulebook, on the home's local day) ranks at least as high."""
    needing = [g for g in wanted if g.min_tier]
    if not needing:
        return
    home = UnitOfWork(uow.store, uow.conn, ref[0])  # the same transaction, home's books
    policy = policy_of(home.community)
    if policy is None:
        raise NotEligible(T("gift {gift!r} needs tier {tier!r}; community {community!r} has "
                            "no tiers", gift=needing[0].code, tier=needing[0].min_tier,
                            community=ref[0]), field="gift")
    status = evaluate(home, policy, ref[1], local_date(utcnow(), home.community.timezone))
    have = -1 if status.tier is None else policy.level(status.tier.code).rank
    for gift in needing:
        assert gift.min_tier is not None
        if gift.min_tier not in {tier.code for tier in policy.levels}:
            raise NotEligible(T("gift {gift!r} needs tier {tier!r}, which community "
                                "{community!r} does not have", gift=gift.code,
                                tier=gift.min_tier, community=ref[0]),
                              field="gift", gift=gift.code, min_tier=gift.min_tier)
        if have < policy.level(gift.min_tier).rank:
            raise NotEligible(T("gift {gift!r} needs tier {tier!r}; member {member!r} has "
                                "{has} at home", gift=gift.code, tier=gift.min_tier,
                                member=":".join(ref),
                                has=status.tier.code if status.tier else "-"),
                              field="gift", gift=gift.code, min_tier=gift.min_tier)


def pay_across(uow: UnitOfWork, ref: tuple[str, str], who: Redeemer, unit: str, total: int,
               reason: str, actor: str, meta: dict[str, Any]) -> tuple[int, int]:
    """The member pays ``total`` (our unit amounts) from home: home's half moves it from
    the member to its clearing account with us; ours from our clearing account with home
    to the redemption sink. Returns (our entry id, the member's available at home)."""
    district, home_id = _district_of(uow, ref[0])
    district.check_unit(unit)
    here = uow.community.code
    at_home = district.convert(unit, total, here, ref[0])
    account = uow.districts.member_accounts(who.id, [unit], home_id)[unit][0]
    their_clearing = uow.districts.clearing_account(home_id, uow.community_id, unit)
    our_clearing = uow.districts.clearing_account(uow.community_id, home_id, unit)
    sink = uow.ledger.system_account(SystemAccount.REDEMPTION, unit)
    _, posted = _post_across(
        uow, district, "redeem", unit,
        Half(home_id, ref[0], move(account, their_clearing, unit, at_home), EntryKind.SPEND,
             at_home),
        Half(uow.community_id, here, move(our_clearing, sink, unit, total), EntryKind.POST,
             total), reason, actor, meta)
    home = posted[home_id]
    return posted[uow.community_id].entry_id, home.balances[account] - home.held[account]


def hold_across(uow: UnitOfWork, ref: tuple[str, str], who: Redeemer, unit: str,
                total: int, reason: str) -> tuple[int, int]:
    """Reserve ``total`` (our unit amounts) on the member's account at home, in the home
    books: nothing crosses until it is fulfilled. Returns (hold id, available at home)."""
    district, home_id = _district_of(uow, ref[0])
    district.check_unit(unit)
    at_home = district.convert(unit, total, uow.community.code, ref[0])
    account = uow.districts.member_accounts(who.id, [unit], home_id)[unit][0]
    return uow.districts.place_hold(home_id, account, at_home, reason)


def hold_home(uow: UnitOfWork, hold_id: int | None) -> int | None:
    """The partner whose books hold ``hold_id`` (None: a hold in our own books)."""
    if hold_id is None:
        return None
    home = uow.districts.hold_community(hold_id)
    return home if home is not None and home != uow.community_id else None


def fulfil_across(uow: UnitOfWork, home_id: int, hold_id: int, unit: str, total: int,
                  reason: str, actor: str, meta: dict[str, Any]) -> tuple[int, int]:
    """Hand over a held cross redemption: the home hold is captured into home's clearing
    account with us and ours pays the sink, as one cross act. Returns (our entry id, the
    member's available at home)."""
    district = uow.districts.of_community(uow.community_id)
    home = None if district is None else {
        i: c for c, i in uow.districts.community_ids(district.communities).items()
    }.get(home_id)
    if district is None or home is None:
        raise InvalidState(T("the member's community is no longer a partner"),
                           field="redemption", state="cross")
    account, amount, _ = uow.districts.resolve_hold(home_id, hold_id, "captured")
    if amount != district.convert(unit, total, uow.community.code, home):
        raise InvalidState(T("the district's rates changed since the hold; cancel it and "
                             "redeem again"), field="redemption", state="held")
    _, posted = _post_across(
        uow, district, "redeem", unit,
        Half(home_id, home, move(account, uow.districts.clearing_account(
            home_id, uow.community_id, unit), unit, amount), EntryKind.CAPTURE, amount,
            {"hold": hold_id}),
        Half(uow.community_id, uow.community.code, move(
            uow.districts.clearing_account(uow.community_id, home_id, unit),
            uow.ledger.system_account(SystemAccount.REDEMPTION, unit), unit, total),
            EntryKind.POST, total), reason, actor, meta)
    uow.districts.link_hold(hold_id, posted[home_id].entry_id)
    back = posted[home_id]
    return posted[uow.community_id].entry_id, back.balances[account] - back.held[account]


def release_across(uow: UnitOfWork, home_id: int, hold_id: int) -> int:
    """Release a held cross redemption's hold in the home books: the member's available
    at home after."""
    return uow.districts.resolve_hold(home_id, hold_id, "released")[2]


def return_across(uow: UnitOfWork, original: Any, reason: str, actor: str,
                  meta: dict[str, Any]) -> tuple[int, int]:
    """Take back a fulfilled cross redemption: one cross act the other way, each half the
    reversal of its book's half of ``original``'s act (the amounts as they were paid,
    whatever the rates are now). Returns (our reversal's id, the member's available at
    home)."""
    act = uow.districts.cross_act(int(original.meta["cross"]))
    district = uow.districts.of_community(uow.community_id)
    if district is None or act.to_community_id != uow.community_id:
        raise InvalidState(T("cross act {cross} is not one this community received",
                             cross=act.id), field="redemption", state="cross")
    home_id = int(act.from_community_id)
    home = {i: c for c, i in uow.districts.community_ids(district.communities).items()
            }.get(home_id)
    if home is None:
        raise InvalidState(T("the member's community has left district {district!r}",
                             district=district.code), field="redemption", state="cross")
    home_legs = uow.districts.entry_legs(int(act.from_entry_id))
    account = next(leg.account_id for leg in home_legs if leg.amount < 0)
    _, posted = _post_across(
        uow, district, "return", act.unit,
        Half(uow.community_id, uow.community.code, negate(original.legs), EntryKind.REVERSAL,
             int(act.to_amount), {"reverses_kind": original.kind}, reverses=original.id),
        Half(home_id, home, negate(home_legs), EntryKind.REVERSAL, int(act.from_amount),
             {"reverses_kind": EntryKind.SPEND}, reverses=int(act.from_entry_id)),
        reason, actor, meta)
    back = posted[home_id]
    return posted[uow.community_id].entry_id, back.balances[account] - back.held[account]


def claim_across(uow: UnitOfWork, request_id: int, ref: tuple[str, str]) -> int:
    """A partner's member claims our request (its row locked); returns the member's id."""
    district, home_id = _district_of(uow, ref[0])
    district.check_unit(SERVED_UNIT)
    row = uow.districts.member(home_id, ref[1])
    uow.districts.add_claim(request_id, int(row.id))
    return int(row.id)


def pay_served(uow: UnitOfWork, payer_account: int, request: Mapping[str, Any],
               away: Mapping[str, tuple[int, int]], reason: str, actor: str) -> list[int]:
    """Pay each partner's volunteer (``"A:CODE"`` → (member id, minutes here)) by one
    cross act: our half moves the minutes payer → our clearing with A, A's moves them
    (at A's rate) from its clearing with us to the volunteer. Every account, then every
    community row, is locked in id order first. Returns our halves' entry ids.
    ``request``: the exchange meta (request id, requester, payer)."""
    here = uow.community.code
    acts = []
    for name, (member_id, minutes) in away.items():
        home, code = split_member(name) or ("", name)
        district, home_id = _district_of(uow, home)
        district.check_unit(SERVED_UNIT)
        acts.append((home, code, district, home_id, minutes,
                     district.convert(SERVED_UNIT, minutes, here, home),
                     uow.districts.member_accounts(member_id, [SERVED_UNIT], home_id)
                     [SERVED_UNIT][0],
                     uow.districts.clearing_account(uow.community_id, home_id, SERVED_UNIT),
                     uow.districts.clearing_account(home_id, uow.community_id, SERVED_UNIT)))
    uow.districts.lock_accounts([payer_account, *(a for act in acts for a in act[6:])])
    uow.districts.lock_communities([uow.community_id, *(act[3] for act in acts)])
    ours = []
    for home, code, district, home_id, minutes, at_home, volunteer, ours_, theirs in acts:
        _, posted = _post_across(
            uow, district, "serve", SERVED_UNIT,
            Half(uow.community_id, here, move(payer_account, ours_, SERVED_UNIT, minutes),
                 EntryKind.EXCHANGE, minutes, {"volunteers": [f"{home}:{code}"]}),
            Half(home_id, home, move(theirs, volunteer, SERVED_UNIT, at_home),
                 EntryKind.EXCHANGE, at_home,
                 {"requester": f"{here}:{request['requester']}", "volunteers": [code],
                  "payer": f"{here}:{request['payer']}", "request_community": here}),
            reason, actor, dict(request))
        ours.append(posted[uow.community_id].entry_id)
    return ours


def move_member(uow: UnitOfWork, code: str, to_community: str, *, key: str,
                actor: str = "system") -> Moved:
    """The member and every balance the district clears move home to ``to_community``."""
    request = {"op": "move", "member": code, "to": to_community, "actor": actor}
    return uow.once(check_key(key), request,
                    lambda: _move(uow, code, to_community, actor), Moved)


def _move(uow: UnitOfWork, code: str, to_community: str, actor: str) -> Moved:
    district, to_id = _district_of(uow, to_community)
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
        cross_id, _ = _post_across(
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
    district, home_id = _district_of(uow, ref[0])
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
