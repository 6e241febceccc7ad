"""Issue 11.2: taking back an award always succeeds. A faked record whose points were
already spent is reversed anyway; the member then owes (欠) the difference, cannot spend
or transfer until it is earned back, and ``verify`` accepts the books."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from timebank.errors import InsufficientPoints, InvalidState
from timebank.store.tables import accounts, members

DAY = date(2024, 3, 1)


@pytest.fixture
def red(tb, community):
    tb.rules.install(community, "red_vest")
    tb.members.update(community, "m1", roles=["volunteer"])
    return community


def bal(tb, community, member="m1"):
    return tb.ledger.balance(community, member)["points"]


def test_a_spent_award_reversed_leaves_the_member_owing_until_earned_back(tb, community):
    award = tb.ledger.award(community, "m1", 50, key="a", reason="5小时 (伪造)")
    tb.ledger.spend(community, "m1", 50, key="s")
    reversal = tb.ledger.reverse(community, award.entry_id, key="r", reason="伪造记录",
                                 actor="admin")
    assert reversal.balances == {"m1": -50}
    b = bal(tb, community)
    assert (b.posted, b.available, b.owed, b.lifetime_earned) == (-50, -50, 50, 0)
    with pytest.raises(InsufficientPoints) as err:
        tb.ledger.spend(community, "m1", 1, key="s2")
    assert err.value.details["available"] == -50
    with pytest.raises(InsufficientPoints):
        tb.ledger.transfer(community, "m1", "m2", 1, key="t")
    with pytest.raises(InsufficientPoints):
        tb.ledger.hold(community, "m1", 1, key="h")
    assert bal(tb, community).posted == -50  # nothing half-written by the refusals
    tb.ledger.award(community, "m1", 60, key="a2")
    b = bal(tb, community)
    assert (b.available, b.owed, b.lifetime_earned) == (10, 0, 60)
    tb.ledger.spend(community, "m1", 10, key="s3")
    assert tb.verify(community).ok


def test_verify_accepts_a_member_who_owes(tb, community):
    award = tb.ledger.award(community, "m1", 50, key="a")
    tb.ledger.spend(community, "m1", 50, key="s")
    tb.ledger.reverse(community, award.entry_id, key="r", reason="x", actor="admin")
    report = tb.verify(community)
    assert report.ok, report.problems


def test_a_reversed_contribution_whose_points_were_spent_is_taken_back(tb, red):
    done = tb.contributions.record(red, "m1", "sharpening", key="k1", quantity=5,
                                   occurred_on=DAY)
    earned = bal(tb, red).posted
    assert earned > 0
    tb.ledger.spend(red, "m1", earned, key="s")
    reversed_ = tb.contributions.reverse(red, done.id, actor="admin", reason="伪造",
                                         key="r1")
    assert reversed_.status == "reversed"
    b = bal(tb, red)
    assert (b.posted, b.owed, b.lifetime_earned) == (-earned, earned, 0)
    with pytest.raises(InsufficientPoints):
        tb.ledger.spend(red, "m1", 1, key="s2")
    statement = tb.statements.statement(red, "m1")
    assert statement.closing["points"] == -earned and statement.owed == {"points": earned}
    with pytest.raises(InvalidState):
        tb.contributions.reverse(red, done.id, actor="admin", reason="again", key="r2")
    assert tb.verify(red).ok


def test_the_reversal_of_a_transfer_still_refuses_to_overdraw(tb, community):
    tb.ledger.award(community, "m1", 30, key="a")
    transfer = tb.ledger.transfer(community, "m1", "m2", 30, key="t")
    tb.ledger.spend(community, "m2", 20, key="s")
    with pytest.raises(InsufficientPoints):
        tb.ledger.reverse(community, transfer.entry_id, key="r", reason="x", actor="admin")
    assert (bal(tb, community, "m1").posted, bal(tb, community, "m2").posted) == (0, 10)


def test_a_spend_is_reversed_as_before(tb, community):
    """A spend's reversal credits the member: it never needs the overdraft."""
    tb.ledger.award(community, "m1", 30, key="a")
    spend = tb.ledger.spend(community, "m1", 30, key="s")
    tb.ledger.reverse(community, spend.entry_id, key="r", reason="x", actor="admin")
    assert bal(tb, community).available == 30


def test_a_hold_placed_before_the_reversal_stays_and_its_capture_is_refused(tb, community):
    award = tb.ledger.award(community, "m1", 50, key="a")
    held = tb.ledger.hold(community, "m1", 30, key="h")
    tb.ledger.reverse(community, award.entry_id, key="r", reason="x", actor="admin")
    b = bal(tb, community)
    assert (b.posted, b.held, b.available, b.owed) == (0, 30, -30, 30)
    with pytest.raises(InsufficientPoints):
        tb.ledger.capture(community, held.hold_id, key="c")
    assert bal(tb, community).held == 30  # the refused capture wrote nothing
    tb.ledger.release(community, held.hold_id, key="rel")
    b = bal(tb, community)
    assert (b.posted, b.held, b.owed) == (0, 0, 0)
    assert tb.verify(community).ok


def test_the_database_still_refuses_a_negative_hold_on_a_member_account(tb, community):
    tb.ledger.award(community, "m1", 5, key="a")
    with pytest.raises(sa.exc.IntegrityError), tb.store.engine.begin() as conn:
        member_id = sa.select(members.c.id).where(members.c.code == "m1").scalar_subquery()
        conn.execute(accounts.update().where(accounts.c.member_id == member_id)
                     .values(held=-1))


def test_a_member_who_owes_cannot_move_to_another_community(tb):
    from tests.integration.test_districts import _setup

    _setup(tb)
    award = tb.ledger.award("west", "w1", 50, key="fake")
    tb.ledger.spend("west", "w1", 150, key="all")
    tb.ledger.reverse("west", award.entry_id, key="r", reason="伪造", actor="admin")
    with pytest.raises(InvalidState) as err:
        tb.districts.move("west", "w1", "east", key="m1")
    assert err.value.details["state"] == "owed"
    assert tb.verify("west").ok


def test_member_show_says_what_the_member_owes_in_both_languages(tb, community, db_url):
    from click.testing import CliRunner

    from timebank.cli import main

    award = tb.ledger.award(community, "m1", 50, key="a")
    tb.ledger.spend(community, "m1", 50, key="s")
    tb.ledger.reverse(community, award.entry_id, key="r", reason="x", actor="admin")
    for lang, word in (("zh", "欠 50"), ("en", "owes 50")):
        shown = CliRunner().invoke(main, ["--db", db_url, "--lang", lang, "member", "show",
                                          "m1", "--community", community])
        assert shown.exit_code == 0, shown.output
        assert word in shown.output
