"""``import`` and ``export``: members and contributions in from CSV / XLSX files, the
ledger, statements and reports out.

Exit status: 0 when every row was fine, 1 when rows were rejected (nothing written in
the default all-or-nothing mode; the good rows written with ``--skip-bad-rows``), 2 when
the command could not run (unknown community, unreadable file, bad option).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from timebank.cli.approvals import print_import_summary
from timebank.cli.main import main, open_bank
from timebank.cli.messages import pick_lang, say
from timebank.cli.reporting import COMMUNITY, OUTPUT, UNIT, common, emit
from timebank.i18n import N_, translate
from timebank.io.contribution_import import contribution_plan
from timebank.io.exports import export_ledger, write_table
from timebank.io.importing import ImportReport, Plan, run_import
from timebank.io.member_import import member_plan
from timebank.io.writers import Table

err = Console(stderr=True)
out = Console()
SHOWN_PROBLEMS = 50
DATE = click.DateTime(formats=["%Y-%m-%d"])
FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@main.group("import")
def import_group() -> None:
    """Import members or contributions from CSV or XLSX (导入).

    Header names may be English or Chinese (see docs/import.md). By default one bad row
    stops the whole file; --skip-bad-rows imports the good rows. Importing the same
    file again adds nothing.
    """


def _run(ctx: click.Context, community: str, path: Path, plan: Plan[Any],
         skip_bad_rows: bool, encoding: str | None, lang: str) -> None:
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.percentage:>3.0f}%"), TimeRemainingColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(f"{say('importing', lang)} {path.name}", total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)
        outcome = run_import(ctx.obj["bank"].store, community, path, plan,
                             skip_bad_rows=skip_bad_rows, progress=progress,
                             encoding=encoding)
    print_import_summary(outcome, community, lang)
    _report(outcome, lang)


def _report(outcome: ImportReport, lang: str) -> None:
    if outcome.ignored_columns:
        err.print(say("ignored_columns", lang, columns=", ".join(outcome.ignored_columns)))
    header = outcome.rows == 0 and not outcome.committed and outcome.problems
    if outcome.ok:
        out.print(say("import_ok", lang, rows=outcome.rows, added=outcome.added,
                      unchanged=outcome.unchanged))
        return
    if header:
        err.print(say("header_problem", lang))
    elif outcome.committed:
        out.print(say("import_ok", lang, rows=outcome.rows, added=outcome.added,
                      unchanged=outcome.unchanged))
        err.print(say("import_skipped", lang, rejected=outcome.rejected))
    else:
        err.print(say("import_refused", lang, rejected=outcome.rejected))
    for problem in outcome.problems[:SHOWN_PROBLEMS]:
        err.print(say("problem", lang, row=problem.row, column=problem.column,
                      message=problem.message), markup=False, highlight=False)
    hidden = max(len(outcome.problems), outcome.rejected) - SHOWN_PROBLEMS
    if hidden > 0:
        err.print(say("more_problems", lang, n=hidden))
    sys.exit(1)


IMPORT_OPTIONS = [
    click.argument("file", type=FILE),
    COMMUNITY,
    click.option("--skip-bad-rows", is_flag=True,
                 help="Import the good rows and report the bad ones (default: all or "
                      "nothing)."),
    click.option("--encoding", default=None,
                 help="CSV encoding if not detected (utf-8, gbk, gb18030, …)."),
]


def import_options(fn: Any) -> Any:
    for option in reversed(IMPORT_OPTIONS):
        fn = option(fn)
    return common(fn)


@import_group.command("members")
@import_options
@click.pass_context
def import_members(ctx: click.Context, file: Path, community: str, skip_bad_rows: bool,
                   encoding: str | None, lang: str | None) -> None:
    """Import members (code, name, phone, card, roles, tags, unit, teams)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    ctx.obj["bank"] = open_bank(ctx)
    _run(ctx, community, file, member_plan(lang), skip_bad_rows, encoding, lang)


@import_group.command("contributions")
@import_options
@click.option("--actor", default="import", show_default=True,
              help="Who is recorded as having entered the rows.")
