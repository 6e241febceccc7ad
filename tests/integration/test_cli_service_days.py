"""``timebank service-day create|close|summary``: a service day from the command line on
both engines: what it handed out and its stock reconciled (账物相符), in zh-CN and English."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main
from timebank.timeutil import local_date, utcnow


@pytest.fixture
def db(migrated_url: str) -> str:
    bank = Timebank(migrated_url)
    bank.communities.create("sjhy", "世纪花园社区")
    bank.members.add("sjhy", "m1", "张三明")
    bank.ledger.adjust("sjhy", "m1", 100, key="seed", reason="opening balance", actor="t")
    bank.gifts.create("sjhy", "oil", name="食用油", cost=10, stock=5)
    bank.close()
    return migrated_url


def run(db: str, *args: str):
    result = CliRunner().invoke(main, ["--db", db, *args], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


def today() -> str:
    return local_date(utcnow(), "Asia/Shanghai").isoformat()


def test_a_day_opened_used_and_closed_from_the_command_line_balances_its_stock(db):
    opened = run(db, "--lang", "en", "service-day", "create", "d1", "--community", "sjhy",
                 "--name", "三月兑换日", "--day", today())
    assert opened.exit_code == 0 and f"opened service day d1 (三月兑换日) on {today()}" \
        in opened.output
    assert run(db, "redeem", "--community", "sjhy", "--member", "m1", "--gift", "oil:2",
               "--service-day", "d1").exit_code == 0
    summary = run(db, "--lang", "en", "service-day", "summary", "d1", "--community", "sjhy")
    assert summary.exit_code == 0, summary.output
    assert ": open" in summary.output and "redemptions: fulfilled 1" in summary.output
    assert "spent: 20 points" in summary.output
    assert "stock balanced" in summary.output
    closed = run(db, "service-day", "close", "d1", "--community", "sjhy")
    assert closed.exit_code == 0
    assert "已结束" in closed.output and "账物相符" in closed.output
    bank = Timebank(db)
    try:
        stored = bank.service_days.summary("sjhy", "d1")
    finally:
        bank.close()
    assert stored.day.status == "closed"
    assert [(s.gift, s.opening, s.handed_out, s.closing) for s in stored.stock] == \
        [("oil", 5, 2, 3)]
    late = run(db, "--lang", "en", "redeem", "--community", "sjhy", "--member", "m1",
               "--gift", "oil", "--service-day", "d1")
    assert late.exit_code == 2 and "closed" in late.output


def test_a_day_code_used_twice_and_an_unknown_day_are_refused(db):
    args = ("service-day", "create", "d1", "--community", "sjhy", "--name", "兑换日",
            "--day", today())
    assert run(db, *args).exit_code == 0
    again = run(db, "--lang", "en", *args)
    assert again.exit_code == 2 and "already exists" in again.output
    unknown = run(db, "--lang", "en", "service-day", "summary", "d9", "--community", "sjhy")
    assert unknown.exit_code == 2 and "error (not_found)" in unknown.output
    twice = run(db, "service-day", "close", "d1", "--community", "sjhy")
    assert twice.exit_code == 0
    closed_again = run(db, "--lang", "en", "service-day", "close", "d1", "--community",
                       "sjhy")
    assert closed_again.exit_code == 2 and "already closed" in closed_again.output


def test_a_day_that_is_not_a_date_is_a_usage_error(db):
    bad = run(db, "service-day", "create", "d1", "--community", "sjhy", "--name", "x",
              "--day", "2024-13-40")
    assert bad.exit_code == 2 and "--day" in bad.output and "Traceback" not in bad.output
