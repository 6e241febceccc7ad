"""``timebank unit add|list``: org units from the command line, in zh-CN and English, on
both engines; a unit that cannot hang where it is asked to is refused without writing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main


@pytest.fixture
def db(migrated_url: str) -> str:
    bank = Timebank(migrated_url)
    bank.communities.create("sjhy", "世纪花园社区")
    bank.close()
    return migrated_url


def run(db: str, *args: str):
    result = CliRunner().invoke(main, ["--db", db, *args], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


def stored(db: str) -> list[tuple[str, str, str | None]]:
    bank = Timebank(db)
    try:
        return [(u.code, u.kind, u.parent) for u in bank.units.list("sjhy")]
    finally:
        bank.close()


def test_units_added_from_the_command_line_are_stored_and_listed_in_tree_order(db):
    added = run(db, "--lang", "en", "unit", "add", "g1", "--community", "sjhy", "--name",
                "一网格", "--kind", "grid")
    assert added.exit_code == 0, added.output
    assert "added grid g1 (一网格)" in added.output
    building = run(db, "unit", "add", "b3", "--community", "sjhy", "--name", "3号楼",
                   "--kind", "building", "--parent", "g1")
    assert building.exit_code == 0 and "已添加楼栋 b3(3号楼),隶属 g1" in building.output
    assert run(db, "unit", "add", "h301", "--community", "sjhy", "--name", "301室",
               "--kind", "household", "--parent", "b3").exit_code == 0
    assert stored(db) == [("g1", "grid", None), ("b3", "building", "g1"),
                          ("h301", "household", "b3")]

    listing = run(db, "unit", "list", "--community", "sjhy")
    assert listing.exit_code == 0
    assert "类型" in listing.output and "楼栋" in listing.output
    assert listing.output.index("g1") < listing.output.index("b3") < \
        listing.output.index("h301")
    english = run(db, "--lang", "en", "unit", "list", "--community", "sjhy", "--kind",
                  "household")
    assert "household" in english.output and "h301" in english.output
    assert "一网格" not in english.output and "3号楼" not in english.output


def test_a_household_without_a_building_is_refused_with_a_message_and_nothing_is_stored(db):
    refused = run(db, "--lang", "en", "unit", "add", "h1", "--community", "sjhy", "--name",
                  "1室", "--kind", "household")
    assert refused.exit_code == 2
    assert "error (validation_error)" in refused.output and "building" in refused.output
    assert "Traceback" not in refused.output
    assert stored(db) == []


def test_a_unit_code_used_twice_is_refused_the_second_time(db):
    args = ("unit", "add", "g1", "--community", "sjhy", "--name", "一网格", "--kind", "grid")
    assert run(db, *args).exit_code == 0
    again = run(db, "--lang", "en", *args)
    assert again.exit_code == 2 and "error (" in again.output
    assert stored(db) == [("g1", "grid", None)]


def test_an_unknown_kind_or_community_is_a_clear_error(db):
    kind = run(db, "unit", "add", "x", "--community", "sjhy", "--name", "X", "--kind", "tower")
    assert kind.exit_code == 2 and "tower" in kind.output
    community = run(db, "--lang", "en", "unit", "list", "--community", "nowhere")
    assert community.exit_code == 2 and "unknown community" in community.output


def test_an_empty_listing_says_there_is_nothing(db):
    empty = run(db, "--lang", "en", "unit", "list", "--community", "sjhy")
    assert empty.exit_code == 0 and "nothing to list." in empty.output


def test_the_unit_commands_take_db_and_lang_on_the_command_as_well(db):
    result = CliRunner().invoke(main, ["unit", "add", "g1", "--community", "sjhy", "--name",
                                       "一网格", "--kind", "grid", "--db", db, "--lang", "en"])
    assert result.exit_code == 0 and "added grid g1" in result.output
    assert stored(db) == [("g1", "grid", None)]


def test_an_office_command_on_an_uninitialised_database_says_to_run_init(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    for args in (("unit", "list"), ("gift", "list"), ("rules", "list"),
                 ("redemption", "list")):
        result = run(url, "--lang", "en", *args, "--community", "sjhy")
        assert result.exit_code == 2 and "run `timebank init` first" in result.output
    result = run(url, "--lang", "en", "keys", "list")
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.parametrize("args", [
    ("unit", "add", "g1", "--community", "sjhy", "--name", "一\x00网格", "--kind", "grid"),
    ("unit", "list", "--community", "sjhy", "--under", "g\x001"),
    ("gift", "add", "oil", "--community", "sjhy", "--name", "油\udc80", "--cost", "1"),
    ("gift", "restock", "oil\x00", "--community", "sjhy", "--quantity", "1", "--reason", "x"),
    ("service-day", "create", "d\x00", "--community", "sjhy", "--name", "x", "--day",
     "2026-01-01"),
    ("redeem", "--community", "sjhy", "--member", "m\x001", "--gift", "oil"),
    ("redemption", "list", "--community", "sjhy", "--member", "m\x00"),
    ("rules", "show", "x\x00", "--community", "sjhy"),
    ("keys", "list", "--community", "s\x00"),
    ("contribution", "record", "--community", "sjhy", "--member", "m1", "--rule", "errand",
     "--note", "\x00"),
])
def test_office_commands_refuse_text_no_database_can_store_without_a_traceback(db, args):
    refused = run(db, "--lang", "en", *args)
    assert refused.exit_code == 2, refused.output
    assert "cannot be stored" in refused.output and "Traceback" not in refused.output
    assert stored(db) == []


def test_a_quantity_beyond_any_stock_is_a_usage_error(db):
    big = run(db, "--lang", "en", "redeem", "--community", "sjhy", "--member", "m1", "--gift",
              "oil:99999999999999999999")
    assert big.exit_code == 2 and "GIFT:QUANTITY" in big.output
    cost = run(db, "--lang", "en", "gift", "add", "oil", "--community", "sjhy", "--name", "油",
               "--cost", "99999999999999999999")
    assert cost.exit_code == 2 and "--cost" in cost.output
