"""Turning one file row into a checked record, or into problems naming row and column.

Pure work on values (no storage): the importer checks codes against the database in
bulk afterwards, one query per chunk.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from timebank.i18n import T, Text, render
from timebank.io.headers import HeaderMap, Layout

MAX_CODE = 64
_SPLIT = re.compile(r"[;,，；、|]")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_DATETIME = re.compile(
    r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{2,30}$")
_ROLE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
ROLE_NAMES = {"居民": "resident", "志愿者": "volunteer", "党员": "party_member"}


@attrs.frozen
class Problem:
    """What was wrong with one cell (or row, when ``column`` is empty)."""

    row: int
    column: str
    message: str


@attrs.frozen
class MemberRecord:
    row: int
    code: str
    name: str
    phone: str | None
    card: str | None
    roles: tuple[str, ...]
    tags: tuple[str, ...]
    unit: str | None
    teams: tuple[str, ...]


@attrs.frozen
class ContributionRecord:
    row: int
    member: str
    rule: str
    quantity: str | None   # hours for per_hour rules, else items; None: the rule decides
    occurred_on: date | None
    started_at: datetime | None
    ended_at: datetime | None
    note: str
    key: str  # the row key: a re-import of the same row is recognised by it
    period: str | None = None  # per_period rules: the month paid for, 'YYYY-MM'


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as 1001 comes back from XLSX as 1001.0
    return str(value).strip()


class _Row:
    """One row's cells by field, collecting problems as they are found."""

    def __init__(self, layout: Layout, hmap: HeaderMap, number: int,
                 values: Sequence[Any], lang: str) -> None:
        self.layout, self.hmap, self.number, self.values = layout, hmap, number, values
        self.lang = lang
        self.problems: list[Problem] = []

    def raw(self, field: str) -> Any:
        index = self.hmap.positions.get(field)
        if index is None or index >= len(self.values):
            return None
        return self.values[index]

    def column(self, field: str) -> str:
        col = self.layout.column(field)
        return col.zh if self.lang.startswith("zh") else col.en

    def bad(self, field: str, message: str | Text) -> None:
        """A problem with ``field``, its message in the import's language."""
        self.problems.append(Problem(self.number, self.column(field),
                                     render(message, self.lang)))

    def code(self, field: str, required: bool = True) -> str:
        value = text(self.raw(field))
        if not value:
            if required:
                self.bad(field, T("is empty"))
            return ""
        if len(value) > MAX_CODE:
            self.bad(field, T("is longer than {n} characters", n=MAX_CODE))
        return value

    def codes(self, field: str) -> tuple[str, ...]:
        found = tuple(dict.fromkeys(p.strip() for p in _SPLIT.split(text(self.raw(field)))
                                    if p.strip()))
        for code in found:
            if len(code) > MAX_CODE:
                self.bad(field, T("{value}… is longer than {n} characters", value=code[:20],
                                  n=MAX_CODE))
        return found


def member_record(layout: Layout, hmap: HeaderMap, number: int, values: Sequence[Any],
                  lang: str = "en") -> tuple[MemberRecord | None, list[Problem]]:
    row = _Row(layout, hmap, number, values, lang)
    code = row.code("code")
    name = text(row.raw("name"))
    if not name:
        row.bad("name", T("is empty"))
    elif len(name) > 200:
        row.bad("name", T("is longer than {n} characters", n=200))
    phone = text(row.raw("phone")) or None
    if phone is not None and not _PHONE.match(phone):
        row.bad("phone", T("{value!r} is not a phone number", value=phone))
    card = row.code("card", required=False) or None
    roles = []
    for role in row.codes("roles") or ("resident",):
        role = ROLE_NAMES.get(role, role.lower())
        if not _ROLE.match(role):
            row.bad("roles", T("{value!r} is not a role (e.g. resident, volunteer, "
                               "party_member, 居民, 志愿者, 党员)", value=role))
        roles.append(role)
    record = MemberRecord(number, code, name, phone, card, tuple(dict.fromkeys(roles)),
                          row.codes("tags"), row.code("unit", required=False) or None,
                          row.codes("teams"))
    return (None if row.problems else record), row.problems


