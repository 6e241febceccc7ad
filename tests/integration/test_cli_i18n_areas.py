"""One representative CLI message per area in zh-CN (the default) and in English with
``--lang en``: a bad rulebook, claiming one's own request, a certificate for an empty
period, import rows, ``expire`` and one of click's own errors. The error code in the line
and the exit status do not change with the language. Both engines."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from timebank import Timebank
from timebank.cli import main

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH = re.compile(r"\b(the|is|are|not|no|cannot|may|has|of|for|to|a|row|member|"
                     r"expired?|points)\b")
CODE = {"zh": re.compile(r"错误\((\w+)\):"), "en": re.compile(r"error \((\w+)\): ")}
BAD_BOOK = """[rulebook]
name = "bad"

[[rules]]
code = "walk"
name_zh = "散步"
basis = "per_hour"
rate = 5

[rules.caps]
day = 1
"""


@pytest.fixture
def url(migrated_url: str) -> str:
    """``sjhy`` (red_vest) and ``lyxq``: members m1..m3; 100 points of each community's m1
    earned in January 2024 expire after 12 months; sjhy's m1 holds 300 minutes."""
    bank = Timebank(migrated_url)
    for code in ("sjhy", "lyxq"):
        bank.communities.create(code, "世纪花园社区", rulebook="red_vest")
        for i in range(1, 4):
            bank.members.add(code, f"m{i}", f"居民{i}")
        bank.communities.update_settings(code, {"expiry": {"policy": "months", "months": 12}})
        bank.ledger.award(code, "m1", 100, key=f"old-{code}",
                          occurred_at=datetime(2024, 1, 15, 4))
    bank.ledger.award("sjhy", "m1", 300, unit="minutes", key="min-m1")
    bank.close()
    return migrated_url


def run(url: str, lang: str | None, *args: str) -> Result:
    chosen = ["--lang", lang] if lang else []
    return CliRunner().invoke(main, ["--db", url, *chosen, *args],
                              env={"TIMEBANK_LANG": "", "LANG": ""})


def flat(done: Result) -> str:
    """The output without the line breaks the console adds at 80 columns."""
    return done.output.replace("\n", "")


def both(url: str, *args: str, status: int) -> tuple[str, str]:
    """The same command by default and with --lang en; one error code and exit status,
    Chinese without English words, English without Chinese characters."""
    zh, en = run(url, None, *args), run(url, "en", *args)
    assert (zh.exit_code, en.exit_code) == (status, status), (zh.output, en.output)
    zh_codes, en_codes = CODE["zh"].findall(zh.output), CODE["en"].findall(en.output)
    assert zh_codes == en_codes
    assert CJK.search(zh.output) and not CJK.search(en.output), en.output
    return flat(zh), flat(en)


def chinese_only(text: str, *allowed: str) -> bool:
    for word in allowed:
        text = text.replace(word, "")
    return not ENGLISH.search(text)


def test_a_bad_rulebook_is_refused_in_either_language(url: str, tmp_path: Path) -> None:
    book = tmp_path / "bad.toml"
    book.write_text(BAD_BOOK, encoding="utf-8")
    zh, en = both(url, "rulebook", "install", str(book), "--community", "sjhy", status=2)
    assert "错误(validation_error):" in zh and "上限 1 低于计分标准 5" in zh
    assert "error (validation_error): " in en and "cap 1 is below the rate 5" in en
    assert "caps.day" in zh and "caps.day" in en  # the field is named the same
    assert "规则 'walk'(rules[0])" in zh and "rule 'walk'" not in zh  # the place too
    assert "rule 'walk' (rules[0])" in en


def test_claiming_ones_own_request_is_refused_in_either_language(url: str) -> None:
    posted = run(url, None, "request", "post", "--community", "sjhy", "--member", "m1",
                 "--title", "买菜", "--category", "errands", "--minutes", "30")
    assert posted.exit_code == 0, posted.output
    rid = re.search(r"#(\d+)", posted.output)
    assert rid is not None
    zh, en = both(url, "request", "claim", rid.group(1), "--community", "sjhy",
                  "--member", "m1", status=2)
    assert zh.strip() == "错误(forbidden):成员不能接自己发布的需求"
    assert en.strip() == "error (forbidden): a member cannot claim their own request"


def test_a_certificate_for_an_empty_period_is_refused_in_either_language(url: str) -> None:
    zh, en = both(url, "certificate", "issue", "m1", "--community", "sjhy",
                  "--from", "2025-06-01", "--to", "2025-06-30", status=2)
    assert "错误(validation_error):" in zh and "零时长不出具证明" in zh
    assert chinese_only(zh, "validation_error", "m1")
    assert "no certificate is issued for zero hours" in en


def test_import_rows_are_reported_whole_in_one_language(url: str, tmp_path: Path) -> None:
    members = tmp_path / "members.csv"
    members.write_text("编号,姓名,所属单元\nR-4,张三,\nR-5,,nowhere\n", encoding="utf-8")
    zh, en = both(url, "import", "members", str(members), "--community", "sjhy", status=1)
    assert "第 3 行 [姓名]:为空" in zh and chinese_only(zh, "--skip-bad-rows")
    assert "row 3 [name]: is empty" in en
    sheet = tmp_path / "contributions.csv"
    sheet.write_text("成员编号,积分规则,数量,日期\nR9,patrol,1,2025-03-01\n", encoding="utf-8")
    zh, en = both(url, "import", "contributions", str(sheet), "--community", "sjhy",
                  status=1)
    assert "第 2 行 [成员编号]:找不到成员 “R9”" in zh
    assert chinese_only(zh, "--skip-bad-rows", "R9")
    assert "row 2 [member]: unknown member 'R9'" in en


def test_expire_reports_in_one_language_with_the_unit_in_it(url: str) -> None:
    zh = run(url, None, "expire", "--as-of", "2025-02-01", "--community", "sjhy")
    en = run(url, "en", "expire", "--as-of", "2025-02-01", "--community", "lyxq")
    assert zh.exit_code == en.exit_code == 0, (zh.output, en.output)
    assert "1 名成员在 2024-02-01 之前获得的 100 积分 已过期" in flat(zh)
    assert chinese_only(zh.output, "sjhy")
    assert "expired 100 points from 1 member(s) earned before 2024-02-01" in flat(en)
    assert not CJK.search(en.output)


def test_a_missing_option_found_by_click_is_reported_in_either_language(url: str) -> None:
    zh, en = both(url, "certificate", "issue", "m1", "--community", "sjhy",
                  "--from", "2025-06-01", status=2)
    assert "错误:缺少选项 '--to'。" in zh and "Error: Missing option '--to'." in en
    assert chinese_only(zh, "certificate issue", "[OPTIONS] MEMBER", "--help", "'--to'")
