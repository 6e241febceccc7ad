"""Names masked for public posting on the notice board (上墙公示).

Chinese names keep the family name and, for three or more characters, the last
character: 张三明 → 张*明, 王五 → 王*, 欧阳小明 → 欧**明; a one-character name gets a
star too (王 → 王*), so a posted name never shows a whole name. Latin names keep each word's
first letter: "Li Wei" → "L*** W**", so neighbours recognise themselves but a stranger
learns little. Masking is pure text work: no storage, no framework.
"""

from __future__ import annotations

import unicodedata

MASK = "*"

# Two-character family names (复姓) are kept whole, as people read them as one name.
COMPOUND_SURNAMES = frozenset({
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
    "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "西门", "南宫", "独孤", "呼延",
})


def _is_cjk(char: str) -> bool:
    return unicodedata.name(char, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY"))


def mask_name(name: str | None) -> str:
    """The name as it may be posted publicly; empty input gives ``*``."""
    text = (name or "").strip()
    if not text:
        return MASK
    if any(_is_cjk(c) for c in text):
        return _mask_cjk(text.replace(" ", ""))
    words = text.split()
    if len(words) == 1 and len(words[0]) == 1:
        return words[0] + MASK  # "X" → "X*", as 王 → 王*
    return " ".join(_mask_word(word) for word in words)


def _mask_cjk(text: str) -> str:
    if len(text) <= 2:
        return text[0] + MASK
    surname = text[:2] if text[:2] in COMPOUND_SURNAMES and len(text) > 3 else text[0]
    hidden = len(text) - len(surname) - 1
    return surname + MASK * hidden + text[-1]


def _mask_word(word: str) -> str:
    # "Mary-Jane" → "M***-J***": each hyphenated part keeps its initial.
    if "-" in word.strip("-"):
        return "-".join(_mask_word(part) for part in word.split("-"))
    if len(word) <= 1:
        return word
    return word[0] + MASK * (len(word) - 1)