def _quantity(row: _Row) -> str | None:
    """A positive number as text ("2", "1.5"); None when the cell is empty (the rule
    decides: one item, or the length of a timed activity)."""
    value = row.raw("quantity")
    if value is None or text(value) == "":
        return None
    try:
        number = Decimal(text(value))
    except InvalidOperation:
        row.bad("quantity", T("{value!r} is not a number", value=text(value)))
        return None
    if not number.is_finite() or number <= 0:
        row.bad("quantity", T("{value!r} is not a positive number", value=text(value)))
        return None
    return f"{number.normalize():f}"


def _date(row: _Row, field: str) -> date | None:
    value = row.raw(field)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not text(value):
        return None
    found = _DATE.match(text(value))
    try:
        if found is None:
            raise ValueError
        return date(*(int(g) for g in found.groups()))
    except ValueError:
        row.bad(field, T("{value!r} is not a date (YYYY-MM-DD)", value=text(value)))
        return None


def _datetime(row: _Row, field: str) -> datetime | None:
    value = row.raw(field)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value
    if not text(value):
        return None
    found = _DATETIME.match(text(value))
    try:
        if found is None:
            raise ValueError
        y, mo, d, h, mi, s = found.groups()
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
    except ValueError:
        row.bad(field, T("{value!r} is not a time (YYYY-MM-DD HH:MM)", value=text(value)))
        return None


def _month(row: _Row, field: str) -> str | None:
    """A month as ``YYYY-MM`` from ``2026-04``, ``2026/4``, ``2026年4月`` or a date cell."""
    value = row.raw(field)
    if isinstance(value, date):
        return f"{value:%Y-%m}"
    if not text(value):
        return None
    found = _MONTH.match(text(value))
    if found is None or not 1 <= int(found.group(2)) <= 12:
        row.bad(field, T("{value!r} is not a month (YYYY-MM)", value=text(value)))
        return None
    return f"{int(found.group(1)):04d}-{int(found.group(2)):02d}"


def row_key(community: str, member: str, rule: str, quantity: str | None, occurred_on: date | None,
            started_at: datetime | None, ended_at: datetime | None, note: str,
            explicit: str, period: str | None = None) -> str:
    """``import:<key>`` for an explicit key, else a digest of the row's content, so the
    same row imported twice (from this file or another) is recorded once. A period
    joins the content only when given, so the keys of rows without one never change."""
    if explicit:
        return f"import:{explicit}"
    content = json.dumps([community, member, rule, quantity, occurred_on, started_at,
                          ended_at, note, *([period] if period else [])], default=str,
                         ensure_ascii=False)
    return "import:" + hashlib.sha256(content.encode()).hexdigest()[:40]


def contribution_record(layout: Layout, hmap: HeaderMap, number: int,
                        values: Sequence[Any], community: str = "", lang: str = "en",
                        ) -> tuple[ContributionRecord | None, list[Problem]]:
    row = _Row(layout, hmap, number, values, lang)
    member = row.code("member")
    rule = row.code("rule")
    quantity = _quantity(row)
    occurred_on = _date(row, "occurred_on")
    started_at = _datetime(row, "started_at")
    ended_at = _datetime(row, "ended_at")
    if (started_at is None) != (ended_at is None):
        row.bad("ended_at" if ended_at is None else "started_at",
                T("give both the start and the end time, or neither"))
    elif started_at is not None and ended_at is not None and ended_at <= started_at:
        row.bad("ended_at", T("ends before it starts"))
    if occurred_on is None and started_at is None and not row.problems:
        row.bad("occurred_on", T("give the date (or the start and end times)"))
    if occurred_on is not None and started_at is not None:
        row.bad("occurred_on", T("give the date or the start and end times, not both"))
    note = text(row.raw("note"))
    if len(note) > 500:
        row.bad("note", T("is longer than {n} characters", n=500))
    explicit = text(row.raw("key"))
    if len(explicit) > 150:
        row.bad("key", T("is longer than {n} characters", n=150))
    period = _month(row, "period")
    if row.problems:
        return None, row.problems
    key = row_key(community, member, rule, quantity, occurred_on, started_at, ended_at, note,
                  explicit, period)
    return ContributionRecord(number, member, rule, quantity, occurred_on, started_at,
                              ended_at, note, key, period), []
