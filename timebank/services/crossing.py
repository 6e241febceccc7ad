"""Cross acts between the communities of a district: two halves, one transaction.

A member of A redeems at B (at once or held), gets a return, meets a gift's tier, or
serves a request posted in B: each act posts A's half (member ↔ A's clearing account with
B) and B's half (B's clearing account with A ↔ sink or member) in ONE transaction, each
half in its own community's chain, both carrying one cross id in meta. Lock order: gift
rows, then both halves' accounts by id, then the two communities' rows by id (halves
posted in community-id order). The redemption and exchange use cases call these; the
alliance, moves and settlements are in ``services/districts.py``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from timebank.domain.districts import (
    District,
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
)
from timebank.i18n import T
from timebank.services.tiers import evaluate, policy_of
from timebank.store.posting import NewEntry
from timebank.store.uow import UnitOfWork
from timebank.timeutil import local_date, utcnow

away = split_member
SERVED_UNIT = "minutes"  # exchange requests are paid in minutes


def district_of(uow: UnitOfWork, partner: str) -> tuple[District, int]:
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


def post_across(uow: UnitOfWork, district: District, kind: str, unit: str,
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
    _, partner_id = district_of(uow, ref[0])
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
    home.ledger.lock_member_account(ref[1], policy.unit)  # then read its awards whole
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
    district, home_id = district_of(uow, ref[0])
    district.check_unit(unit)
    here = uow.community.code
    at_home = district.convert(unit, total, here, ref[0])
    account = uow.districts.member_accounts(who.id, [unit], home_id)[unit][0]
    their_clearing = uow.districts.clearing_account(home_id, uow.community_id, unit)
    our_clearing = uow.districts.clearing_account(uow.community_id, home_id, unit)
    sink = uow.ledger.system_account(SystemAccount.REDEMPTION, unit)
    _, posted = post_across(
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
    district, home_id = district_of(uow, ref[0])
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
    _, posted = post_across(
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
    _, posted = post_across(
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
    district, home_id = district_of(uow, ref[0])
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
        district, home_id = district_of(uow, home)
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
        _, posted = post_across(
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
