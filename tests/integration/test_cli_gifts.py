"""``timebank gift add|list|update|restock|correct``: the catalogue from the command
line on both engines. Each write is keyed by its arguments, so a retyped command writes
once and says so; bad input is a message and a non-zero exit, with nothing written."""

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


def gift(db: str, code: str):
    bank = Timebank(db)
    try:
        return bank.gifts.get("sjhy", code), bank.gifts.movements("sjhy", code)
    finally:
        bank.close()


ADD_OIL = ("gift", "add", "oil", "--community", "sjhy", "--name", "食用油", "--name-en",
           "Cooking oil", "--cost", "10", "--stock", "5", "--discount", "low_income:10")


def test_a_gift_added_twice_with_the_same_command_is_stored_once(db):
    first = run(db, "--lang", "en", *ADD_OIL)
    assert first.exit_code == 0, first.output
    assert "added gift oil (Cooking oil): 10 points each, 5 in stock" in first.output
    again = run(db, "--lang", "en", *ADD_OIL)
    assert again.exit_code == 0, again.output
    stored, moves = gift(db, "oil")
    assert (stored.cost, stored.stock, [m.quantity for m in moves]) == (10, 5, [5])
    assert [(r.tag, r.percent_off) for r in stored.price_rules] == [("low_income", 10)]


def test_the_same_code_with_other_values_is_refused_not_changed(db):
    assert run(db, *ADD_OIL).exit_code == 0
    other = run(db, "--lang", "en", "gift", "add", "oil", "--community", "sjhy", "--name",
                "油", "--cost", "12")
    assert other.exit_code == 2 and "already exists" in other.output
    assert gift(db, "oil")[0].cost == 10


def test_the_catalogue_lists_in_chinese_and_english(db):
    assert run(db, *ADD_OIL).exit_code == 0
    zh = run(db, "gift", "list", "--community", "sjhy")
    assert zh.exit_code == 0
    assert "食用油" in zh.output and "库存" in zh.output and "积分" in zh.output
    en = run(db, "--lang", "en", "gift", "list", "--community", "sjhy")
    assert "Cooking oil" in en.output and "stock" in en.output
    assert "low_income -10%" in en.output


def test_update_changes_only_the_named_fields_and_clear_removes_one(db):
    assert run(db, *ADD_OIL).exit_code == 0
    done = run(db, "--lang", "en", "gift", "update", "oil", "--community", "sjhy", "--cost",
               "8", "--limit-per-member", "2", "--limit-period", "week")
    assert done.exit_code == 0, done.output
    assert "updated gift oil (Cooking oil): 8 points each, 5 in stock" in done.output
    stored = gift(db, "oil")[0]
    assert (stored.cost, stored.limit_per_member, stored.limit_period, stored.name) == \
        (8, 2, "week", "食用油")
    assert run(db, "gift", "update", "oil", "--community", "sjhy", "--clear",
               "limit_per_member", "--clear", "price_rules").exit_code == 0
    stored = gift(db, "oil")[0]
    assert stored.limit_per_member is None and stored.price_rules == ()


def test_an_update_that_names_nothing_is_a_usage_error(db):
    assert run(db, *ADD_OIL).exit_code == 0
    nothing = run(db, "--lang", "en", "gift", "update", "oil", "--community", "sjhy")
    assert nothing.exit_code == 2 and "name at least one field" in nothing.output
    both = run(db, "--lang", "en", "gift", "update", "oil", "--community", "sjhy",
               "--min-tier", "gold", "--clear", "min_tier")
    assert both.exit_code == 2 and "--clear min_tier" in both.output


def test_a_restock_typed_twice_counts_once_and_another_reason_counts_again(db):
    assert run(db, *ADD_OIL).exit_code == 0
    args = ("gift", "restock", "oil", "--community", "sjhy", "--quantity", "3", "--reason",
            "3月第1批")
    first = run(db, "--lang", "en", *args)
    assert first.exit_code == 0 and "3 more, 8 in stock now" in first.output
    assert "already run" not in first.output
    again = run(db, "--lang", "en", *args)
    assert again.exit_code == 0 and "already run" in again.output
    assert gift(db, "oil")[0].stock == 8
    second = run(db, "gift", "restock", "oil", "--community", "sjhy", "--quantity", "3",
                 "--reason", "3月第2批")
    assert second.exit_code == 0 and "11" in second.output
    on_purpose = run(db, *args, "--key", "delivery-3")
    assert on_purpose.exit_code == 0
    stored, moves = gift(db, "oil")
    assert stored.stock == 14
    assert [m.kind for m in moves] == ["initial", "restock", "restock", "restock"]


def test_a_stocktake_sets_the_stock_and_records_the_difference(db):
    assert run(db, *ADD_OIL).exit_code == 0
    counted = run(db, "--lang", "en", "gift", "correct", "oil", "--community", "sjhy",
                  "--counted", "4", "--reason", "月末盘点")
    assert counted.exit_code == 0 and "stock set to 4 (-1)" in counted.output
    same = run(db, "--lang", "en", "gift", "correct", "oil", "--community", "sjhy",
               "--counted", "4", "--reason", "再点一次")
    assert same.exit_code == 0 and "as the books say" in same.output
    stored, moves = gift(db, "oil")
    assert stored.stock == 4 and [m.quantity for m in moves] == [5, -1]


@pytest.mark.parametrize("args, expected", [
    (("--cost", "0"), "cost"),
    (("--cost", "ten"), "ten"),
    (("--unit", "coins"), "coins"),
    (("--discount", "low_income"), "TAG:PERCENT"),
    (("--discount", "low_income:150"), "percent_off"),
    (("--stock", "-1"), "stock"),
])
def test_bad_gift_values_are_refused_with_a_message_and_nothing_is_stored(db, args,
                                                                           expected):
    refused = run(db, "--lang", "en", "gift", "add", "tea", "--community", "sjhy", "--name",
                  "茶叶", "--cost", "5", *args)
    assert refused.exit_code == 2, refused.output
    assert expected in refused.output and "Traceback" not in refused.output
    listing = run(db, "--lang", "en", "gift", "list", "--community", "sjhy")
    assert "nothing to list." in listing.output


def test_restocking_an_unknown_gift_is_not_found(db):
    missing = run(db, "--lang", "en", "gift", "restock", "nope", "--community", "sjhy",
                  "--quantity", "1", "--reason", "x")
    assert missing.exit_code == 2 and "error (not_found)" in missing.output


def test_an_update_back_to_an_earlier_value_is_applied_not_taken_for_a_replay(db):
    assert run(db, *ADD_OIL).exit_code == 0
    for cost in ("8", "10", "8"):
        assert run(db, "gift", "update", "oil", "--community", "sjhy", "--cost",
                   cost).exit_code == 0
        assert gift(db, "oil")[0].cost == int(cost)


def test_the_same_count_a_second_time_after_stock_moved_is_applied_again(db):
    assert run(db, *ADD_OIL).exit_code == 0
    args = ("gift", "correct", "oil", "--community", "sjhy", "--counted", "4", "--reason",
            "月末盘点")
    assert run(db, *args).exit_code == 0
    assert run(db, "gift", "restock", "oil", "--community", "sjhy", "--quantity", "2",
               "--reason", "到货").exit_code == 0
    assert gift(db, "oil")[0].stock == 6
    again = run(db, "--lang", "en", *args)
    assert again.exit_code == 0 and "stock set to 4 (-2)" in again.output
    assert [m.quantity for m in gift(db, "oil")[1]] == [5, -1, 2, -2]
