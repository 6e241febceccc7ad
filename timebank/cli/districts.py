"""``district``: a district's clearing positions, and closing a period (通存通兑)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from timebank.cli.main import db_option, lang_of, lang_option, main, open_bank
from timebank.cli.reporting import emit
from timebank.domain.districts import Position
from timebank.i18n import N_, translate
from timebank.timeutil import utcnow

out = Console()

_WORDS = (N_("community"), N_("unit"), N_("net"), N_("settled to"))  # catalogue ids


@main.group()
def district() -> None:
    """Districts (街道): positions between communities and settlements."""


def _table(positions: list[Position], lang: str) -> Table:
    community, unit, net, _ = (translate(w, lang) for w in _WORDS)
    partners = sorted({p for pos in positions for p in pos.partners})
    table = Table(community, unit, net, *partners)
    for pos in positions:
        table.add_row(pos.community, pos.unit, str(pos.total),
                      *(str(pos.partners.get(p, "")) for p in partners))
    return table


@district.command()
@db_option
@lang_option
@click.argument("code")
@click.pass_context
def positions(ctx: click.Context, code: str) -> None:
    """Each community's net position per unit (positive: the others owe it)."""
    bank, lang = open_bank(ctx), lang_of(ctx)
    out.print(_table(bank.districts.positions(code), lang))


@district.command()
@db_option
@lang_option
@click.argument("code")
@click.option("--until", type=click.DateTime(), default=None,
              help="Close the period to this UTC time (default: now).")
@click.pass_context
def settle(ctx: click.Context, code: str, until: datetime | None) -> None:
    """Close a period: each community's clearing balance goes to its settlement."""
    bank, lang = open_bank(ctx), lang_of(ctx)
    done = bank.districts.settle(code, until or utcnow(), actor="cli")
    out.print(f"{translate(_WORDS[3], lang)} {done.until}")
    out.print(_table(list(done.positions), lang))


# -- district reports ---------------------------------------------------------------------

FORMAT = click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
                      help="Write csv or xlsx (default: show a table).")
OUTPUT = click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
                      default=None, help="File to write (default: show or print to stdout).")
LEDGER_UNIT = click.option("--ledger-unit", type=click.Choice(["points", "minutes"]),
                           default="points", show_default=True,
                           help="Which balance the report counts.")


@district.group("report")
def district_report() -> None:
    """Reports over all communities of a district, per community and in total."""


@district_report.command("monthly")
@db_option
@lang_option
@click.argument("code")
@click.option("--month", required=True, help="The month, YYYY-MM.")
@LEDGER_UNIT
@FORMAT
@OUTPUT
@click.pass_context
def report_monthly(ctx: click.Context, code: str, month: str, ledger_unit: str,
                   fmt: str | None, output: Path | None) -> None:
    """Per community: members, earners, contributions, points by rule; and in total."""
    bank, lang = open_bank(ctx), lang_of(ctx)
    emit(bank.districts.monthly(code, month, ledger_unit=ledger_unit), fmt, output, lang,
         bank)


@district_report.command("leaderboard")
@db_option
@lang_option
@click.argument("code")
@click.option("--period", required=True, help="YYYY, YYYY-Qn or YYYY-MM.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="How many members to list.")
@click.option("--no-mask", is_flag=True, help="Show full names and member codes.")
@LEDGER_UNIT
@FORMAT
@OUTPUT
@click.pass_context
def report_leaderboard(ctx: click.Context, code: str, period: str, limit: int,
                       no_mask: bool, ledger_unit: str, fmt: str | None,
                       output: Path | None) -> None:
    """The district's top earners, each with its community; names masked (张*明)."""
    bank, lang = open_bank(ctx), lang_of(ctx)
    emit(bank.districts.leaderboard(code, period, limit=limit, mask=not no_mask,
                                    ledger_unit=ledger_unit), fmt, output, lang, bank)


@district_report.command("participation")
@db_option
@lang_option
@click.argument("code")
@click.option("--month", required=True, help="The month, YYYY-MM.")
@click.option("--rule", required=True, help="The rule's code.")
@click.option("--target", type=click.FloatRange(0, 1), default=0.9, show_default=True,
              help="The participation rate aimed at, 0 to 1.")
@FORMAT
@OUTPUT
@click.pass_context
def report_participation(ctx: click.Context, code: str, month: str, rule: str,
                         target: float, fmt: str | None, output: Path | None) -> None:
    """A rule's participation per community that has it, and in total."""
    bank, lang = open_bank(ctx), lang_of(ctx)
    emit(bank.districts.participation(code, month, rule, target=target), fmt, output, lang,
         bank)
