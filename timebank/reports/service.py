"""``Reports``: the use cases behind ``tb.reports`` (and the HTTP ``/reports/*``)."""

from __future__ import annotations

import os
from datetime import date
from typing import IO, Any

from timebank.io.exports import write_table
from timebank.io.writers import Table, to_bytes
from timebank.reports.leaderboard import Leaderboard, leaderboard
from timebank.reports.monthly import PeriodReport, period_report
from timebank.reports.participation import TARGET, Participation, participation
from timebank.reports.periods import parse_month, parse_period
from timebank.reports.poster import render_poster
from timebank.reports.scope import scope
from timebank.reports.tables import statement_table, to_table
from timebank.store import legacy as books
from timebank.store.db import Store
from timebank.store.tables import communities


class Reports:
    def __init__(self, store: Store) -> None:
        self.store = store

    def period(self, community: str, period: str, unit: str | None = None, *,
               ledger_unit: str = "points") -> PeriodReport:
        """Per member: points by rule, total, rank, for a month ``YYYY-MM``, a quarter
        ``YYYY-Qn`` or a year ``YYYY``, within org unit ``unit`` (code) if given."""
        when = parse_period(period)
        with self.store.read() as conn:
            comm = books.community(conn, community)
            name = conn.execute(communities.select().with_only_columns(communities.c.name)
                                .where(communities.c.id == comm.id)).scalar_one()
            return period_report(conn, comm, name, when, scope(conn, comm.id, unit),
                                 ledger_unit)

    def monthly(self, community: str, month: str, unit: str | None = None, *,
                ledger_unit: str = "points") -> PeriodReport:
        """The month's report (每月统计): ``month`` is ``YYYY-MM``."""
        parse_month(month)
        return self.period(community, month, unit, ledger_unit=ledger_unit)

    def leaderboard(self, community: str, period: str, unit: str | None = None, *,
                    limit: int = 20, mask: bool = True,
                    ledger_unit: str = "points") -> Leaderboard:
        """The ``limit`` members with the most points in ``period`` (YYYY, YYYY-Qn or
        YYYY-MM); names masked and codes left out unless ``mask=False``."""
        when = parse_period(period)
        with self.store.read() as conn:
            comm = books.community(conn, community)
            return leaderboard(conn, comm, when, scope(conn, comm.id, unit),
                               ledger_unit=ledger_unit, limit=limit, mask=mask)

    def participation(self, community: str, month: str, rule: str,
                      unit: str | None = None, *, target: float = TARGET) -> Participation:
        """Share of the members eligible for ``rule`` who contributed under it in
        ``month`` (or any period form), with a breakdown by the units below ``unit``."""
        when = parse_period(month, "month")
        with self.store.read() as conn:
            comm = books.community(conn, community)
            return participation(conn, comm, when, scope(conn, comm.id, unit), rule,
                                 target=target)

    # -- formats ------------------------------------------------------------------------

    @staticmethod
    def table(report: Any, lang: str = "zh") -> Table:
        return to_table(report, lang)

    @staticmethod
    def to_csv(report: Any, lang: str = "zh") -> bytes:
        """The report as CSV bytes (UTF-8 with BOM, so Excel shows Chinese right)."""
        return to_bytes(to_table(report, lang), "csv", lang=lang)

    @staticmethod
    def to_xlsx(report: Any, lang: str = "zh") -> bytes:
        return to_bytes(to_table(report, lang), "xlsx", lang=lang)

    @staticmethod
    def poster(report: PeriodReport, *, lang: str = "zh", paper: str = "A4",
               mask: bool = True, limit: int | None = None,
               printed: date | None = None) -> str:
        """The printable notice-board page (HTML, A4 or A3)."""
        return render_poster(report, lang=lang, paper=paper, mask=mask, limit=limit,
                             printed=printed)

    @staticmethod
    def write(report: Any, target: str | os.PathLike[str] | IO[bytes], fmt: str,
              lang: str = "zh") -> int:
        return write_table(to_table(report, lang), target, fmt, lang=lang)

    @staticmethod
    def statement_table(statement: Any, lang: str = "zh") -> Table:
        return statement_table(statement, lang)
