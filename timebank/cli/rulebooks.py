"""``timebank rulebook install BOOK --community C [--replace-from DATE]``: install a
rulebook into an existing community.

Installing never undoes a rule change made since: rules that differ from the stored
ones are refused by name (exit 2) unless ``--replace-from`` says from which local day
the book's version takes over.
"""

from __future__ import annotations

from datetime import datetime

import click
from rich.console import Console

from timebank.cli.main import main, open_bank
from timebank.cli.messages import pick_lang, say
from timebank.cli.reporting import COMMUNITY, common
from timebank.cli.tables import show
from timebank.i18n import N_
from timebank.services.rules import shipped

out = Console(soft_wrap=True)


@main.group("rulebook")
def rulebook() -> None:
    """Rulebooks (积分规则手册)."""


@rulebook.command("install")
@COMMUNITY
@click.argument("book")
@click.option("--replace-from", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Local day from which the book's version replaces rules that differ "
                   "from the stored ones (without it such rules are refused).")
@click.option("--actor", default="cli", show_default=True,
              help="Who installs it (kept in the history).")
@common
@click.pass_context
def install(ctx: click.Context, community: str, book: str, replace_from: datetime | None,
            actor: str, lang: str | None) -> None:
    """Install rulebook BOOK (a TOML file or a shipped name such as red_vest)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    day = replace_from.date() if replace_from is not None else None
    done = open_bank(ctx).rules.install(community, book, replace_from=day, actor=actor)
    out.print(say("rulebook_installed", lang, book=done.name, community=community,
                  rules=len(done.rules),
                  since=say("replaced_from", lang, day=day) if day else ""),
              markup=False, highlight=False)


BOOK_HEADERS = (N_("rulebook"), N_("rules"), N_("rule codes"))


@rulebook.command("list")
@common
@click.pass_context
def list_books(ctx: click.Context, lang: str | None) -> None:
    """The rulebooks that come with timebank, by name (for --rulebook and install)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    show(lang, BOOK_HEADERS, ((b.name, len(b.rules), ", ".join(r.code for r in b.rules))
                              for b in shipped()))
