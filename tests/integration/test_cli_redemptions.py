"""``timebank redeem`` and ``timebank redemption list|fulfil|cancel|return`` on both
engines: points and stock move once per command (the key is derived from the arguments
and the day), a held redemption is handed over or cancelled at most once, and refusals
are messages with nothing written."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main


@pytest.fixture
def db(migrated_url: str) -> str:
    bank = Timebank(migrated_url)
    bank.communities.create("sjhy", "世纪花园社区")
    bank.members.add("sjhy", "m1", "张三明")
    bank.members.add("sjhy", "m2", "李四")
    bank.ledger.adjust("sjhy", "m1", 50, key="seed", reason="opening balance", actor="t")
    bank.gifts.create("sjhy", "oil", name="食用油", name_en="Cooking oil", cost=10, stock=5)
    bank.gifts.create("sjhy", "rice", name="大米", cost=5, stock=5)
    bank.close()
    return migrated_url


def run(db: str, *args: str):
    result = CliRunner().invoke(main, ["--db", db, *args], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


def state(db: str) -> tuple[int, int, int]:
    """m1's available points, oil's and rice's stock."""
    bank = Timebank(db)
    try:
        balance = bank.ledger.balance("sjhy", "m1")["points"]
        return (balance.available, bank.gifts.get("sjhy", "oil").stock,
                bank.gifts.get("sjhy", "rice").stock)
    finally:
        bank.close()


def test_a_redemption_typed_twice_takes_points_and_stock_once(db):
    args = ("redeem", "--community", "sjhy", "--member", "m1", "--gift", "oil", "--gift",
            "rice:2")
    first = run(db, "--lang", "en", *args)
    assert first.exit_code == 0, first.output
    assert "for m1: fulfilled, 20 points; available after: 30" in first.output
    assert "already made" not in first.output
    again = run(db, "--lang", "en", *args)
    assert again.exit_code == 0 and "already made today" in again.output
    assert state(db) == (30, 4, 3)
    on_purpose = run(db, *args, "--key", "second-visit")
    assert on_purpose.exit_code == 0 and "兑换后可用:10" in on_purpose.output
    assert state(db) == (10, 3, 1)


def test_a_held_redemption_is_fulfilled_once_and_then_cannot_be_cancelled(db):
    held = run(db, "--lang", "en", "redeem", "--community", "sjhy", "--member", "m1",
               "--gift", "oil", "--hold")
    assert held.exit_code == 0 and "redemption #1" in held.output and ": held," in held.output
    assert state(db) == (40, 4, 5)
    listed = run(db, "--lang", "en", "redemption", "list", "--community", "sjhy",
                 "--status", "held")
    assert listed.exit_code == 0 and "oil×1" in listed.output
    done = run(db, "--lang", "en", "redemption", "fulfil", "1", "--community", "sjhy")
    assert done.exit_code == 0 and ": fulfilled," in done.output
    replay = run(db, "--lang", "en", "redemption", "fulfil", "1", "--community", "sjhy")
    assert replay.exit_code == 0 and ": fulfilled," in replay.output
    refused = run(db, "--lang", "en", "redemption", "cancel", "1", "--community", "sjhy")
    assert refused.exit_code == 2 and "error (invalid_state)" in refused.output
    assert state(db) == (40, 4, 5)
    bank = Timebank(db)
    try:
        assert bank.redemptions.get("sjhy", 1).status == "fulfilled"
    finally:
        bank.close()


def test_cancelling_a_held_redemption_gives_points_and_stock_back(db):
    assert run(db, "redeem", "--community", "sjhy", "--member", "m1", "--gift", "rice:3",
               "--hold").exit_code == 0
    assert state(db) == (35, 5, 2)
    cancelled = run(db, "redemption", "cancel", "1", "--community", "sjhy")
    assert cancelled.exit_code == 0 and "已取消" in cancelled.output
    assert state(db) == (50, 5, 5)
    empty = run(db, "--lang", "en", "redemption", "list", "--community", "sjhy", "--status",
                "held")
    assert "nothing to list." in empty.output


def test_a_returned_redemption_puts_points_and_items_back(db):
    assert run(db, "redeem", "--community", "sjhy", "--member", "m1", "--gift",
               "oil").exit_code == 0
    back = run(db, "--lang", "en", "redemption", "return", "1", "--community", "sjhy",
               "--reason", "破损")
    assert back.exit_code == 0 and ": returned," in back.output
    assert state(db) == (50, 5, 5)


@pytest.mark.parametrize("args, code", [
    (("--member", "m2", "--gift", "oil"), "insufficient_points"),
    (("--member", "m1", "--gift", "oil:6"), "out_of_stock"),
    (("--member", "m1", "--gift", "tea"), "not_found"),
    (("--member", "m9", "--gift", "oil"), "not_found"),
    (("--member", "m1", "--gift", "oil", "--service-day", "none"), "not_found"),
])
def test_a_refused_redemption_says_why_and_moves_nothing(db, args, code):
    refused = run(db, "--lang", "en", "redeem", "--community", "sjhy", *args)
    assert refused.exit_code == 2, refused.output
    assert f"error ({code})" in refused.output and "Traceback" not in refused.output
    assert state(db) == (50, 5, 5)


def test_a_malformed_item_is_a_usage_error(db):
    bad = run(db, "--lang", "en", "redeem", "--community", "sjhy", "--member", "m1",
              "--gift", "oil:two")
    assert bad.exit_code == 2 and "GIFT:QUANTITY" in bad.output
    missing = run(db, "--lang", "en", "redemption", "fulfil", "99", "--community", "sjhy")
    assert missing.exit_code == 2 and "error (not_found)" in missing.output
    assert state(db) == (50, 5, 5)
