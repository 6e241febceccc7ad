"""``timebank member list`` on both engines: the members by code, filtered by unit (and
below), role, team or tag, paged by code, in zh-CN and English."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main


@pytest.fixture
def db(migrated_url: str) -> str:
    bank = Timebank(migrated_url)
    bank.communities.create("sjhy", "世纪花园社区")
    bank.units.create("sjhy", "g1", "一网格", "grid")
    bank.units.create("sjhy", "b3", "3号楼", "building", "g1")
    bank.members.add("sjhy", "m1", "张三明", unit="b3", roles=("volunteer",),
                     tags=("low_income",))
    bank.members.add("sjhy", "m2", "李四", phone="13800000000")
    bank.members.add("sjhy", "m3", "王芳", unit="g1", roles=("resident", "volunteer"))
    bank.close()
    return migrated_url


def run(db: str, *args: str):
    result = CliRunner().invoke(main, ["--db", db, *args], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


def codes(output: str) -> list[str]:
    return [code for code in ("m1", "m2", "m3") if f" {code} " in output]


def test_members_are_listed_by_code_and_filtered_by_unit_role_and_tag(db):
    everyone = run(db, "member", "list", "--community", "sjhy")
    assert everyone.exit_code == 0, everyone.output
    assert codes(everyone.output) == ["m1", "m2", "m3"]
    assert "电话" in everyone.output and "13800000000" in everyone.output
    assert codes(run(db, "member", "list", "--community", "sjhy", "--unit",
                     "g1").output) == ["m1", "m3"]
    assert codes(run(db, "member", "list", "--community", "sjhy", "--role",
                     "volunteer").output) == ["m1", "m3"]
    tagged = run(db, "--lang", "en", "member", "list", "--community", "sjhy", "--tag",
                 "low_income")
    assert codes(tagged.output) == ["m1"] and "roles" in tagged.output


def test_a_page_starts_after_the_code_given(db):
    page = run(db, "member", "list", "--community", "sjhy", "--after", "m1", "--limit", "1")
    assert codes(page.output) == ["m2"]


def test_an_unknown_unit_is_a_clear_error(db):
    unknown = run(db, "--lang", "en", "member", "list", "--community", "sjhy", "--unit", "x")
    assert unknown.exit_code == 2 and "error (not_found)" in unknown.output
