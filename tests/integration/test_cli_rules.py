"""``timebank rules list|show`` and ``timebank rulebook list`` on both engines: the rules
in force and each rule's versions, in zh-CN and English, and the shipped rulebooks."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main
from timebank.domain.rulebook import shipped, to_dict


@pytest.fixture
def db(migrated_url: str) -> str:
    bank = Timebank(migrated_url)
    bank.communities.create("sjhy", "世纪花园社区", rulebook="red_vest")
    bank.close()
    return migrated_url


def run(db: str, *args: str):
    result = CliRunner().invoke(main, ["--db", db, *args], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


def test_the_rules_in_force_are_listed_with_their_names_rates_and_caps(db):
    bank = Timebank(db)
    try:
        codes = [r.code for r in bank.rules.list("sjhy")]
    finally:
        bank.close()
    zh = run(db, "rules", "list", "--community", "sjhy")
    assert zh.exit_code == 0, zh.output
    assert all(code in zh.output for code in codes) and len(codes) >= 5
    assert "代买代办" in zh.output and "按次" in zh.output and "每日 6" in zh.output
    en = run(db, "--lang", "en", "rules", "list", "--community", "sjhy")
    assert "Errands" in en.output and "per occurrence" in en.output and "6/day" in en.output


def test_show_gives_the_rule_in_force_and_every_version_of_it(db):
    bank = Timebank(db)
    try:
        errand = bank.rules.get("sjhy", "errand")
        bank.rules.put("sjhy", "errand", {**to_dict(errand), "rate": 3},
                       effective_from=date(2026, 1, 1))
    finally:
        bank.close()
    shown = run(db, "--lang", "en", "rules", "show", "errand", "--community", "sjhy")
    assert shown.exit_code == 0, shown.output
    assert "code: errand" in shown.output and "rate: 3" in shown.output
    assert "needs approval: yes" in shown.output
    assert "versions of rule errand" in shown.output
    assert "the start" in shown.output and "2026-01-01" in shown.output
    zh = run(db, "rules", "show", "errand", "--community", "sjhy")
    assert "分值:3" in zh.output and "规则 errand 的各版本" in zh.output


def test_an_unknown_rule_or_community_is_a_clear_error(db):
    rule = run(db, "--lang", "en", "rules", "show", "nope", "--community", "sjhy")
    assert rule.exit_code == 2 and "error (not_found)" in rule.output
    community = run(db, "--lang", "en", "rules", "list", "--community", "nowhere")
    assert community.exit_code == 2 and "unknown community" in community.output


def test_the_shipped_rulebooks_are_listed_with_their_rules_without_a_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'never.db'}"
    books = run(url, "--lang", "en", "rulebook", "list")
    assert books.exit_code == 0, books.output
    assert shipped() and all(name in books.output for name in shipped())
    assert "errand" in books.output and "rule codes" in books.output
    assert not (tmp_path / "never.db").exists()
