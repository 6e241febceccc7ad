"""Every help text of the CLI reads in Chinese under ``--lang zh`` and in English under
``--lang en``: the whole click tree (groups, subcommands, options, the one-line help of
each subcommand in its group's list) is drawn as a reader sees it, and an option without
help, or a help page the same in both languages, fails."""

from __future__ import annotations

import re
from typing import Any

import click
from click.testing import CliRunner

from timebank.cli import main
from timebank.cli.localized import LocalizedCommand, LocalizedGroup
from timebank.i18n import has

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")
WIDE: dict[str, Any] = {"terminal_width": 10_000, "max_content_width": 10_000}  # one row each


def commands(root: click.Command) -> list[tuple[list[str], click.Command]]:
    """Every command under ``root`` (itself included) with its path of names."""
    found: list[tuple[list[str], click.Command]] = [([], root)]
    if isinstance(root, click.Group):
        for name, sub in sorted(root.commands.items()):
            found += [([name, *path], cmd) for path, cmd in commands(sub)]
    return found


def page(root: click.Command, path: list[str], lang: str) -> str:
    done = CliRunner().invoke(root, ["--lang", lang, *path, "--help"],
                              env={"TIMEBANK_LANG": "", "LANG": ""}, **WIDE)
    assert done.exit_code == 0, done.output
    return done.output


def rows(text: str) -> dict[str, str]:
    """The help page's two-column rows (options, subcommands): first column -> text."""
    found: dict[str, str] = {}
    lines = text.splitlines()
    for i, raw in enumerate(lines):
        if raw.startswith("  ") and not raw.startswith("   ") and raw.strip():
            left, _, right = raw.strip().partition("  ")
            below = lines[i + 1] if i + 1 < len(lines) else ""
            if not right.strip() and below.startswith("   "):  # a long first column
                right = below
            found[left] = right.strip()
    return found


def described(text: str) -> str:
    """The command's own help: what the page says between the usage and its sections."""
    body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
    return re.split(r"\n\S[^\n]*\n", "\n" + body, maxsplit=1)[0]


def problems(root: click.Command) -> list[str]:
    """Every missing or untranslated help text under ``root``, drawn in both languages."""
    found: list[str] = []
    for path, cmd in commands(root):
        where = " ".join(["timebank", *path])
        if not cmd.help:
            found.append(f"{where}: no help")
        for text in (cmd.help, cmd.short_help):
            if text and not (has(text, "zh") and has(text, "en")):
                found.append(f"{where}: help not in the catalogue")
        pages = {lang: page(root, path, lang) for lang in ("zh", "en")}
        zh, en = (described(pages[lang]) for lang in ("zh", "en"))
        if cmd.help and (not CJK.search(zh) or zh == en or not LATIN.search(en)):
            found.append(f"{where}: help not translated")
        listed = {lang: rows(text) for lang, text in pages.items()}
        ctx = click.Context(cmd, info_name=path[-1] if path else "timebank")
        for param in cmd.get_params(ctx):
            if not isinstance(param, click.Option):
                text = getattr(param, "help", None)  # an argument class that carries help
                if text and not (has(text, "zh") and has(text, "en")):
                    found.append(f"{where} {param.name}: help not in the catalogue")
                continue
            if param.hidden:
                continue
            record = param.get_help_record(ctx)
            name = f"{where} {param.opts[-1]}"
            if not param.help or record is None:
                found.append(f"{name}: no help")
                continue
            if not (has(param.help, "zh") and has(param.help, "en")):
                found.append(f"{name}: help not in the catalogue")
            zh_help, en_help = listed["zh"].get(record[0], ""), listed["en"].get(record[0], "")
            if not CJK.search(zh_help) or zh_help == en_help or not LATIN.search(en_help):
                found.append(f"{name}: help not translated ({zh_help!r} / {en_help!r})")
        if isinstance(cmd, click.Group):
            for sub in cmd.commands.values():
                if sub.hidden:
                    continue
                zh_row, en_row = listed["zh"].get(sub.name or ""), listed["en"].get(sub.name or "")
                if not zh_row or not CJK.search(zh_row) or zh_row == en_row:
                    found.append(f"{where} {sub.name}: one-line help not translated")
    return found


def test_every_command_and_option_has_chinese_and_english_help() -> None:
    assert problems(main) == []


def test_the_walk_reaches_every_command_and_the_pages_differ() -> None:
    paths = [" ".join(path) for path, _ in commands(main)]
    assert {"gift update", "district report leaderboard", "redemption list",
            "expire"} <= set(paths)
    zh, en = page(main, ["gift", "update"], "zh"), page(main, ["gift", "update"], "en")
    assert rows(zh)["--cost INTEGER RANGE"].startswith("每件所需积分(或分钟)。")
    assert rows(en)["--cost INTEGER RANGE"].startswith("Points (or minutes) per item.")


def test_the_check_finds_an_option_without_help_and_a_help_not_in_the_catalogue() -> None:
    @click.group(cls=LocalizedGroup)
    @click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
                  help="Language of messages (default: TIMEBANK_LANG, then LANG, else zh).")
    def root(lang: str | None) -> None:
        """timebank: volunteer points and time-bank books for residents' communities."""

    @root.command("sweep", cls=LocalizedCommand)
    @click.option("--street", default=None)
    @click.option("--broom", default=None, help="A broom nobody has translated yet.")
    def sweep(street: str | None, broom: str | None) -> None:
        """Sweep a street that nobody has translated yet."""

    found = problems(root)
    assert "timebank sweep --street: no help" in found
    assert "timebank sweep --broom: help not in the catalogue" in found
    assert any(f.startswith("timebank sweep --broom: help not translated") for f in found)
    assert "timebank sweep: help not translated" in found
    assert "timebank sweep: one-line help not translated" in found
    assert not [f for f in found if f.startswith("timebank --lang") or f == "timebank: no help"]
