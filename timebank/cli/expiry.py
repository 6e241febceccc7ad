"""``expire``: post the points that have expired under each community's policy, then close
the exchange requests left open past their date (their held minutes go back)."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import click
from rich.console import Console

from timebank.cli.exchange import expire_requests
from timebank.cli.main import db_option, lang_of, lang_option, main, open_bank
from timebank.cli.messages import say

out = Console()
err = Console(stderr=True)


def _totals(items: list[Any], lang: str) -> str:
    units = sorted({e.unit for e in items})
    return ", ".join(amount(sum(e.amount for e in items if e.unit == u), u, lang)
                     for u in units) or say("nothing", lang)


def amount(n: int, unit: str, lang: str) -> str:
    """``3 积分`` / ``3 points``: the unit's word in the selected language."""
    key = {"points": "amount_points", "minutes": "amount_minutes"}.get(unit)
    return say(key, lang, n=n) if key else f"{n} {unit}"


@main.command()
@db_option
@lang_option
@click.option("--as-of", "as_of", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The local day to expire as of (YYYY-MM-DD).")
@click.option("--community", "code", default=None, help="One community only (default: all).")
@click.option("--force", is_flag=True,
              help="Expire as of a day after the community's today (refused otherwise).")
@click.option("--dry-run", "dry_run", is_flag=True,
              help="List what would expire and write nothing.")
@click.pass_context
def expire(ctx: click.Context, as_of: date, code: str | None, force: bool,
           dry_run: bool) -> None:
    """Post expired points as of a day; running the same day twice writes nothing."""
    bank, lang = open_bank(ctx), lang_of(ctx)
    day = as_of.date() if hasattr(as_of, "date") else as_of
    codes = [code] if code is not None else bank.expiry.community_codes()
    if dry_run:
        _dry_run(bank, codes, day, lang)
        return
    if not force:
        for one in codes:
            today = bank.expiry.today(one)
            if day > today:
                err.print(say("expire_future", lang, community=one, day=day.isoformat(),
                              today=today.isoformat()), markup=False)
                sys.exit(2)
    runs = [bank.expiry.expire(one, as_of=day) for one in codes]
    for run in runs:
        if run.cutoff is None:
            out.print(say("no_expiry", lang, community=run.community))
            continue
        out.print(say("expired", lang, community=run.community,
                      totals=_totals(list(run.expired), lang),
                      members=len(run.expired), cutoff=run.cutoff.isoformat()))
    for one in codes:  # then exchange requests past their date (their holds go back)
        out.print(expire_requests(bank, one, day, lang), markup=False)


def _dry_run(bank: Any, codes: list[str], day: date, lang: str) -> None:
    """What ``expire`` would post as of ``day``, member by member; nothing is written."""
    for one in codes:
        cutoff = bank.expiry.policy(one).cutoff(day)
        if cutoff is None:
            out.print(say("no_expiry", lang, community=one))
            continue
        due = [e for e in bank.expiry.upcoming(one, within_days=0, as_of=day)
               if e.amount > 0]
        out.print(say("would_expire", lang, community=one, totals=_totals(due, lang),
                      members=len({e.member for e in due}), cutoff=cutoff.isoformat()))
        for e in due:
            out.print(say("expire_member", lang, member=e.member,
                          amount=amount(e.amount, e.unit, lang)), markup=False)
    for one in codes:
        out.print(expire_requests(bank, one, day, lang, dry_run=True), markup=False)
