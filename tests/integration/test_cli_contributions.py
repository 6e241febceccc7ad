"""``timebank contribution reverse ID --reason ...`` on both engines."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main


@pytest.fixture
def db(migrated_url: str) -> tuple[str, int]:
    bank = Timebank(migrated_url)
    bank.communities.create("sjhy", "世纪花园社区")
    bank.members.add("sjhy", "m1", "居民1", roles=["volunteer"])
    bank.rules.install("sjhy", "red_vest")
    done = bank.contributions.record("sjhy", "m1", "sharpening", key="k1", quantity=5,
                                     occurred_on=date(2024, 3, 1))
    bank.close()
    return migrated_url, done.id


def run(db_url, lang, *args):
    return CliRunner().invoke(main, ["--db", db_url, "--lang", lang, *args])


def test_reversing_a_contribution_from_the_command_line_says_so_in_both_languages(db):
    url, cid = db
    done = run(url, "en", "contribution", "reverse", str(cid), "--community", "sjhy",
               "--reason", "duplicate")
    assert done.exit_code == 0, done.output
    assert f"reversed contribution #{cid} (m1, sharpening): 5 points taken back" in done.output
    replay = run(url, "zh", "contribution", "reverse", str(cid), "--community", "sjhy",
                 "--reason", "duplicate")
    assert replay.exit_code == 0 and f"已撤销贡献记录 #{cid}" in replay.output
    bank = Timebank(url)
    try:
        assert bank.contributions.get("sjhy", cid).status == "reversed"
        assert bank.ledger.balance("sjhy", "m1")["points"].posted == 0
    finally:
        bank.close()
    again = run(url, "en", "contribution", "reverse", str(cid), "--community", "sjhy",
                "--reason", "again", "--key", "other")
    assert again.exit_code == 2 and "invalid_state" in again.output


def test_a_reversal_without_a_reason_is_a_usage_error(db):
    url, cid = db
    result = run(url, "en", "contribution", "reverse", str(cid), "--community", "sjhy")
    assert result.exit_code == 2 and "--reason" in result.output
