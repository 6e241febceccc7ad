"""Messages in the reader's language: zh-CN first, English second.

The catalogues are gettext files under ``timebank/locale/<zh_CN|en>/LC_MESSAGES/``; the
message id is the English text (a ``str.format`` template). The compiled ``.mo`` files
are committed and shipped with the package, so nothing is compiled at run time (an
installed package may sit on a read-only disk, and Babel stays a development tool);
``tests/unit/test_i18n.py`` fails when a ``.mo`` no longer matches its ``.po`` or when
a message lacks a translation. ``python -m timebank.locale update`` re-extracts the
ids, ``python -m timebank.locale compile`` rebuilds the ``.mo`` files.

The library never picks a language itself: errors carry a :class:`Text` (id + values)
and the caller, the CLI (``--lang``) or the web layer (``Accept-Language``), renders it.
An unknown language is zh-CN, without an error.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path
from typing import Any

LANGS = ("zh", "en")
DEFAULT = "zh"
LOCALES = {"zh": "zh_CN", "en": "en"}
TAGS = {"zh": "zh-CN", "en": "en"}
DOMAIN = "timebank"
LOCALE_DIR = Path(__file__).parent / "locale"


def N_(msgid: str) -> str:
    """Marks a message id for extraction; translated later, where the language is known."""
    return msgid


def normalize(lang: str | None) -> str:
    """``zh`` or ``en`` for a tag such as ``en-US``, ``zh_CN.UTF-8`` or ``zh-Hans``;
    anything else (or nothing) is the default, zh-CN."""
    lowered = (lang or "").strip().lower()
    if lowered.startswith("en"):
        return "en"
    return DEFAULT


@cache
def catalogue(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[LOCALES[normalize(lang)]],
                               fallback=True)


def has(msgid: str, lang: str) -> bool:
    """Whether ``msgid`` has a translation in ``lang``'s catalogue."""
    return msgid in getattr(catalogue(lang), "_catalog", {})


def translate(msgid: str, lang: str | None, /, **params: Any) -> str:
    """``msgid`` in ``lang``, formatted with ``params``. A missing translation, or one
    whose placeholders do not fit, falls back to the English id: a reader gets a
    sentence, never a traceback."""
    found = catalogue(normalize(lang)).gettext(msgid)
    for template in (found, msgid):
        try:
            return template.format(**params) if params else template
        except (KeyError, IndexError, ValueError, AttributeError):
            continue
    return msgid


class Text:
    """A message id and its values, rendered later in the caller's language; ``str()``
    is the English text."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, /, **params: Any) -> None:
        self.msgid = msgid
        self.params = params

    def render(self, lang: str | None) -> str:
        """The text in ``lang``; a value that is itself a :class:`Text` (the problem
        inside ``"{where}: {field} {what}"``) is rendered in the same language."""
        return translate(self.msgid, lang, **{
            name: value.render(lang) if isinstance(value, Text) else value
            for name, value in self.params.items()})

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        return f"Text({self.msgid!r}, **{self.params!r})"


def T(msgid: str, /, **params: Any) -> Text:
    """``raise UnknownMember(T("unknown member {member!r}", member=code), field="member")``."""
    return Text(msgid, **params)


def render(message: str | Text, lang: str | None) -> str:
    return message.render(lang) if isinstance(message, Text) else message
