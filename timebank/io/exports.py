"""Exports that stream straight from the database: the ledger (every entry with its
postings) and any report, as CSV or XLSX.

The ledger is read with a server-side cursor in the community's time zone, so exporting
a million postings holds one batch of rows in memory, never the whole history.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import IO, Any

import sqlalchemy as sa

from timebank.errors import ValidationError
from timebank.io.writers import Table, write_csv, write_xlsx
from timebank.store import legacy as books
from timebank.store.db import Store
from timebank.store.tables import accounts, entries, members, postings
from timebank.timeutil import start_of_day_utc, zone

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
        raise ValidationError(f"format must be one of {', '.join(FORMATS)}", field="format")
    return fmt


def write_table(table: Table, target: str | os.PathLike[str] | IO[bytes], fmt: str, *,
                lang: str = "zh") -> int:
    if check_format(fmt) == "xlsx":
        return write_xlsx(table, target, lang=lang)
    return write_csv(table, target, lang=lang)


def _local(moment: datetime, tz: Any) -> str:
    return moment.replace(tzinfo=UTC).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def export_ledger(store: Store, community: str, target: str | os.PathLike[str] | IO[bytes],
                  fmt: str = "csv", *, since: date | None = None, until: date | None = None,
                  lang: str = "zh") -> int:
    """Write every posting of the community's entries (optionally those that occurred
    on local days ``since`` … ``until``, inclusive); returns the rows written."""
    check_format(fmt)
    with store.read() as conn:
        comm = books.community(conn, community)
        tz = zone(comm.timezone)
        query = (
            sa.select(entries.c.id, entries.c.seq, entries.c.occurred_at,
                      entries.c.recorded_at, entries.c.kind, members.c.code,
                      accounts.c.system, members.c.name, accounts.c.unit, postings.c.amount,
                      postings.c.balance_after, entries.c.reason, entries.c.actor,
                      entries.c.reverses_id, entries.c.meta)
            .select_from(entries.join(postings, postings.c.entry_id == entries.c.id)
                         .join(accounts, accounts.c.id == postings.c.account_id)
                         .outerjoin(members, members.c.id == accounts.c.member_id))
            .where(entries.c.community_id == comm.id)
            .order_by(entries.c.seq, postings.c.id))
        if since is not None:
            query = query.where(entries.c.occurred_at >= start_of_day_utc(since, comm.timezone))
        if until is not None:
            end = start_of_day_utc(date.fromordinal(until.toordinal() + 1), comm.timezone)
            query = query.where(entries.c.occurred_at < end)
        result = conn.execution_options(yield_per=2_000).execute(query)

        def rows() -> Iterator[tuple[Any, ...]]:
            for r in result:
                meta = r.meta or {}
                yield (r.id, r.seq, _local(r.occurred_at, tz), _local(r.recorded_at, tz),
                       r.kind, r.code if r.code is not None else f"system:{r.system}",
                       r.name or "", r.unit, r.amount, r.balance_after, r.reason, r.actor,
                       r.reverses_id or "", meta.get("rule", ""),
                       meta.get("contribution", ""))

        title = f"ledger {community}"
        return write_table(Table(title, LEDGER_HEADERS, rows()), target, fmt, lang=lang)
