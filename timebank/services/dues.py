"""Eligibility from the books at recording: members behind on dues may not earn from the
rules that say so (``requires_dues``). The rule itself is ``timebank.domain.dues``; here
the periods already paid are read once per call, with one grouped query over the
members concerned (on the contributions' member and rule index), never per row."""

from __future__ import annotations

from collections.abc import Sequence

from timebank.domain import dues
from timebank.domain.contributions import Resolved
from timebank.domain.rule_versions import Versions
from timebank.errors import NotEligible
from timebank.i18n import T
from timebank.store.uow import UnitOfWork


def check_dues(uow: UnitOfWork, items: Sequence[Resolved], versions: Versions) -> None:
    """Refuse the first of ``items`` whose member is behind on the community's dues,
    when its rule ``requires_dues``; nothing is read when no item's rule asks, and
    nothing is looked at per row when no rule of the community asks."""
    if not any(rule.requires_dues for history in versions.values() for _, rule in history):
        return
    needing = [i for i in items if i.rule.requires_dues]
    if not needing:
        return
    policy = dues.DuesPolicy.from_settings(uow.community.settings.get("dues"))
    if policy is None:
        raise NotEligible(T("rule {rule!r} asks for dues paid, but the community's rulebook "
                            "names no dues ([community.dues])", rule=needing[0].rule.code),
                          field="rule", rule=needing[0].rule.code)
    high = max(i.claim.day for i in needing)
    if high < policy.since:
        return  # nothing was due yet
    paid = uow.contributions.periods_paid({i.member_id for i in needing}, policy.rule,
                                          dues.month_key(policy.since), dues.month_key(high))
    dues.check(policy, items, versions, paid)
