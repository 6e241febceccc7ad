"""``expire``: post the points that have expired under each community's policy."""

from __future__ import annotations

from datetime import date

import click
from rich.console import Console

from timebank.cli.main import db_option, lang_of, lang_option, main, open_bank
from timebank.cli.messages import say

out = Console()


@main.command()
@db_option
@lang_option
@click.option("--as-of", "as_of", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The local day to expire as of (YYYY-MM-DD).")
@click.option("--community", "code", default=None, help="One community only (default: all).")
@click.pass_context
def expire(ctx: click.Context, as_of: date, code: str | None) -> None:
    """Post expired points as of a day; running the same day twice writes nothing."""
    bank = open_bank(ctx)
    day = as_of.date() if hasattr(as_of, "date") else as_of
    try:
        runs = ([bank.expiry.expire(code, as_of=day)] if code is not None
                else bank.expiry.expire_all(as_of=day))
    finally:
        bank.close()
    for run in runs:
        if run.cutoff is None:
            out.print(say("no_expiry", lang_of(ctx), community=run.community))
            continue
        units = sorted({e.unit for e in run.expired})
        totals = ", ".join(f"{sum(e.amount for e in run.expired if e.unit == u)} {u}"
                           for u in units) or say("nothing", lang_of(ctx))
        out.print(say("expired", lang_of(ctx), community=run.community, totals=totals,
                      members=len(run.expired), cutoff=run.cutoff.isoformat()))
