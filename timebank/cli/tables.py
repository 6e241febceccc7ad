"""Tables and lines the office commands print: headers are catalogue ids rendered in the
reader's language, cells are plain text (never rich markup, so a name such as ``[x]``
prints as it is), and an empty listing says so instead of drawing an empty frame.

The console is made when a command prints (not at import), so its width follows the
terminal, or ``COLUMNS`` when the output is not one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from timebank.i18n import N_, translate

__all__ = ["NOTHING", "cell", "line", "per", "show", "unit_name"]

NOTHING = N_("nothing to list.")
UNITS = {"points": N_("points"), "minutes": N_("minutes")}
PER = {"day": N_("{n}/day"), "week": N_("{n}/week"), "month": N_("{n}/month"),
       "quarter": N_("{n}/quarter"), "year": N_("{n}/year")}


def unit_name(unit: str, lang: str) -> str:
    """``points`` / ``minutes`` in ``lang`` (积分 / 分钟)."""
    return translate(UNITS[unit], lang) if unit in UNITS else unit


def per(n: object, period: str, lang: str) -> str:
    """``8/day`` in ``lang`` (每日 8)."""
    return translate(PER[period], lang, n=n) if period in PER else f"{n}/{period}"


def cell(value: Any) -> str:
    """How a value reads in a table: nothing for ``None``, else its text."""
    return "" if value is None else str(value)


def line(lang: str, msgid: str, /, *, err: bool = False, **values: Any) -> None:
    """One sentence (a catalogue id) in ``lang``, printed as plain text."""
    Console(stderr=err, soft_wrap=True).print(translate(msgid, lang, **values), markup=False,
                                              highlight=False)


def show(lang: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
         title: str | None = None, **values: Any) -> int:
    """Print ``rows`` under ``headers`` (catalogue ids) in ``lang``; returns how many rows.
    ``title`` is a catalogue id formatted with ``values``."""
    table = Table(title=translate(title, lang, **values) if title else None)
    for header in headers:
        table.add_column(translate(header, lang), overflow="fold")
    n = 0
    for row in rows:
        table.add_row(*(Text(_localized(v, lang)) for v in row))
        n += 1
    if n == 0:
        if title:
            line(lang, title, **values)
        line(lang, NOTHING)
        return 0
    Console().print(table)
    return n


def _localized(value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return translate(N_("yes"), lang) if value else translate(N_("no"), lang)
    return cell(value)
