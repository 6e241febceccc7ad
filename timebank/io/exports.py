"""Exports that stream straight from the database: the ledger (every entry with its
postings) and any report, as CSV or XLSX.

The ledger is read with a server-side cursor in the community's time zone, so exporting
a million postings holds one batch of rows in memory, never the whole history.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO, Any

from timebank.errors import ValidationError
from timebank.i18n import T
from timebank.io.writers import Table, write_csv, write_xlsx
from timebank.store.db import Store
from timebank.timeutil import local_text, start_of_day_utc, zone

FORMATS = ("csv", "xlsx")
LEDGER_HEADERS = (
    ("entry", "分录号"), ("seq", "序号"), ("occurred_at", "发生时间"),
    ("recorded_at", "记账时间"), ("kind", "类型"), ("account", "账户"),
    ("name", "姓名"), ("unit", "单位"), ("amount", "金额"),
    ("balance_after", "余额"), ("reason", "事由"), ("actor", "经办人"),
    ("reverses", "冲销分录"), ("rule", "规则"), ("contribution", "贡献记录"),
)


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationError(T("format must be one of {formats}", formats=', '.join(FORMATS)),
                              field="format")
    return fmt


def write_table(table: Table, target: str | os.PathLike[str] | IO[bytes], fmt: str, *,
                lang: str = "zh") -> int:
    if check_format(fmt) == "xlsx":
        return write_xlsx(table, target, lang=lang)
    return write_csv(table, target, lang=lang)


def _local(moment: datetime, tz: Any) -> str:
    return local_text(moment, tz)


def export_ledger(store: Store, community: str, target: str | os.PathLike[str] | IO[bytes],
                  fmt: str = "csv", *, since: date | None = None, until: date | None = None,
                  lang: str = "zh") -> int:
    """Write every posting of the community's entries (optionally those that occurred
    on local days ``since`` … ``until``, inclusive); returns the rows written."""
    check_format(fmt)
    with store.reading(community) as uow:
        comm = uow.community
        tz = zone(comm.timezone)
        start = None if since is None else start_of_day_utc(since, comm.timezone)
        end = None if until is None else start_of_day_utc(
            date.fromordinal(until.toordinal() + 1), comm.timezone)
        lines = uow.reports.ledger_lines(start, end)

        def rows() -> Iterator[tuple[Any, ...]]:
            for (entry, seq, occurred_at, recorded_at, kind, code, system, name, unit,
                 amount, balance_after, reason, actor, reverses, rule,
                 contribution) in lines:
                yield (entry, seq, _local(occurred_at, tz), _local(recorded_at, tz), kind,
                       code if code is not None else f"system:{system}", name or "", unit,
                       amount, balance_after, reason, actor, reverses or "", rule,
                       contribution)

        title = f"ledger {community}"
        return write_table(Table(title, LEDGER_HEADERS, rows()), target, fmt, lang=lang)
