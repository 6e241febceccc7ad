"""``init``, ``community create`` and ``verify``: setting up and checking the books."""

from __future__ import annotations

import sys
from pathlib import Path

import attrs
import click
from rich.console import Console
from rich.progress import Progress

from timebank.cli.main import db_option, lang_of, lang_option, main, open_bank
from timebank.cli.messages import say
from timebank.timeutil import DEFAULT_TIMEZONE

out = Console()


@main.command()
@db_option
@lang_option
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create or upgrade the database schema (safe to run twice)."""
    bank = open_bank(ctx, need_schema=False)
    before = bank.schema()
    bank.init()
    url, lang = repr(bank.store.engine.url), lang_of(ctx)
    if before.current is None:
        out.print(say("schema_created", lang, revision=before.head, url=url))
    elif not before.ready:
        out.print(say("schema_upgraded", lang, before=before.current, revision=before.head,
                      url=url))
    else:
        out.print(say("schema_ready", lang, url=url))


@main.group()
def community() -> None:
    """Communities (社区)."""


@community.command("create")
@db_option
@lang_option
@click.argument("code")
@click.option("--name", required=True, help="Display name, e.g. 世纪花园社区.")
@click.option("--timezone", default=DEFAULT_TIMEZONE, show_default=True,
              help="The community's time zone (an IANA name).")
@click.option("--rulebook", default=None, help="A rulebook TOML file or a shipped name.")
@click.pass_context
def community_create(ctx: click.Context, code: str, name: str, timezone: str,
                     rulebook: str | None) -> None:
    """Create community CODE with its system accounts."""
    bank = open_bank(ctx)
    bank.communities.create(code, name, timezone=timezone, rulebook=rulebook)
    out.print(say("community_created", lang_of(ctx), code=code, name=name,
                  timezone=timezone))


@main.command()
@db_option
@lang_option
@click.option("--community", "code", default=None, help="Check one community only.")
@click.option("--anchor", "anchor_file", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Also check the chain still extends every anchor in this file "
                   "(from `timebank anchor`).")
@click.pass_context
def verify(ctx: click.Context, code: str | None, anchor_file: Path | None = None) -> None:
    """Re-check every hash chain and recompute every balance; exit 1 on any mismatch."""
    bank, lang = open_bank(ctx), lang_of(ctx)
    with Progress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(say("verifying", lang), total=None)
        report = bank.verify(code, progress=lambda n: bar.advance(task, n))
    if anchor_file is not None:  # a whole-chain rewrite passes the walk, not the anchors
        from timebank.cli.certificates import read_anchors
        broken = bank.certificates.check_anchors(read_anchors(anchor_file))
        report = attrs.evolve(report, ok=report.ok and not broken,
                              problems=(*report.problems, *broken))
    if report.ok:
        out.print(say("verify_ok", lang, n=report.entries_checked))
        return
    for problem in report.problems:
        where = problem.community + (f" #{problem.entry_id}"
                                     if problem.entry_id is not None else "")
        out.print(say("verify_bad", lang, where=where, what=problem.what), style="red",
                  markup=False)
    out.print(say("first_bad", lang, entry=report.first_bad_entry))
    sys.exit(1)
