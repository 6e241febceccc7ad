"""``--help`` in the reader's language: click's help texts rendered through the catalogue.

Help strings stay written in English in the code (they are the catalogue's ids); the
command and group classes here translate them when the help page is drawn, so a command
added anywhere under ``timebank`` is translated as soon as its strings are in the
catalogue (``tests/unit/test_i18n.py`` walks the command tree and fails when one is not).
``--lang`` is looked for before click parses, so ``timebank expire --lang en --help``
and ``timebank --lang en expire --help`` both print English.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import Any

import click
from click.formatting import HelpFormatter

from timebank.i18n import N_, normalize, translate

USAGE, OPTIONS, COMMANDS = N_("Usage: "), N_("Options"), N_("Commands")
_EXTRAS = {"default: ": N_("default: "), "required": N_("required"),
           "env var: ": N_("env var: ")}
HELP_OPTION = N_("Show this message and exit.")
_BRACKET = re.compile(r"\[([^\[\]]*)\]\s*$")


def current_lang(ctx: click.Context | None = None) -> str:
    ctx = ctx or click.get_current_context(silent=True)
    while ctx is not None:
        if isinstance(ctx.obj, dict) and ctx.obj.get("lang"):
            return normalize(ctx.obj["lang"])
        ctx = ctx.parent
    from timebank.cli.messages import pick_lang
    return pick_lang(None)


def note_lang(ctx: click.Context, args: Sequence[str]) -> None:
    """Remember ``--lang X`` / ``--lang=X`` among ``args`` before click parses them (an
    eager ``--help`` is handled before any other option)."""
    for i, arg in enumerate(args):
        value = None
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value in ("zh", "en"):
            ctx.ensure_object(dict)["lang"] = value


def tr(text: str | None, lang: str) -> str:
    return translate(text, lang) if text else ""


def _extras(record: str, lang: str) -> str:
    found = _BRACKET.search(record)
    if not found or lang == "en":
        return record
    inner = found.group(1)
    for english, msgid in _EXTRAS.items():
        inner = inner.replace(english, translate(msgid, lang))
    return record[:found.start(1)] + inner + record[found.end(1):]


def _short(text: str, limit: int, lang: str) -> str:
    """The first sentence of a help text, cut to ``limit`` characters."""
    paragraph = " ".join(text.split("\n\n")[0].split())
    first = paragraph.split("。")[0] if lang == "zh" else paragraph.split(". ")[0]
    first = first.rstrip(".")
    return first if len(first) <= limit else first[:limit - 1].rstrip() + "…"


class LocalizedCommand(click.Command):
    """A command whose help page is drawn in the selected language."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        note_lang(ctx, args)
        return super().parse_args(ctx, args)

    def get_short_help_str(self, limit: int = 45) -> str:
        lang = current_lang()
        if self.short_help:
            return tr(self.short_help, lang)
        limit = limit // 2 if lang == "zh" else limit  # a Chinese character is two columns
        return _short(tr(self.help, lang), limit, lang) if self.help else ""

    def format_usage(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces),
                              tr(USAGE, current_lang(ctx)))

    def format_help_text(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        if self.help:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(tr(self.help, current_lang(ctx)))

    def format_options(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        lang = current_lang(ctx)
        records = []
        for param in self.get_params(ctx):
            if isinstance(param, click.Option) and param.help:
                param = copy.copy(param)
                param.help = tr(param.help, lang)
            record = param.get_help_record(ctx)
            if record is not None:
                records.append((record[0], _extras(record[1], lang)))
        if records:
            with formatter.section(tr(OPTIONS, lang)):
                formatter.write_dl(records)


class LocalizedGroup(LocalizedCommand, click.Group):
    """A group: its own help, and its commands' one-line help, in the selected language;
    commands and groups made with ``@group.command()`` / ``@group.group()`` are localised
    too."""

    command_class = LocalizedCommand
    group_class = type

    def format_options(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        LocalizedCommand.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: HelpFormatter) -> None:
        lang = current_lang(ctx)
        rows: list[tuple[str, Any]] = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            rows.append((name, cmd))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section(tr(COMMANDS, lang)):
                formatter.write_dl([(name, cmd.get_short_help_str(limit))
                                    for name, cmd in rows])


def walk(command: click.Command) -> list[tuple[str, str]]:
    """Every help string under ``command`` as (where, text), for the catalogue and its
    completeness test: each command's help and short help, each option's help."""
    found: list[tuple[str, str]] = []

    def visit(cmd: click.Command, path: str) -> None:
        found.extend((path, text) for text in (cmd.help, cmd.short_help) if text)
        for param in cmd.params:
            if isinstance(param, click.Option) and param.help:
                found.append((f"{path} {param.opts[-1]}", param.help))
        if isinstance(cmd, click.Group):
            for name, sub in sorted(cmd.commands.items()):
                visit(sub, f"{path} {name}")

    visit(command, command.name or "timebank")
    return found


# click's own messages (parsing, types), as catalogue ids with named values: the CLI's
# errors read in one language even when click, not timebank, finds the mistake.
_CLICK = [(re.compile(pattern), msgid) for pattern, msgid in (
    (r"Missing option (?P<name>.+)\.", N_("Missing option {name}.")),
    (r"Missing argument (?P<name>.+)\.", N_("Missing argument {name}.")),
    (r"Missing parameter: (?P<name>.+)", N_("Missing parameter: {name}")),
    (r"No such option '(?P<name>[^']+)'\. Did you mean '(?P<other>[^']+)'\?",
     N_("No such option '{name}'. Did you mean '{other}'?")),
    (r"No such option '(?P<name>[^']+)'\. \(Did you mean one of: (?P<others>.+)\?\)",
     N_("No such option '{name}'. (Did you mean one of: {others}?)")),
    (r"No such option '(?P<name>[^']+)'\.", N_("No such option '{name}'.")),
    (r"No such command '(?P<name>[^']+)'\.", N_("No such command '{name}'.")),
    (r"Option '(?P<name>[^']+)' requires an argument\.",
     N_("Option '{name}' requires an argument.")),
    (r"Got unexpected extra arguments? \((?P<args>.*)\)",
     N_("Got unexpected extra arguments ({args})")),
    (r"Invalid value for (?P<name>[^:]+): (?P<reason>.*)",
     N_("Invalid value for {name}: {reason}")),
    (r"(?P<value>.+) is not a valid integer\.", N_("{value} is not a valid integer.")),
    (r"(?P<value>.+) is not a valid float\.", N_("{value} is not a valid float.")),
    (r"(?P<value>.+) is not a valid boolean\.", N_("{value} is not a valid boolean.")),
    (r"(?P<value>.+) is not one of (?P<choices>.+)\.", N_("{value} is not one of {choices}.")),
    (r"(?P<value>.+) does not match the formats? (?P<formats>.+)\.",
     N_("{value} does not match the format {formats}.")),
    (r"(?P<value>.+) is not in the range (?P<range>.+)\.",
     N_("{value} is not in the range {range}.")),
    (r"(?P<what>.+) '(?P<path>.+)' does not exist\.", N_("{what} '{path}' does not exist.")),
)]
HINT = N_("Try '{command} {option}' for help.")
ERROR = N_("Error: {message}")
ABORTED = N_("Aborted!")


def click_message(message: str, lang: str) -> str:
    """One of click's messages in ``lang`` (a message it does not know stays as it is)."""
    for pattern, msgid in _CLICK:
        found = pattern.fullmatch(message.strip())
        if found:
            values = found.groupdict()
            if "reason" in values:
                values["reason"] = click_message(values["reason"], lang)
            return translate(msgid, lang, **values)
    return message


def show_click_error(exc: click.ClickException, lang: str) -> None:
    """What click's ``show`` prints, in ``lang``: usage, hint and the error line."""
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = translate(HINT, lang, command=ctx.command_path,
                             option=max(ctx.command.get_help_option_names(ctx), key=len))
        click.echo(f"{ctx.get_usage()}\n{hint}\n" if hint else f"{ctx.get_usage()}\n",
                   err=True, color=ctx.color)
    click.echo(translate(ERROR, lang, message=click_message(exc.format_message(), lang)),
               err=True)


def lang_of_args(args: Sequence[str]) -> str | None:
    """``zh``/``en`` from ``--lang X`` / ``--lang=X`` among the raw arguments, if given."""
    for i, arg in enumerate(args):
        value = args[i + 1] if arg == "--lang" and i + 1 < len(args) else (
            arg.split("=", 1)[1] if arg.startswith("--lang=") else None)
        if value in ("zh", "en"):
            return value
    return None
