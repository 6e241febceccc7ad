"""``timebank init`` and commands on a database that has not been initialised, on each
engine: a hint to run init instead of a traceback, and init says what it did."""

from __future__ import annotations

from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main
from timebank.store.migrations import head


def run(db_url: str, *args: str):
    return CliRunner().invoke(main, ["--db", db_url, *args])


def test_a_command_on_an_uninitialised_database_says_to_run_init_and_exits_non_zero(
        db_url: str) -> None:
    for lang, hint in (("en", "run `timebank init` first"), ("zh", "请先运行 `timebank init`")):
        result = run(db_url, "--lang", lang, "member", "show", "p1", "--community", "sjhy")
        assert result.exit_code == 2, result.output
        assert hint in result.output
        assert "Traceback" not in result.output
        assert isinstance(result.exception, SystemExit)


def test_the_check_does_not_create_any_table(db_url: str) -> None:
    assert run(db_url, "verify").exit_code == 2
    bank = Timebank(db_url)
    try:
        assert bank.schema().current is None
    finally:
        bank.close()


def test_init_on_a_new_database_says_it_created_the_schema_and_its_revision(
        db_url: str) -> None:
    first = run(db_url, "--lang", "en", "init")
    assert first.exit_code == 0, first.output
    assert f"created the schema at revision {head()}" in first.output
    assert "up to date" not in first.output
    again = run(db_url, "--lang", "en", "init")
    assert "schema is up to date" in again.output
    zh = run(db_url, "--lang", "zh", "init")
    assert "数据库结构已是最新" in zh.output


def test_commands_run_once_the_database_is_initialised(db_url: str) -> None:
    assert run(db_url, "init").exit_code == 0
    result = run(db_url, "--lang", "en", "verify")
    assert result.exit_code == 0, result.output
    assert "ok: 0 entries checked" in result.output
