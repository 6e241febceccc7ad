"""The catalogues: every message translated in zh_CN and en, the shipped .mo files the
compiled .po files, and every CLI help text in the catalogue."""

from __future__ import annotations

import gettext
import re
import string

import pytest
from babel.messages.pofile import read_po

from timebank.cli import main
from timebank.cli.localized import walk
from timebank.errors import UnknownMember
from timebank.i18n import DOMAIN, LOCALE_DIR, LOCALES, T, normalize, translate

PO = {loc: LOCALE_DIR / loc / "LC_MESSAGES" / f"{DOMAIN}.po" for loc in LOCALES.values()}


def catalog(locale: str):
    with PO[locale].open("rb") as f:
        return read_po(f, locale=locale)


def names(template: str) -> set[str]:
    return {re.split(r"[.\[]", field)[0] for _, field, _, _ in string.Formatter().parse(template)
            if field is not None}


@pytest.mark.parametrize("locale", sorted(PO))
def test_every_message_id_has_a_non_empty_translation_in_both_languages(locale: str) -> None:
    missing = [m.id for m in catalog(locale) if m.id and not str(m.string or "").strip()]
    fuzzy = [m.id for m in catalog(locale) if m.id and m.fuzzy]
    assert not missing and not fuzzy


@pytest.mark.parametrize("locale", sorted(PO))
def test_a_translation_uses_only_the_values_its_id_names(locale: str) -> None:
    wrong = [m.id for m in catalog(locale) if m.id and m.string
             and not names(m.string) <= names(m.id)]
    assert not wrong


@pytest.mark.parametrize("locale", sorted(PO))
def test_the_shipped_mo_file_is_the_compiled_po_file(locale: str) -> None:
    with PO[locale].with_suffix(".mo").open("rb") as f:
        shipped = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    source = {m.id: m.string for m in catalog(locale) if m.id}
    assert {k: v for k, v in shipped.items() if k} == source, \
        "run: python -m timebank.locale compile"


def test_every_help_text_of_the_cli_is_in_the_catalogue() -> None:
    known = {m.id for m in catalog("zh_CN")}
    absent = [f"{where}: {text[:50]!r}" for where, text in walk(main) if text not in known]
    assert not absent, "run: python -m timebank.locale update, then translate"


def test_an_unknown_or_missing_language_is_chinese() -> None:
    assert [normalize(x) for x in ("fr", None, "", "zh-TW", "en-GB", "EN")] == \
        ["zh", "zh", "zh", "zh", "en", "en"]
    assert translate("Not found", "fr") == "未找到"


def test_an_error_renders_in_either_language_and_keeps_english_as_its_message() -> None:
    exc = UnknownMember(T("unknown member {member!r}", member="R-9"), field="member")
    assert exc.message == str(exc) == "unknown member 'R-9'"
    assert exc.render("zh") == "找不到成员 “R-9”"
    assert exc.render("en") == "unknown member 'R-9'"
    assert exc.code == "not_found"


def test_a_plain_english_message_not_yet_in_the_catalogue_stays_english() -> None:
    assert UnknownMember("no such person").render("zh") == "no such person"
