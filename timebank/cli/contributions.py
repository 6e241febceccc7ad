"""``timebank contribution reverse ID --reason ...``: undo an approved contribution from
the command line, as ``POST /contributions/{id}/reverse`` does over HTTP.

The idempotency key defaults to one derived from the id, so running the same command
twice reverses once and answers the same the second time.
"""

from __future__ import annotations

import click
from rich.console import Console

from timebank.cli.main import main, open_bank
from timebank.cli.messages import pick_lang, say
from timebank.cli.reporting import COMMUNITY, common

out = Console(soft_wrap=True)


@main.group("contribution")
def contribution() -> None:
    """Contributions (贡献记录): undo an approved one."""


@contribution.command("reverse")
@COMMUNITY
@click.argument("contribution_id", type=click.IntRange(1, 2**62))
@click.option("--reason", required=True, help="Why it is undone (at most 500 characters).")
@click.option("--actor", default="cli", show_default=True, help="Who undoes it.")
@click.option("--key", default=None,
              help="Idempotency key (default: one per contribution id).")
@common
@click.pass_context
def reverse(ctx: click.Context, community: str, contribution_id: int, reason: str,
            actor: str, key: str | None, lang: str | None) -> None:
    """Reverse approved contribution ID: its award is taken back and it leaves the
    monthly totals (撤销已通过的贡献记录)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    done = open_bank(ctx).contributions.reverse(
        community, contribution_id, actor=actor, reason=reason,
        key=key or f"cli-reverse-contribution-{contribution_id}")
    out.print(say("contribution_reversed", lang, id=done.id, member=done.member,
                  rule=done.rule, points=done.points, unit=done.unit),
              markup=False, highlight=False)
