"""Expiry on both engines: lots earned before the cutoff expire, oldest spent first."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=4)  # noon in Asia/Shanghai


def count_entries(tb: Timebank, kind: str) -> int:
    with tb.store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT COUNT(*) FROM entries WHERE kind = :k"),
                            {"k": kind}).scalar_one()


@pytest.fixture
def yearly(tb: Timebank, community: str) -> str:
    tb.communities.update_settings(community, {"expiry": {"policy": "months", "months": 12}})
    tb.ledger.award(community, "m1", 100, key="a1", occurred_at=at("2024-01-15"))
    tb.ledger.award(community, "m1", 50, key="a2", occurred_at=at("2024-06-01"))
    tb.ledger.spend(community, "m1", 30, key="s1")
    tb.ledger.award(community, "m2", 40, key="a3", occurred_at=at("2024-03-01"))
    return community


def test_points_expire_n_months_after_they_were_earned_oldest_spent_first(
        tb: Timebank, yearly: str) -> None:
    assert tb.expiry.expire(yearly, as_of=date(2025, 1, 15)).expired == ()
    run = tb.expiry.expire(yearly, as_of=date(2025, 1, 16))
    assert [(e.member, e.amount) for e in run.expired] == [("m1", 70)]
    assert tb.ledger.balance(yearly, "m1")["points"].posted == 50
    run = tb.expiry.expire(yearly, as_of=date(2025, 6, 2))
    assert sorted((e.member, e.amount) for e in run.expired) == [("m1", 50), ("m2", 40)]
    assert tb.verify(yearly).ok


def test_expiring_the_same_day_twice_writes_nothing_the_second_time(
        tb: Timebank, yearly: str) -> None:
    first = tb.expiry.expire(yearly, as_of=date(2025, 7, 1))
    entries = count_entries(tb, "expiry")
    assert entries == 2
    assert tb.expiry.expire(yearly, as_of=date(2025, 7, 1)).expired == ()
    assert count_entries(tb, "expiry") == entries
    assert first.total == 160


def test_points_on_hold_are_not_expired_from_under_a_redemption(
        tb: Timebank, yearly: str) -> None:
    tb.gifts.create(yearly, "rice", name="大米", cost=44, stock=5)
    tb.redemptions.redeem(yearly, "m1", [("rice", 1)], key="h", hold=True)
    tb.expiry.expire(yearly, as_of=date(2025, 7, 1))
    balance = tb.ledger.balance(yearly, "m1")["points"]
    assert (balance.posted, balance.held) == (44, 44)


def test_a_yearly_reset_expires_everything_earned_before_the_reset(
        tb: Timebank, community: str) -> None:
    tb.communities.update_settings(community, {"expiry": {"policy": "yearly_reset",
                                                          "reset_on": "12-31"}})
    tb.ledger.award(community, "m1", 80, key="a1", occurred_at=at("2024-12-31"))
    tb.ledger.award(community, "m1", 20, key="a2", occurred_at=at("2025-01-02"))
    run = tb.expiry.expire(community, as_of=date(2025, 1, 3))
    assert [(e.member, e.amount) for e in run.expired] == [("m1", 80)]


def test_members_with_points_expiring_soon_are_listed(tb: Timebank, yearly: str) -> None:
    soon = tb.expiry.upcoming(yearly, within_days=30, as_of=date(2025, 1, 1))
    assert [(e.member, e.amount, e.by) for e in soon] == [("m1", 70, date(2025, 1, 31))]
    assert tb.expiry.upcoming(yearly, within_days=10, as_of=date(2024, 12, 1)) == []


def test_a_community_without_an_expiry_policy_never_expires(
        tb: Timebank, community: str) -> None:
    tb.ledger.award(community, "m1", 10, key="a1", occurred_at=at("2000-01-01"))
    run = tb.expiry.expire(community, as_of=date(2030, 1, 1))
    assert (run.cutoff, run.expired) == (None, ())


def test_the_expire_command_posts_and_reports_per_community(tb: Timebank, yearly: str) -> None:
    runner = CliRunner()
    args = ["--db", tb.store.url, "--lang", "en", "expire", "--as-of", "2025-07-01"]
    first = runner.invoke(main, [*args, "--community", yearly])
    assert first.exit_code == 0, first.output
    assert "expired 160 points from 2 member(s)" in first.output
    again = runner.invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "expired nothing" in again.output
    assert count_entries(tb, "expiry") == 2


def test_the_expire_command_refuses_a_day_after_today_unless_forced(
        tb: Timebank, yearly: str) -> None:
    runner = CliRunner()
    args = ["--db", tb.store.url, "--lang", "en", "expire", "--as-of", "2999-01-01"]
    refused = runner.invoke(main, args)
    assert refused.exit_code == 2, refused.output
    assert "2999-01-01 is after the community's today" in refused.output
    assert count_entries(tb, "expiry") == 0
    zh = runner.invoke(main, [*args, "--lang", "zh"])
    assert zh.exit_code == 2 and "--force" in zh.output
    forced = runner.invoke(main, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert "expired 160 points from 2 member(s)" in forced.output
    assert count_entries(tb, "expiry") == 2


def test_the_expire_command_dry_run_lists_what_would_expire_and_writes_nothing(
        tb: Timebank, yearly: str) -> None:
    runner = CliRunner()
    args = ["--db", tb.store.url, "--lang", "en", "expire", "--as-of", "2025-07-01"]
    dry = runner.invoke(main, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would expire 160 points from 2 member(s)" in dry.output
    assert "m1: 120 points" in dry.output and "m2: 40 points" in dry.output
    assert count_entries(tb, "expiry") == 0
    assert "试运行" in runner.invoke(main, [*args, "--dry-run", "--lang", "zh"]).output
    real = runner.invoke(main, args)
    assert "expired 160 points from 2 member(s)" in real.output
