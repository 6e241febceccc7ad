"""Statements that explain every line: rule, contribution, approver, running balance."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from timebank.domain.access import Actor
from timebank.errors import UnknownMember, ValidationError
from timebank.timeutil import local_date, utcnow

DAY = date(2024, 3, 1)


@pytest.fixture
def red(tb, community):
    tb.rules.install(community, "red_vest")
    return community


def test_every_line_names_its_rule_contribution_approver_and_balance(tb, red):
    auto = tb.contributions.record(red, "m1", "sharpening", key="k1", quantity=4,
                                   occurred_on=DAY, recorded_by="clerk")
    pending = tb.contributions.record(red, "m1", "repair", key="k2", occurred_on=DAY,
                                      recorded_by="clerk")
    tb.contributions.approve(red, pending.id, approver=Actor("director"), key="a1")
    tb.ledger.spend(red, "m1", 5, key="s1", reason="一袋大米 rice")
    lines = tb.statements.statement(red, "m1").lines
    assert [(x.kind, x.amount, x.balance_after) for x in lines] == [
        ("award", 4, 4), ("award", 3, 7), ("spend", -5, 2)]
    assert (lines[0].rule, lines[0].contribution, lines[0].approver) == (
        "sharpening", auto.id, None)
    assert (lines[1].rule, lines[1].contribution, lines[1].approver) == (
        "repair", pending.id, "director")
    assert lines[1].reason == "义务维修 / Repairs"
    assert lines[2].reason == "一袋大米 rice" and lines[2].rule is None
    assert lines[0].unit == "points" and lines[0].occurred_at.date() == DAY - timedelta(days=1)


def test_a_reversed_contribution_shows_both_lines(tb, red):
    done = tb.contributions.record(red, "m1", "sharpening", key="k1", quantity=4,
                                   occurred_on=DAY)
    tb.contributions.reverse(red, done.id, actor="admin", reason="duplicate", key="r1")
    lines = tb.statements.statement(red, "m1").lines
    assert [(x.kind, x.balance_after) for x in lines] == [("award", 4), ("reversal", 0)]
    assert lines[1].reverses == lines[0].entry_id and lines[1].contribution == done.id
    assert lines[1].reason == "duplicate"


def test_a_period_statement_opens_and_closes_with_the_stored_balances(tb, red):
    tb.contributions.record(red, "m1", "sharpening", key="k1", quantity=4, occurred_on=DAY)
    tb.contributions.record(red, "m1", "sharpening", key="k2", quantity=2, occurred_on=DAY)
    today = local_date(utcnow(), "Asia/Shanghai")
    window = tb.statements.statement(red, "m1", from_=today, to=today)
    assert len(window.lines) == 2
    assert window.opening == {"points": 0} and window.closing == {"points": 6}
    past = tb.statements.statement(red, "m1", from_=date(2020, 1, 1), to=date(2020, 1, 31))
    assert past.lines == () and past.closing == {"points": 0}
    future = tb.statements.statement(red, "m1", from_=today + timedelta(days=1))
    assert future.lines == () and future.closing == {"points": 6}


def test_a_statement_can_be_limited_to_one_unit(tb, community):
    tb.rules.install(community, "time_bank")
    tb.ledger.award(community, "m1", 3, key="p1")
    tb.ledger.award(community, "m1", 60, unit="minutes", key="t1")
    only = tb.statements.statement(community, "m1", unit="minutes")
    assert [x.unit for x in only.lines] == ["minutes"] and only.closing == {"minutes": 60}


def test_bad_statement_requests_are_refused(tb, red):
    with pytest.raises(UnknownMember):
        tb.statements.statement(red, "ghost")
    with pytest.raises(ValidationError):
        tb.statements.statement(red, "m1", from_=DAY, to=DAY - timedelta(days=1))
    with pytest.raises(ValidationError):
        tb.statements.statement(red, "m1", unit="yuan")
