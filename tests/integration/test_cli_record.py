"""``timebank contribution record`` on both engines: one contribution from the command
line, pending or approved by its rule, recorded once however often the command is typed,
and refused with a message (nothing written) when the member or the rule is wrong."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main
from timebank.timeutil import local_date, utcnow


@pytest.fixture
def db(migrated_url: str) -> str:
    bank = Timebank(migrated_url)
    bank.communities.create("sjhy", "世纪花园社区", rulebook="red_vest")
    bank.members.add("sjhy", "m1", "张三明")
    bank.close()
    return migrated_url


def run(db: str, *args: str):
    result = CliRunner().invoke(main, ["--db", db, *args], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


def day(offset: int = 0) -> str:
    return (local_date(utcnow(), "Asia/Shanghai") - timedelta(days=offset)).isoformat()


def stored(db: str) -> list[tuple[str, str, int]]:
    bank = Timebank(db)
    try:
        return [(c.rule, c.status, c.points) for c in bank.contributions.list("sjhy")]
    finally:
        bank.close()


def test_a_contribution_typed_twice_is_recorded_once_and_waits_for_approval(db):
    args = ("contribution", "record", "--community", "sjhy", "--member", "m1", "--rule",
            "errand", "--on", day(1), "--recorded-by", "clerk-A")
    first = run(db, "--lang", "en", *args)
    assert first.exit_code == 0, first.output
    assert "recorded contribution #1 (m1, errand): pending approval, 2 points" in first.output
    again = run(db, "--lang", "en", *args)
    assert again.exit_code == 0 and "already recorded" in again.output
    assert stored(db) == [("errand", "pending", 2)]
    zh = run(db, *args[:-2], "--recorded-by", "clerk-B")
    assert zh.exit_code == 0 and "待审核" in zh.output
    assert len(stored(db)) == 2


def test_a_rule_without_approval_posts_at_once_and_says_when_the_quantity_was_cut(db):
    done = run(db, "--lang", "en", "contribution", "record", "--community", "sjhy",
               "--member", "m1", "--rule", "sharpening", "--quantity", "45", "--on", day())
    assert done.exit_code == 0, done.output
    assert ": approved, 30 points" in done.output and "quantity cut" in done.output
    assert stored(db) == [("sharpening", "approved", 30)]


@pytest.mark.parametrize("args, expected", [
    (("--member", "m9", "--rule", "errand"), "unknown member"),
    (("--member", "m1", "--rule", "nope"), "nope"),
    (("--member", "m1", "--rule", "sharpening", "--quantity", "lots"), "quantity"),
    (("--member", "m1", "--rule", "errand", "--on", "2024-02-30"), "--on"),
])
def test_a_wrong_member_rule_or_quantity_is_refused_and_nothing_is_recorded(db, args,
                                                                             expected):
    refused = run(db, "--lang", "en", "contribution", "record", "--community", "sjhy", *args)
    assert refused.exit_code == 2, refused.output
    assert expected in refused.output and "Traceback" not in refused.output
    assert stored(db) == []
