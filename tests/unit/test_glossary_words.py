"""One Chinese word for "contribution": the one docs/glossary.md pairs with it. A zh_CN
translation of a message about contributions that says 服务记录 (the hours on a
certificate), 活动记录 or a bare 贡献 instead fails."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from timebank.i18n import DOMAIN, LOCALE_DIR

GLOSSARY = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"
RIVALS = ("服务记录", "活动记录", "贡献")  # the words the catalogue once mixed


def glossary_word(code: str) -> str:
    """The Chinese term of the glossary row whose code column is exactly ``code``."""
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[2] == f"`{code}`":
            return cells[0]
    raise AssertionError(f"docs/glossary.md has no row for `{code}`")


def strays(entries: list[tuple[str, str]], english: str, word: str) -> list[str]:
    """The (msgid, msgstr) pairs about ``english`` whose translation uses a rival word."""
    rival = re.compile("|".join(RIVALS))
    return [f"{msgid[:60]!r} => {msgstr[:60]!r}" for msgid, msgstr in entries
            if english in msgid.lower() and rival.search(msgstr.replace(word, ""))]


def zh_entries() -> list[tuple[str, str]]:
    with (LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as f:
        return [(m.id, m.string) for m in read_po(f, locale="zh_CN")
                if m.id and isinstance(m.id, str) and isinstance(m.string, str)]


def test_the_glossary_names_one_word_for_contribution() -> None:
    assert glossary_word("contribution") == "贡献记录"


def test_every_chinese_message_about_contributions_uses_the_glossary_word() -> None:
    entries = zh_entries()
    word = glossary_word("contribution")
    assert sum("contribution" in msgid.lower() for msgid, _ in entries) > 20
    assert sum(word in msgstr for msgid, msgstr in entries
               if "contribution" in msgid.lower()) > 20
    assert strays(entries, "contribution", word) == []


def test_the_check_finds_a_rival_word() -> None:
    entries = [("unknown contribution {id}", "找不到服务记录 {id}"),
               ("a year of contributions", "一年的活动记录"),
               ("Rules: what contributions earn.", "各项贡献能得多少分"),
               ("contribution {id} is already {state}", "贡献记录 {id} 已是 {state} 状态"),
               ("Service certificates", "志愿服务记录证明")]
    assert [s.split(" => ")[0] for s in strays(entries, "contribution", "贡献记录")] == [
        "'unknown contribution {id}'", "'a year of contributions'",
        "'Rules: what contributions earn.'"]
