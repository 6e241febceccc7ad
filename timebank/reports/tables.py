"""Every report as a ``Table`` (headers in English and zh-CN, one row per line), ready
for the CSV and XLSX writers."""

from __future__ import annotations

from functools import singledispatch
from typing import Any

from timebank.io.writers import Table
from timebank.reports.leaderboard import Leaderboard
from timebank.reports.monthly import PeriodReport
from timebank.reports.participation import Participation
from timebank.timeutil import local_text


@singledispatch
def to_table(report: Any, lang: str = "zh") -> Table:
    raise TypeError(f"no table form for {type(report).__name__}")


@to_table.register
def _(report: PeriodReport, lang: str = "zh") -> Table:
    zh = lang.startswith("zh")
    headers = [("rank", "名次"), ("member", "编号"), ("name", "姓名"), ("unit", "所属单元")]
    headers += [(r.name_en, r.name_zh) for r in report.rules]
    headers += [("total", "合计"), ("contributions", "次数")]
    # The exchange's columns only where the period had any, as on the poster.
    swaps = report.exchange.given or report.exchange.received
    if swaps:
        headers += [("minutes_given", "服务他人(分钟)"), ("minutes_received", "获得服务(分钟)")]
    rows: list[list[Any]] = [
        [line.rank, line.member, line.name, line.unit_name or line.unit or "",
         *[line.by_rule.get(r.code, 0) for r in report.rules], line.total,
         line.contributions,
         *([line.minutes_given, line.minutes_received] if swaps else [])]
        for line in report.lines]
    rows.append(["", "", "合计" if zh else "Total", "", *[r.total for r in report.rules],
                 report.total, sum(line.contributions for line in report.lines),
                 *([report.exchange.given, report.exchange.received] if swaps else [])])
    return Table(f"{report.community} {report.period}", tuple(headers), rows)


def unit_totals_table(report: PeriodReport) -> Table:
    return Table(f"{report.community} {report.period} units",
                 (("unit", "单元"), ("name", "名称"), ("members", "人数"), ("total", "合计")),
                 [(u.unit or "", u.name, u.members, u.total) for u in report.units])


@to_table.register
def _(report: Leaderboard, lang: str = "zh") -> Table:
    return Table(f"{report.community} {report.period} top",
                 (("rank", "名次"), ("member", "编号"), ("name", "姓名"), ("unit", "所属单元"),
                  ("total", "积分")),
                 [(line.rank, line.member or "", line.name, line.unit_name or line.unit or "",
                   line.total) for line in report.lines])


@to_table.register
def _(report: Participation, lang: str = "zh") -> Table:
    zh = lang.startswith("zh")
    rows: list[tuple[Any, ...]] = [
        (u.unit or "", u.name, u.eligible, u.participated, f"{u.rate:.1%}")
        for u in report.units]
    rows.append(("", "合计" if zh else "Total", report.eligible, report.participated,
                 report.percent))
    return Table(f"{report.community} {report.period} {report.rule}",
                 (("unit", "单元"), ("name", "名称"), ("eligible", "应参加人数"),
                  ("participated", "参加人数"), ("rate", "参与率")), rows)


def statement_table(statement: Any, lang: str = "zh") -> Table:
    """A member's statement (``Statements.statement``) line by line; times in the
    community's zone, each with its offset."""
    tz = getattr(statement, "timezone", "UTC")
    return Table(
        f"statement {statement.member}",
        (("entry", "分录号"), ("at", "记账时间"), ("occurred_at", "发生时间"),
         ("kind", "类型"), ("amount", "金额"), ("unit", "单位"),
         ("balance_after", "余额"), ("rule", "规则"), ("contribution", "贡献记录"),
         ("approver", "审核人"), ("reason", "事由"), ("reverses", "冲销分录")),
        [(line.entry_id, local_text(line.at, tz), local_text(line.occurred_at, tz),
          line.kind, line.amount, line.unit,
          line.balance_after, line.rule or "", line.contribution or "",
          line.approver or "", line.reason, line.reverses or "")
         for line in statement.lines])
