"""Report use cases behind ``tb.reports`` (and the HTTP ``/reports/*``): the period
report, the leaderboard and participation rates, and their CSV / XLSX / HTML forms.

Each use case reads one snapshot through ``uow.reports`` (the running totals kept as
awards post, so a report costs a few thousand rows whatever the history's length) and
hands the rows to the pure assembly in ``timebank.reports``.
"""

from __future__ import annotations

import os
from datetime import date
from typing import IO, Any

from timebank.domain.ledger import check_unit
from timebank.errors import NotFound, UnknownRule
from timebank.i18n import T
from timebank.io.exports import write_table
from timebank.io.writers import Table, to_bytes
from timebank.reports.leaderboard import Leaderboard, check_limit, leaderboard
from timebank.reports.masking import mask_board, mask_period
from timebank.reports.monthly import PeriodReport, period_report
from timebank.reports.participation import TARGET, Participation, participation
from timebank.reports.periods import Period, parse_month, parse_period
from timebank.reports.poster import render_poster
from timebank.reports.scope import WHOLE, Child, RuleInfo, Scope, rule_infos
from timebank.reports.tables import statement_table, to_table
from timebank.store.db import Store
from timebank.store.uow import UnitOfWork

# -- use cases: a unit of work and primitives ------------------------------------------------


def scope(uow: UnitOfWork, unit: str | None) -> Scope:
    """The whole community, or org unit ``unit`` (code) and its subtree."""
    if unit is None or unit == "":
        return WHOLE
    found = uow.reports.unit(unit)
    if found is None:
        raise NotFound(T("unknown unit {unit!r}", unit=unit), field="unit")
    unit_id, name, kind, path = found
    return Scope(unit, name, kind, path, unit_id)


def _children(uow: UnitOfWork, where: Scope) -> list[Child]:
    return [Child(*row) for row in uow.reports.child_units(where.unit_id)]


def _rules(uow: UnitOfWork, codes: set[str], on: date) -> dict[str, RuleInfo]:
    return rule_infos(uow.rules.versions(codes), on) if codes else {}


def period_figures(uow: UnitOfWork, when: Period, unit: str | None,
                   ledger_unit: str = "points") -> PeriodReport:
    """Per member: points by rule, total and rank over ``when``, within ``unit``."""
    code = uow.community_code
    assert code is not None
    name = uow.communities.name(code)
    where = scope(uow, unit)
    check_unit(ledger_unit)
    earned = uow.reports.earned(when.months, ledger_unit, where.path)
    totals = uow.reports.member_totals(when.months, ledger_unit, where.path)
    info = _rules(uow, {rule for _, rule, _, _ in earned}, when.last)
    # The exchange moves minutes: a report in points shows it beside them all the same.
    return period_report(code, name, when, where, ledger_unit, earned, totals, info,
                         _children(uow, where), uow.reports.exchanged(when.months, where.path),
                         uow.reports.member_count(where.path))


def masked_figures(uow: UnitOfWork, report: PeriodReport) -> PeriodReport:
    """``report`` as it may be posted: masked names, no codes, buildings not households."""
    return mask_period(report, uow.reports.public_units(
        [line.unit for line in report.lines if line.unit is not None]
        + [u.unit for u in report.units if u.unit is not None]
        + ([report.unit] if report.unit is not None else [])))


def top_members(uow: UnitOfWork, when: Period, unit: str | None, *,
                ledger_unit: str = "points", limit: int = 20,
                mask: bool = True) -> Leaderboard:
    """The ``limit`` members with the most points over ``when``."""
    code = _code(uow)
    where = scope(uow, unit)
    check_unit(ledger_unit)
    check_limit(limit)
    rows = uow.reports.top_earners(when.months, ledger_unit, where.path, limit)
    board = leaderboard(code, when, where, ledger_unit, rows, mask=mask)
    if not mask:
        return board
    return mask_board(board, uow.reports.public_units(
        line.unit for line in board.lines if line.unit is not None))


def participation_rate(uow: UnitOfWork, when: Period, rule: str, unit: str | None, *,
                       target: float = TARGET) -> Participation:
    """Share of the members eligible for ``rule`` who contributed under it in ``when``."""
    code = _code(uow)
    where = scope(uow, unit)
    info = _rules(uow, {rule}, when.last).get(rule)
    if info is None:
        raise UnknownRule(T("unknown rule {rule!r}", rule=rule), field="rule")
    people = uow.reports.people(where.path)
    took = uow.reports.participants(rule, when.months)
    return participation(code, when, where, info, people, took, _children(uow, where),
                         target=target)


def _code(uow: UnitOfWork) -> str:
    """The community's code, after checking it names one."""
    uow.community_id  # noqa: B018 (an unknown community fails here)
    code = uow.community_code
    assert code is not None
    return code


class Reports:
    """Reports for a host: each call reads one consistent snapshot."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def period(self, community: str, period: str, unit: str | None = None, *,
               ledger_unit: str = "points", mask: bool = False) -> PeriodReport:
        """Per member: points by rule, total, rank, for a month ``YYYY-MM``, a quarter
        ``YYYY-Qn`` or a year ``YYYY``, within org unit ``unit`` (code) if given.
        ``mask=True`` gives it as it may be posted: names masked (张*明), no member
        codes, and a household's members under its building."""
        when = parse_period(period)
        with self.store.reading(community) as uow:
            report = period_figures(uow, when, unit, ledger_unit)
            return masked_figures(uow, report) if mask else report

    def monthly(self, community: str, month: str, unit: str | None = None, *,
                ledger_unit: str = "points", mask: bool = False) -> PeriodReport:
        """The month's report (每月统计): ``month`` is ``YYYY-MM``; ``mask`` as for
        ``period``."""
        parse_month(month)
        return self.period(community, month, unit, ledger_unit=ledger_unit, mask=mask)

    def leaderboard(self, community: str, period: str, unit: str | None = None, *,
                    limit: int = 20, mask: bool = True,
                    ledger_unit: str = "points") -> Leaderboard:
        """The ``limit`` members with the most points in ``period`` (YYYY, YYYY-Qn or
        YYYY-MM); names masked and codes left out unless ``mask=False``."""
        when = parse_period(period)
        with self.store.reading(community) as uow:
            return top_members(uow, when, unit, ledger_unit=ledger_unit, limit=limit, mask=mask)

    def participation(self, community: str, month: str, rule: str,
                      unit: str | None = None, *, target: float = TARGET) -> Participation:
        """Share of the members eligible for ``rule`` who contributed under it in
        ``month`` (or any period form), with a breakdown by the units below ``unit``."""
        when = parse_period(month, "month")
        with self.store.reading(community) as uow:
            return participation_rate(uow, when, rule, unit, target=target)

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
