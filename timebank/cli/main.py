"""The root ``timebank`` group: ``--db`` and error reporting shared by every command."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click
from rich.console import Console

from timebank.cli.localized import ABORTED, LocalizedGroup, lang_of_args, show_click_error
from timebank.cli.messages import pick_lang, say
from timebank.errors import TimebankError
from timebank.i18n import translate
from timebank.store.db import DEFAULT_URL

err = Console(stderr=True)


class Group(LocalizedGroup):
    """Turns library errors into one readable line in the selected language and exit
    status 2 (no traceback); help pages are localised (``cli/localized.py``)."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """click's standalone main, but its own errors (a missing option, a bad value) are
        shown in the selected language too (``cli/localized.py``)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        raw = list(sys.argv[1:] if args is None else args)
        try:
            done = super().main(raw, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            show_click_error(exc, pick_lang(lang_of_args(raw)))
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo(translate(ABORTED, pick_lang(lang_of_args(raw))), err=True)
            sys.exit(1)
        sys.exit(done if isinstance(done, int) and not isinstance(done, bool) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TimebankError as exc:
            lang = lang_of(ctx)
            err.print(say("error_line", lang, code=exc.code, message=exc.render(lang)),
                      markup=False, highlight=False)
            sys.exit(2)


@click.group(cls=Group)
@click.option("--db", "db_url", envvar="TIMEBANK_DATABASE_URL", default=DEFAULT_URL,
              show_default=True, help="Database URL (env TIMEBANK_DATABASE_URL).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Language of messages (default: TIMEBANK_LANG, then LANG, else zh).")
@click.pass_context
def main(ctx: click.Context, db_url: str, lang: str | None) -> None:
    """timebank: volunteer points and time-bank books for residents' communities."""
    ctx.ensure_object(dict)
    ctx.obj["db_url"] = db_url
    ctx.obj["lang"] = lang


def _use_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)["db_url"] = value


def db_option(fn: Any) -> Any:
    """``--db`` on a command as well as on ``timebank`` itself (API.md: every command
    takes it), so ``timebank verify --db URL`` and ``timebank --db URL verify`` agree."""
    return click.option("--db", metavar="URL", expose_value=False, callback=_use_db,
                        help="Database URL (overrides timebank --db).")(fn)


def _use_lang(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(dict)["lang"] = value


def lang_option(fn: Any) -> Any:
    """``--lang zh|en`` on a command as well as on ``timebank`` itself."""
    return click.option("--lang", type=click.Choice(["zh", "en"]), expose_value=False,
                        callback=_use_lang, help="Language of messages.")(fn)


def lang_of(ctx: click.Context) -> str:
    return pick_lang((ctx.obj or {}).get("lang"))


def open_bank(ctx: click.Context, *, need_schema: bool = True) -> Any:
    """The command's Timebank; its connections close when the command ends. Unless
    ``need_schema`` is False (init, serve, demo make it), a database whose schema is
    missing or behind stops the command with a hint to run ``timebank init`` (exit 2)."""
    from timebank import Timebank

    bank = Timebank(ctx.obj["db_url"])
    ctx.find_root().call_on_close(bank.close)
    if need_schema:
        schema = bank.schema()
        if not schema.ready:
            lang = pick_lang((ctx.obj or {}).get("lang"))
            if schema.current is None:
                err.print(say("schema_missing", lang), markup=False)
            else:
                err.print(say("schema_behind", lang, current=schema.current,
                              head=schema.head), markup=False)
            sys.exit(2)
    return bank
