"""The notice-board poster (上墙公示): the period report as a printable HTML page, A4 or
A3, zh-CN by default, names masked (张*明)."""

from __future__ import annotations

from datetime import date

import attrs
import jinja2

from timebank.domain.masking import mask_name
from timebank.errors import ValidationError
from timebank.i18n import N_, T, translate
from timebank.reports.monthly import MemberLine, PeriodReport

PAPERS = ("A4", "A3")
# The poster's words, in the catalogue by the names the template uses; the English text
# is the message id.
MESSAGES = {
    "rank": N_("Rank"), "name": N_("Name"), "unit": N_("Unit"), "total": N_("Total"),
    "members": N_("Members listed"), "period": N_("Reporting period"),
    "by_unit": N_("Totals by unit"), "no_unit": N_("No unit"), "printed": N_("Printed"),
    "more": N_("{n} more members: see the community office's register"),
    "note": N_("Counted monthly and posted publicly. Questions: ask the community office."),
    "given": N_("Minutes given"), "received": N_("Minutes received"),
    "exchange": N_("Exchange: {helpers} members gave {given} minutes to neighbours "
                   "({services} services), participation {rate}"),
    "month": N_("Points for {y}-{m:02d}"), "quarter": N_("Points for Q{q} {y}"),
    "year": N_("Points for {y}"),
}
HTML_LANG = {"zh": "zh-CN", "en": "en"}


def labels(lang: str) -> dict[str, str]:
    """The poster's words in ``lang`` (templates with ``{...}`` left to fill)."""
    lang = "zh" if lang.startswith("zh") else "en"
    return {"html_lang": HTML_LANG[lang],
            **{name: translate(msgid, lang) for name, msgid in MESSAGES.items()}}


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
    lang = "zh" if lang.startswith("zh") else "en"
    year, *rest = report.period.split("-")
    if report.kind == "month":
        return translate(MESSAGES["month"], lang, y=int(year), m=int(rest[0]))
    if report.kind == "quarter":
        return translate(MESSAGES["quarter"], lang, y=int(year), q=int(rest[0][1]))
    return translate(MESSAGES["year"], lang, y=int(year))


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
    rate = f"{swaps.rate:.1%}"
    t = labels(lang)
    return _env.get_template("poster.html").render(
        report=report, lines=lines, more=len(report.lines) - len(lines), zh=zh,
        t=t, title=title(report, lang), exchange=bool(swaps.given or swaps.received),
        exchange_line=translate(MESSAGES["exchange"], lang, helpers=swaps.helpers,
                                given=swaps.given, services=swaps.services, rate=rate),
        community_name=report.community_name, paper=paper,
        orientation="landscape" if len(report.rules) > 6 else "portrait",
        printed=(printed or date.today()).isoformat())
