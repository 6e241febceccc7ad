"""Re-installing a rulebook never undoes a rule change nor re-values anything silently
(both engines): rules that differ are refused by name unless ``replace_from`` is given."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main
from timebank.domain.rulebook import to_dict
from timebank.errors import InvalidState, ValidationError

CHANGED = date(2024, 3, 1)


@pytest.fixture
def changed(tb, community):
    """red_vest installed, then sharpening raised to 2 points a knife from 2024-03-01."""
    tb.rules.install(community, "red_vest")
    old = to_dict(tb.rules.get(community, "sharpening"))
    tb.rules.put(community, "sharpening", {**old, "rate": 2, "effective_from": None},
                 effective_from=CHANGED)
    return community


def rates(tb, community):
    return [(r.effective_from, r.rate) for r in tb.rules.history(community, "sharpening")]


def test_reinstalling_the_shipped_book_after_a_change_is_refused_naming_the_rule(tb, changed):
    before = rates(tb, changed)
    with pytest.raises(InvalidState) as err:
        tb.rules.install(changed, "red_vest")
    assert err.value.details["rules"] == ["sharpening"]
    assert "sharpening" in err.value.message
    assert rates(tb, changed) == before and before[-1] == (CHANGED, 2)
    assert tb.rules.get(changed, "sharpening").rate == 2


def test_replace_from_puts_the_books_version_in_force_from_that_day_only(tb, changed):
    tb.rules.install(changed, "red_vest", replace_from=date(2024, 6, 1))
    assert rates(tb, changed)[-2:] == [(CHANGED, 2), (date(2024, 6, 1), 1)]
    assert len(tb.rules.history(changed, "patrol")) == 1  # unchanged rules stay as they were
    with pytest.raises(ValidationError):  # history is appended to, never rewritten
        tb.rules.put(changed, "sharpening", {"basis": "per_item", "rate": 5},
                     effective_from=date(2024, 5, 1))


def test_a_replace_from_before_the_change_is_refused_and_nothing_is_installed(tb, changed):
    with pytest.raises(ValidationError):
        tb.rules.install(changed, "red_vest", replace_from=date(2024, 1, 1))
    assert rates(tb, changed)[-1] == (CHANGED, 2)


def test_installing_the_same_book_twice_asks_nothing_and_changes_nothing(tb, community):
    tb.rules.install(community, "red_vest")
    tb.rules.install(community, "red_vest")
    assert len(tb.rules.history(community, "sharpening")) == 1


@pytest.fixture
def db(migrated_url):
    bank = Timebank(migrated_url)
    bank.communities.create("sjhy", "世纪花园社区", rulebook="red_vest")
    old = to_dict(bank.rules.get("sjhy", "sharpening"))
    bank.rules.put("sjhy", "sharpening", {**old, "rate": 2, "effective_from": None},
                   effective_from=CHANGED)
    bank.close()
    return migrated_url


def test_the_cli_refuses_a_reinstall_by_rule_and_installs_with_replace_from(db):
    run = CliRunner().invoke
    refused = run(main, ["--db", db, "--lang", "en", "rulebook", "install", "red_vest",
                         "--community", "sjhy"])
    assert refused.exit_code == 2 and "invalid_state" in refused.output
    assert "sharpening" in refused.output and "--replace-from" in refused.output
    done = run(main, ["--db", db, "--lang", "zh", "rulebook", "install", "red_vest",
                      "--community", "sjhy", "--replace-from", "2024-06-01"])
    assert done.exit_code == 0, done.output
    assert "已为社区 sjhy 安装规则手册 red_vest" in done.output and "2024-06-01" in done.output
    bank = Timebank(db)
    try:
        assert bank.rules.get("sjhy", "sharpening", on=date(2024, 7, 1)).rate == 1
        assert bank.rules.get("sjhy", "sharpening", on=date(2024, 5, 1)).rate == 2
    finally:
        bank.close()