@click.pass_context
def import_contributions(ctx: click.Context, file: Path, community: str,
                         skip_bad_rows: bool, encoding: str | None, actor: str,
                         lang: str | None) -> None:
    """Import contributions (member, rule, quantity, date or start/end times, note, key)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    ctx.obj["bank"] = open_bank(ctx)
    _run(ctx, community, file,
         contribution_plan(community, lang=lang, actor=actor),
         skip_bad_rows, encoding, lang)


# -- export ----------------------------------------------------------------------------------


@main.group("export")
def export_group() -> None:
    """Export the ledger, a member's statement or a report as CSV or XLSX (导出)."""


def _fmt(fmt: str | None, output: Path, lang: str) -> str:
    chosen = fmt or output.suffix.lstrip(".").lower()
    if chosen not in ("csv", "xlsx"):
        raise click.UsageError(translate(N_("give --format csv|xlsx or an output file ending "
                                            "in it"), lang))
    return chosen


def _day(value: datetime | None) -> Any:
    return value.date() if value is not None else None


@export_group.command("ledger")
@COMMUNITY
@click.option("--from", "since", type=DATE, default=None, help="First local day.")
@click.option("--to", "until", type=DATE, default=None, help="Last local day.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="csv or xlsx (default: from the output file's name).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="File to write (.csv or .xlsx).")
@common
@click.pass_context
def export_ledger_command(ctx: click.Context, community: str, since: datetime | None,
                          until: datetime | None, fmt: str | None, output: Path,
                          lang: str | None) -> None:
    """Every entry with its postings (streamed: any length of history)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    bank = open_bank(ctx)
    rows = export_ledger(bank.store, community, output, _fmt(fmt, output, lang),
                         since=_day(since), until=_day(until), lang=lang)
    out.print(say("written", lang, rows=rows, path=output))


@export_group.command("statement")
@click.argument("member")
@COMMUNITY
@click.option("--from", "since", type=DATE, default=None, help="First local day (YYYY-MM-DD).")
@click.option("--to", "until", type=DATE, default=None, help="Last local day (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="csv or xlsx (default: from the output file's name).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="File to write (.csv or .xlsx).")
@common
@click.pass_context
def export_statement(ctx: click.Context, member: str, community: str,
                     since: datetime | None, until: datetime | None, fmt: str | None,
                     output: Path, lang: str | None) -> None:
    """A member's statement: every line with its rule, approver and balance after."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    bank = open_bank(ctx)
    statement = bank.statements.statement(community, member, from_=_day(since),
                                          to=_day(until))
    table: Table = bank.reports.statement_table(statement, lang)
    rows = write_table(table, output, _fmt(fmt, output, lang), lang=lang)
    out.print(say("written", lang, rows=rows, path=output))


@export_group.command("report")
@click.argument("kind", type=click.Choice(["monthly", "leaderboard", "participation"]))
@COMMUNITY
@click.option("--period", required=True, help="YYYY-MM (monthly: or YYYY-Qn, YYYY).")
@click.option("--rule", default=None, help="participation: the rule's code.")
@UNIT
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="leaderboard: how many.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="csv or xlsx (default: from the output file's name).")
@click.option("--mask", is_flag=True, help="monthly: for posting or passing on: names "
              "masked, no member codes, households shown as their building.")
@OUTPUT
@common
@click.pass_context
def export_report(ctx: click.Context, kind: str, community: str, period: str,
                  rule: str | None, unit: str | None, limit: int, fmt: str | None,
                  mask: bool, output: Path | None, lang: str | None) -> None:
    """A report as CSV or XLSX (the same figures as ``timebank report``)."""
    lang = pick_lang(lang or ctx.obj.get("lang"))
    bank = open_bank(ctx)
    if kind == "monthly":
        result = bank.reports.period(community, period, unit, mask=mask)
    elif kind == "leaderboard":
        result = bank.reports.leaderboard(community, period=period, unit=unit, limit=limit)
    else:
        if rule is None:
            raise click.UsageError(translate(N_("participation needs --rule"), lang))
        result = bank.reports.participation(community, month=period, rule=rule, unit=unit)
    emit(result, fmt or "csv", output, lang, bank)
