"""The CLI speaks zh-CN by default and English with --lang en: errors, import problems,
expiry summaries and help pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main
from timebank.cli.expiry import amount


@pytest.fixture
def bank_url(migrated_url: str) -> str:
    bank = Timebank(migrated_url)
    bank.communities.create("sjhy", "世纪花园社区")
    bank.close()
    return migrated_url


def run(url: str, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["--db", url, *args], env=env or {"TIMEBANK_LANG": "",
                                                                     "LANG": ""})


def test_an_existing_community_is_refused_in_chinese_by_default(bank_url: str) -> None:
    done = run(bank_url, "community", "create", "sjhy", "--name", "x")
    assert done.exit_code == 2
    assert "错误(invalid_state):社区 “sjhy” 已存在" in done.output
    assert "already exists" not in done.output


def test_the_same_error_is_english_with_lang_en_and_the_code_is_unchanged(
        bank_url: str) -> None:
    done = run(bank_url, "--lang", "en", "community", "create", "sjhy", "--name", "x")
    assert done.exit_code == 2
    assert "error (invalid_state): community 'sjhy' already exists" in done.output


def test_timebank_lang_and_lang_choose_english_when_no_option_is_given(bank_url: str) -> None:
    by_env = run(bank_url, "community", "create", "sjhy", "--name", "x",
                 env={"TIMEBANK_LANG": "en", "LANG": ""})
    by_locale = run(bank_url, "community", "create", "sjhy", "--name", "x",
                    env={"TIMEBANK_LANG": "", "LANG": "en_US.UTF-8"})
    unknown = run(bank_url, "community", "create", "sjhy", "--name", "x",
                  env={"TIMEBANK_LANG": "fr", "LANG": ""})
    assert "already exists" in by_env.output and "already exists" in by_locale.output
    assert "已存在" in unknown.output


def test_import_problems_are_all_chinese_or_all_english(bank_url: str, tmp_path: Path) -> None:
    sheet = tmp_path / "members.csv"
    sheet.write_text("编号,姓名,电话\nR-1,,12\nR-2,李四,abc\n", encoding="utf-8")
    zh = run(bank_url, "import", "members", str(sheet), "--community", "sjhy")
    en = run(bank_url, "--lang", "en", "import", "members", str(sheet), "--community", "sjhy")
    assert "第 2 行 [姓名]:为空" in zh.output and "is empty" not in zh.output
    assert "“abc” 不是电话号码" in zh.output
    assert "row 2 [name]: is empty" in en.output and "'abc' is not a phone number" in en.output


def test_expire_speaks_one_language_and_names_the_unit_in_it(bank_url: str) -> None:
    zh = run(bank_url, "expire", "--as-of", "2020-01-01", "--dry-run")
    en = run(bank_url, "--lang", "en", "expire", "--as-of", "2020-01-01", "--dry-run")
    assert zh.exit_code == en.exit_code == 0
    assert "过期" in zh.output and not re.search(r"[a-z]{4,}", zh.output.replace("sjhy", ""))
    assert "expir" in en.output and not re.search(r"[\u4e00-\u9fff]", en.output)
    assert [amount(3, "points", "zh"), amount(30, "minutes", "zh")] == ["3 积分", "30 分钟"]
    assert amount(3, "points", "en") == "3 points"


def test_help_is_chinese_by_default_and_english_with_lang_en_before_or_after(
        bank_url: str) -> None:
    zh = run(bank_url, "expire", "--help")
    after = run(bank_url, "expire", "--lang", "en", "--help")
    before = run(bank_url, "--lang", "en", "expire", "--help")
    assert "按指定日期处理过期积分" in zh.output and "用法:" in zh.output
    assert "[必填]" in zh.output
    for en in (after, before):
        assert "Post expired points as of a day" in en.output and "Usage:" in en.output
