"""``district``: a district's clearing positions, and closing a period (通存通兑)."""

from __future__ import annotations

from datetime import datetime

import click
from rich.console import Console
from rich.table import Table

from timebank.cli.main import db_option, lang_of, lang_option, main, open_bank
from timebank.domain.districts import Position
from timebank.timeutil import utcnow

out = Console()

_WORDS = {"zh": ("社区", "单位", "净头寸", "结算至"),
          "en": ("community", "unit", "net", "settled to")}


@main.group()
def district() -> None:
    """Districts (街道): positions between communities and settlements."""


def _table(positions: list[Position], lang: str) -> Table:
    community, unit, net, _ = _WORDS[lang]
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
    out.print(f"{_WORDS[lang][3]} {done.until}")
    out.print(_table(list(done.positions), lang))
