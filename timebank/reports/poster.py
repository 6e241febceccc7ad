"""The notice-board poster (上墙公示): the period report as a printable HTML page, A4 or
A3, zh-CN by default, names masked (张*明)."""

from __future__ import annotations

from datetime import date

import attrs
import jinja2

from timebank.domain.masking import mask_name
from timebank.errors import ValidationError
from timebank.i18n import T
from timebank.reports.monthly import MemberLine, PeriodReport

PAPERS = ("A4", "A3")
LABELS = {
    "zh": {"html_lang": "zh-CN", "rank": "名次", "name": "姓名", "unit": "所属单元",
           "total": "合计", "members": "上榜人数", "period": "统计期间",
           "by_unit": "各单元合计", "no_unit": "未分配单元", "printed": "打印日期",
           "more": "另有 {n} 人,详见社区公示名册",
           "note": "每月统计并上墙公示。如有疑问,请联系社区工作人员。",
           "given": "服务他人(分钟)", "received": "获得服务(分钟)",
           "exchange": "互助:{helpers} 人为邻里服务 {given} 分钟(共 {services} 次),"
                       "参与率 {rate}",
           "month": "{y}年{m}月积分公示", "quarter": "{y}年第{q}季度积分公示",
           "year": "{y}年度积分公示"},
    "en": {"html_lang": "en", "rank": "Rank", "name": "Name", "unit": "Unit",
           "total": "Total", "members": "Members listed", "period": "Period",
           "by_unit": "Totals by unit", "no_unit": "No unit", "printed": "Printed",
           "more": "{n} more members: see the community office's register",
           "note": "Counted monthly and posted publicly. Questions: ask the community office.",
           "given": "Minutes given", "received": "Minutes received",
           "exchange": "Exchange: {helpers} members gave {given} minutes to neighbours "
                       "({services} services), participation {rate}",
           "month": "Points for {y}-{m:02d}", "quarter": "Points for Q{q} {y}",
           "year": "Points for {y}"},
}

_env = jinja2.Environment(loader=jinja2.PackageLoader("timebank", "templates"),
                          autoescape=jinja2.select_autoescape(["html"]),
                          undefined=jinja2.StrictUndefined)


@attrs.frozen
class _Shown:
    rank: int
    shown_name: str
    unit: str
    by_rule: dict[str, int]
    total: int
    given: int = 0
    received: int = 0


def title(report: PeriodReport, lang: str) -> str:
    t = LABELS["zh" if lang.startswith("zh") else "en"]
    year, *rest = report.period.split("-")
    if report.kind == "month":
        return t["month"].format(y=int(year), m=int(rest[0]))
    if report.kind == "quarter":
        return t["quarter"].format(y=int(year), q=int(rest[0][1]))
    return t["year"].format(y=int(year))


def render_poster(report: PeriodReport, *, lang: str = "zh", paper: str = "A4",
                  mask: bool = True, limit: int | None = None,
                  printed: date | None = None) -> str:
    """The poster's HTML. ``limit`` keeps the first lines (by rank)."""
    if paper not in PAPERS:
        raise ValidationError(T("paper must be one of {papers}", papers=', '.join(PAPERS)),
                              field="paper")
    zh = lang.startswith("zh")
    chosen: tuple[MemberLine, ...] = report.lines if limit is None else report.lines[:limit]
    lines = [_Shown(line.rank, mask_name(line.name) if mask else line.name,
                    line.unit_name or line.unit or "", line.by_rule, line.total,
                    line.minutes_given, line.minutes_received)
             for line in chosen]
    swaps = report.exchange
    t = LABELS["zh" if zh else "en"]
    return _env.get_template("poster.html").render(
        report=report, lines=lines, more=len(report.lines) - len(lines), zh=zh,
        t=t, title=title(report, lang), exchange=bool(swaps.given or swaps.received),
        exchange_line=t["exchange"].format(helpers=swaps.helpers, given=swaps.given,
                                           services=swaps.services, rate=f"{swaps.rate:.1%}"),
        community_name=report.community_name, paper=paper,
        orientation="landscape" if len(report.rules) > 6 else "portrait",
        printed=(printed or date.today()).isoformat())
