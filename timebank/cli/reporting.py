"""``report`` and ``member``: the month's figures for the notice board, and looking
members up or adding them at the desk.

``timebank report monthly --community sjhy --month 2024-03 --format html -o poster.html``
prints the poster; without ``--format`` the report is shown as a table.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table as RichTable

from timebank.cli.main import db_option, main, open_bank
from timebank.cli.messages import pick_lang, say
from timebank.i18n import N_, translate
from timebank.reports.periods import parse_month
from timebank.reports.tables import to_table

out = Console()
F = TypeVar("F", bound=Callable[..., Any])


def common(fn: F) -> F:
    """``--db`` (as on the root group) and ``--lang`` on every command of these groups."""
    fn = click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
                      help="Language of headers and messages (default: LANG, else zh).")(fn)
    return db_option(fn)  # type: ignore[no-any-return]


def emit(report: Any, fmt: str | None, output: Path | None, lang: str, bank: Any,
         poster: Callable[[], str] | None = None) -> None:
    """Show ``report`` as a table, or write it as csv / xlsx / html to a file or stdout."""
    if fmt is None and output is not None:
        fmt = output.suffix.lstrip(".").lower() or "csv"
    if fmt is None:
        _show(report, lang)
        return
    if fmt == "html":
        if poster is None:
            raise click.UsageError(translate(N_("html is only for the monthly report (the "
                                                "poster)"), lang))
        html = poster()
        if output is None:
            click.echo(html)
        else:
            output.write_text(html, encoding="utf-8")
            out.print(say("poster_written", lang, path=output))
        return
    if fmt not in ("csv", "xlsx"):
        raise click.UsageError(translate(N_("unknown format {fmt!r}: csv, xlsx or html"), lang,
                                         fmt=fmt))
    if output is None:
        if fmt == "xlsx":
            raise click.UsageError(say("xlsx_needs_output", lang))
        bank.reports.write(report, sys.stdout.buffer, "csv", lang)
        return
    rows = bank.reports.write(report, output, fmt, lang)
    out.print(say("written", lang, rows=rows, path=output))


def _show(report: Any, lang: str) -> None:
    table = to_table(report, lang)
    rows = list(table.rows)
    if len(rows) <= 1 and not getattr(report, "lines", rows):
        out.print(say("nobody", lang))
        return
    shown = RichTable(title=table.title)
    for name in table.header_row(lang):
        shown.add_column(name)
    for row in rows:
        shown.add_row(*("" if v is None else str(v) for v in row))
    out.print(shown)


FORMAT = click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "html"]),
                      default=None, help="Write csv, xlsx or (monthly) a printable html poster.")
OUTPUT = click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
                      default=None, help="File to write (default: show or print to stdout).")
COMMUNITY = click.option("--community", "community", required=True, help="Community code.")
UNIT = click.option("--unit", default=None, help="Only members under this org unit (code).")


@main.group()
def report() -> None:
    """Reports: monthly figures, leaderboards, participation rates (报表)."""


@report.command("monthly")
@COMMUNITY
@click.option("--month", required=True, help="The month, YYYY-MM.")
@UNIT
@FORMAT
@OUTPUT
@click.option("--paper", type=click.Choice(["A4", "A3"]), default="A4", show_default=True,
              help="Paper size of the html poster.")
@click.option("--no-mask", is_flag=True, help="Print full names on the poster.")
@click.option("--limit", type=click.IntRange(1), default=None,
              help="Poster: only the first N lines.")
@click.option("--ledger-unit", type=click.Choice(["points", "minutes"]), default="points",
              show_default=True, help="Which balance the report counts.")
@common
@click.pass_context
def report_monthly(ctx: click.Context, community: str, month: str, unit: str | None,
                   fmt: str | None, output: Path | None, paper: str, no_mask: bool,
                   limit: int | None, ledger_unit: str,
                   lang: str | None) -> None:
    """Points per member by rule, total and rank for one month (每月统计并上墙公示)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    parse_month(month)
    bank = open_bank(ctx)
    result = bank.reports.monthly(community, month=month, unit=unit, ledger_unit=ledger_unit)
    emit(result, fmt, output, lang, bank, lambda: bank.reports.poster(
        result if no_mask else bank.reports.monthly(
            community, month=month, unit=unit, ledger_unit=ledger_unit, mask=True),
        lang=lang, paper=paper, mask=not no_mask, limit=limit))


@report.command("period")
@COMMUNITY
@click.option("--period", required=True, help="YYYY-MM, YYYY-Qn or YYYY.")
@UNIT
@FORMAT
@OUTPUT
@click.option("--paper", type=click.Choice(["A4", "A3"]), default="A4", show_default=True,
              help="Paper size of the html poster.")
