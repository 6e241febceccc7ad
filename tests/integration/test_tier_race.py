"""A tier is counted from the member's awards after the member's account is locked, so
an award committing while a redemption of a tier gift starts is counted (issue 17), in
the member's own community and across a district (通存通兑: the tier counted at home).

The award's transaction is held open after its write; the redemption starts meanwhile.
On PostgreSQL it must wait for the account's lock and then see the award (silver); read
before the lock, the awards miss it and the member is refused as bronze. On SQLite the
writer lock serialises the two transactions, and the same answer is expected."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from timebank import Timebank
from timebank.domain.ledger import EntryKind, SystemAccount
from timebank.services.ledger import member_to_system

TIERS = {"basis": "window", "window_days": 30, "demotion": "automatic", "levels": [
    {"code": "bronze", "name_zh": "铜", "name_en": "Bronze", "threshold": 100},
    {"code": "silver", "name_zh": "银", "name_en": "Silver", "threshold": 600}]}


@pytest.mark.parametrize(("hold", "across"), [(False, False), (True, False), (False, True)],
                         ids=["at-the-desk", "held", "across-the-district"])
def test_an_award_committed_while_a_tier_gift_is_redeemed_counts_toward_the_tier(
        tb: Timebank, hold: bool, across: bool) -> None:
    tb.communities.create("tr", "tr")
    tb.communities.update_settings("tr", {"tiers": TIERS})
    tb.members.add("tr", "m", "张三")
    tb.ledger.award("tr", "m", 500, key="seed")  # bronze
    desk, member = "tr", "m"
    if across:  # redeemed at a partner's desk, the tier counted in the member's books
        tb.communities.create("west", "west")
        tb.communities.update_settings("west", {"tiers": TIERS})
        tb.districts.create("jd", "街道", ["tr", "west"], ["points"])
        desk, member = "west", "tr:m"
    tb.gifts.create(desk, "checkup", name="体检", cost=100, stock=5, min_tier="silver")

    written, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def award() -> None:
        def work(uow: Any) -> Any:
            done = member_to_system(uow, EntryKind.AWARD, "m", SystemAccount.ISSUANCE, 200,
                                    "points", key="late", reason="巡逻", actor="clerk",
                                    inward=True)
            written.set()
            assert release.wait(30)
            return done
        tb.store.transact("tr", work)

    def redeem() -> None:
        try:
            outcome["done"] = tb.redemptions.redeem(desk, member, [("checkup", 1)],
                                                    key="r1", hold=hold, actor="desk")
        except Exception as exc:  # the refusal is the failure this test looks for
            outcome["error"] = exc

    awarding = threading.Thread(target=award)
    awarding.start()
    assert written.wait(30)
    redeeming = threading.Thread(target=redeem)
    redeeming.start()
    time.sleep(0.5)  # the redemption is waiting for the award (or has wrongly answered)
    answered_early = "done" in outcome or "error" in outcome
    release.set()
    awarding.join(30)
    redeeming.join(30)

    assert "error" not in outcome, outcome.get("error")
    assert not answered_early
    assert outcome["done"].status == ("held" if hold else "fulfilled")
    assert tb.ledger.balance("tr", "m")["points"].available == 600
    assert tb.verify().ok
