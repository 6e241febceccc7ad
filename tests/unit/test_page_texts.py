"""The words of the pages, the poster, the certificate and the docs page come from the
message catalogue: every text a person reads is ``translate(msgid, lang)`` of an id the
catalogue translates in both languages, the two languages have the same names, and each
name a template or script reads exists. Only the listed settings (the page's language tag
and the switch to the other language) are kept per language outside the catalogue."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from timebank.i18n import LANGS, has, translate
from timebank.reports import certificate, poster
from webapi import api
from webapi.pages import text

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "webapi" / "pages"
SETTINGS = {"html_lang", "other_lang", "other_code"}


def tables() -> dict[str, tuple[Mapping[str, str], dict[str, dict[str, str]]]]:
    """Each place: its message ids by name and its table of words per language."""
    return {"pages": (text.MESSAGES, text.TEXT),
            "poster": (poster.MESSAGES, {lang: poster.labels(lang) for lang in LANGS}),
            "certificate": (certificate.MESSAGES,
                            {lang: certificate.labels(lang) for lang in LANGS}),
            "docs": (api.DOCS_TEXT, {lang: {name: translate(msgid, lang) for name, msgid
                                           in api.DOCS_TEXT.items()} for lang in LANGS})}


def problems(messages: Mapping[str, str], table: Mapping[str, Mapping[str, str]]) -> list[str]:
    """What is wrong with one place's words: a name in one language only, a text that is
    not the catalogue's translation of its id, an id either catalogue lacks, or a Chinese
    text that is the English one."""
    found = []
    names = {lang: set(table[lang]) - SETTINGS for lang in LANGS}
    for lang in LANGS:
        other = "en" if lang == "zh" else "zh"
        found += [f"{name}: in {lang} only" for name in sorted(names[lang] - names[other])]
        found += [f"{name}: not in the catalogue" for name in sorted(names[lang] - set(messages))]
    for name, msgid in messages.items():
        for lang in LANGS:
            if not has(msgid, lang):
                found.append(f"{name}: {msgid!r} has no {lang} translation")
            elif table[lang].get(name) != translate(msgid, lang):
                found.append(f"{name}: the {lang} text bypasses the catalogue")
        if table["zh"].get(name) == table["en"].get(name):
            found.append(f"{name}: the Chinese text is the English one")
    return found


@pytest.mark.parametrize("place", sorted(tables()))
def test_every_text_is_a_catalogue_translation_in_both_languages(place: str) -> None:
    messages, table = tables()[place]
    assert len(messages) > 5
    assert problems(messages, table) == []
    assert set(table["zh"]) == set(table["en"])
    assert set(table["zh"]) - set(messages) <= SETTINGS


def test_the_check_finds_a_text_kept_outside_the_catalogue() -> None:
    messages = {"sign_in": "Sign in", "gone": "A text no catalogue has"}
    table = {"zh": {"sign_in": "Sign in", "stray": "散落的字", "gone": "x", "html_lang": "zh-CN"},
             "en": {"sign_in": "Sign in", "gone": "x"}}
    assert problems(messages, table) == [
        "stray: in zh only", "stray: not in the catalogue",
        "sign_in: the zh text bypasses the catalogue",
        "sign_in: the Chinese text is the English one",
        "gone: 'A text no catalogue has' has no zh translation",
        "gone: 'A text no catalogue has' has no en translation",
        "gone: the Chinese text is the English one"]


def test_the_settings_are_per_language_and_few() -> None:
    assert {lang: {k: text.TEXT[lang][k] for k in SETTINGS} for lang in LANGS} == {
        "zh": {"html_lang": "zh-CN", "other_lang": "English", "other_code": "en"},
        "en": {"html_lang": "en", "other_lang": "中文", "other_code": "zh"}}
    assert poster.labels("zh")["html_lang"] == certificate.labels("zh")["html_lang"] == "zh-CN"


def used_names(source: str) -> set[str]:
    """The names a template or script reads as ``t.name`` or ``t["name"]``."""
    return set(re.findall(r"\bt\.([a-z_]+)\b", source)) | set(
        re.findall(r"\bt\[\"([a-z_]+)\"\]", source))


@pytest.mark.parametrize("path", sorted(
    [*PAGES.glob("static/*.js"), *PAGES.glob("templates/timebank_pages/*.html")],
    key=str), ids=lambda p: p.name)
def test_every_name_a_page_reads_is_in_its_table(path: Path) -> None:
    used = used_names(path.read_text(encoding="utf-8"))
    assert used
    for lang in LANGS:
        assert used - set(text.TEXT[lang]) == set()


def test_every_name_the_poster_and_the_certificate_read_is_in_their_tables() -> None:
    poster_html = (ROOT / "timebank" / "templates" / "poster.html").read_text(encoding="utf-8")
    certificate_html = Path(certificate.__file__).read_text(encoding="utf-8")
    for used, table in ((used_names(poster_html), poster.labels),
                        (used_names(certificate_html), certificate.labels)):
        assert len(used) > 10
        for lang in LANGS:
            assert used - set(table(lang)) == set()
    assert poster.labels("zh")["more"].format(n=3) == "另有 3 人,详见社区公示名册"
    assert certificate.labels("en")["hours"].format(h="2.5") == "2.5 hours"


def test_the_chinese_words_are_the_ones_people_read() -> None:
    assert text.TEXT["zh"]["desk_title"] == "服务日兑换台"
    assert text.TEXT["en"]["desk_title"] == "Service-day desk"
    assert text.TEXT["zh"]["contribution"] == "贡献记录"
    assert poster.labels("zh")["period"] == "统计期间"
    assert certificate.labels("zh")["period"] == "服务期间"
    assert certificate.labels("zh")["title"] == "志愿服务记录证明"
    assert translate(api.DOCS_TEXT["title"], "zh", title="timebank") == "timebank 接口文档"