@common
@click.pass_context
def report_period(ctx: click.Context, community: str, period: str, unit: str | None,
                  fmt: str | None, output: Path | None, paper: str,
                  lang: str | None) -> None:
    """The same report for a quarter (2024-Q1) or a year (2024)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    bank = open_bank(ctx)
    result = bank.reports.period(community, period, unit)
    emit(result, fmt, output, lang, bank, lambda: bank.reports.poster(
        bank.reports.period(community, period, unit, mask=True), lang=lang, paper=paper))


@report.command("leaderboard")
@COMMUNITY
@click.option("--period", required=True, help="YYYY-MM, YYYY-Qn or YYYY.")
@UNIT
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="How many members to list.")
@click.option("--no-mask", is_flag=True, help="Show full names and member codes.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="Write csv or xlsx (default: show a table).")
@OUTPUT
@common
@click.pass_context
def report_leaderboard(ctx: click.Context, community: str, period: str, unit: str | None,
                       limit: int, no_mask: bool, fmt: str | None, output: Path | None,
                       lang: str | None) -> None:
    """The members with the most points; names masked (张*明) unless --no-mask."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    bank = open_bank(ctx)
    emit(bank.reports.leaderboard(community, period=period, unit=unit, limit=limit,
                                  mask=not no_mask), fmt, output, lang, bank)


@report.command("participation")
@COMMUNITY
@click.option("--month", required=True, help="YYYY-MM (or YYYY-Qn, YYYY).")
@click.option("--rule", required=True, help="The rule's code, e.g. study_day.")
@UNIT
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="Write csv or xlsx (default: show a table).")
@OUTPUT
@common
@click.pass_context
def report_participation(ctx: click.Context, community: str, month: str, rule: str,
                         unit: str | None, fmt: str | None, output: Path | None,
                         lang: str | None) -> None:
    """Share of eligible members who took part under a rule (参学率), by unit."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    bank = open_bank(ctx)
    result = bank.reports.participation(community, month=month, rule=rule, unit=unit)
    if fmt is None and output is None:
        name = result.rule_name_zh if lang == "zh" else result.rule_name_en
        out.print(say("participation", lang, rule=name, eligible=result.eligible,
                      participated=result.participated, percent=result.percent,
                      verdict=say("met" if result.met else "not_met", lang),
                      target=f"{result.target:.0%}"))
    emit(result, fmt, output, lang, bank)


# -- members at the desk -------------------------------------------------------------------


@main.group()
def member() -> None:
    """Members (成员): add one, or look one up by code, card or phone."""


@member.command("add")
@click.argument("code")
@COMMUNITY
@click.option("--name", required=True, help="Full name, e.g. 张三明.")
@click.option("--phone", default=None, help="Phone number.")
@click.option("--card", default=None, help="Member card code.")
@click.option("--role", "roles", multiple=True,
              help="resident, volunteer, party_member (repeat for several).")
@click.option("--tag", "tags", multiple=True, help="e.g. low_income (repeatable).")
@click.option("--unit", default=None, help="The unit (household, building…) lived in.")
@click.option("--team", "teams", multiple=True, help="A team's code (repeatable).")
@common
@click.pass_context
def member_add(ctx: click.Context, code: str, community: str, name: str, phone: str | None,
               card: str | None, roles: tuple[str, ...], tags: tuple[str, ...],
               unit: str | None, teams: tuple[str, ...],
               lang: str | None) -> None:
    """Add member CODE to a community."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    bank = open_bank(ctx)
    added = bank.members.add(community, code, name, phone=phone, card=card,
                             roles=roles or ("resident",), tags=tags, unit=unit, teams=teams)
    out.print(say("member_added", lang, code=added.code, name=added.name))


MEMBER_LINES = (N_("code: {value}"), N_("name: {value}"), N_("phone: {value}"),
                N_("card: {value}"), N_("roles: {value}"), N_("unit: {value}"),
                N_("teams: {value}"))


@member.command("show")
@click.argument("code", required=False)
@COMMUNITY
@click.option("--card", default=None, help="Look up by member card instead.")
@click.option("--phone", default=None, help="Look up by phone instead.")
@common
@click.pass_context
def member_show(ctx: click.Context, code: str | None, community: str, card: str | None,
                phone: str | None, lang: str | None) -> None:
    """Show a member: who, where, roles, balances and tier."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    bank = open_bank(ctx)
    found = bank.members.lookup(community, code=code, card=card, phone=phone)
    balances = bank.ledger.balance(community, found.code)
    zh = lang == "zh"
    values = (found.code, found.name, found.phone or "", found.card or "",
              ", ".join(found.roles), found.unit or "", ", ".join(found.teams))
    for line, value in zip(MEMBER_LINES, values, strict=True):
        out.print(translate(line, lang, value=value), markup=False, highlight=False)
    for unit, bal in sorted(balances.items()):
        out.print(translate(N_("balance ({unit}): {available} / {posted} (lifetime {lifetime})"),
                            lang, unit=unit, available=bal.available, posted=bal.posted,
                            lifetime=bal.lifetime_earned)
                  + (translate(N_(" owes {owed}"), lang, owed=bal.owed) if bal.owed else ""),
                  markup=False, highlight=False)
    status = bank.tiers.status(community, found.code)
    if status is not None and status.tier is not None:
        tier = status.tier.name_zh if zh else status.tier.name_en
        out.print(translate(N_("tier: {tier} ({earned} {unit})"), lang, tier=tier,
                            earned=status.earned, unit=status.unit), markup=False,
                  highlight=False)
