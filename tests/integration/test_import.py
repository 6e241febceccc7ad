"""Importing members and contributions: bad rows reported, nothing written wrong,
a re-import adds nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from timebank.domain.rulebook import loads
from timebank.io.contribution_import import contribution_plan
from timebank.io.importing import run_import
from timebank.io.member_import import member_plan
from timebank.store.tables import earnings_monthly, member_teams, members, units


def add_units(tb, community):
    def run(conn):
        cid = conn.execute(sa.text("SELECT id FROM communities WHERE code = :c"),
                           {"c": community}).scalar_one()
        grid = conn.execute(units.insert().values(
            community_id=cid, code="g1", name="一网格", kind="grid", path="/g1/")
            .returning(units.c.id)).scalar_one()
        conn.execute(units.insert(), [
            {"community_id": cid, "code": "b1", "name": "1号楼", "kind": "building",
             "parent_id": grid, "path": "/g1/b1/"},
            {"community_id": cid, "code": "patrol", "name": "巡逻队", "kind": "team",
             "parent_id": None, "path": "/patrol/"}])
    tb.store.write(run)


def member_rows(tb, community):
    with tb.store.read() as conn:
        return conn.execute(
            sa.select(members.c.code, members.c.name, members.c.roles, units.c.code)
            .select_from(members.outerjoin(units, units.c.id == members.c.unit_id))
            .join_from(members, sa.text("communities"),
                       sa.text("communities.id = members.community_id"))
            .where(sa.text("communities.code = :c")).params(c=community)
            .order_by(members.c.code)).all()


def write_csv(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


ROSTER = ("编号,姓名,电话,身份,楼栋,服务队\n"
          "a1,张三明,13800000001,党员;志愿者,b1,patrol\n"
          "a2,王五,,,g1,\n"
          "a3,Li Wei,,volunteer,,\n")


def test_members_import_from_a_gbk_csv_with_chinese_headers(tb, community, tmp_path):
    add_units(tb, community)
    path = write_csv(tmp_path / "roster.csv", ROSTER, "gbk")
    report = run_import(tb.store, community, path, member_plan("zh"))
    assert report.ok and (report.rows, report.added, report.unchanged) == (3, 3, 0)
    rows = {r[0]: r for r in member_rows(tb, community)}
    assert rows["a1"] == ("a1", "张三明", ["party_member", "volunteer"], "b1")
    assert rows["a2"][3] == "g1"
    with tb.store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(member_teams)).scalar() == 1


def test_reimporting_the_same_roster_adds_nothing(tb, community, tmp_path):
    add_units(tb, community)
    path = write_csv(tmp_path / "roster.csv", ROSTER)
    run_import(tb.store, community, path, member_plan())
    before = member_rows(tb, community)
    again = run_import(tb.store, community, path, member_plan())
    assert again.ok and (again.added, again.unchanged) == (0, 3)
    assert member_rows(tb, community) == before


def test_one_bad_row_writes_nothing_by_default_and_every_problem_is_reported(
        tb, community, tmp_path):
    add_units(tb, community)
    path = write_csv(tmp_path / "bad.csv",
                     "code,name,unit\nb1,Good,b1\nb2,,b1\nb3,Also good,nowhere\n")
    report = run_import(tb.store, community, path, member_plan())
    assert not report.committed and report.added == 0 and report.rejected == 2
    assert [(p.row, p.column) for p in report.problems] == [(3, "name"), (4, "unit")]
    assert "nowhere" in report.problems[1].message
    assert [r[0] for r in member_rows(tb, community)] == ["m1", "m2", "m3", "m4", "m5"]


def test_skip_bad_rows_imports_the_good_ones(tb, community, tmp_path):
    add_units(tb, community)
    path = write_csv(tmp_path / "bad.csv",
                     "code,name,unit\nb1,Good,b1\nb2,,b1\nb3,Also good,nowhere\nb4,Fine,\n")
    report = run_import(tb.store, community, path, member_plan(), skip_bad_rows=True,
                        chunk_size=2)
    assert report.committed and (report.added, report.rejected) == (2, 2)
    assert {r[0] for r in member_rows(tb, community)} >= {"b1", "b4"}
    assert "b2" not in {r[0] for r in member_rows(tb, community)}


def test_a_missing_required_column_is_reported_before_any_row(tb, community, tmp_path):
    path = write_csv(tmp_path / "nocode.csv", "姓名,电话\n张三,1\n")
    report = run_import(tb.store, community, path, member_plan())
    assert not report.committed and report.rows == 0
    assert [(p.row, p.column, p.message) for p in report.problems] == [
        (1, "code / 编号", "required column is missing")]


def test_a_code_that_exists_under_another_name_is_reported_not_overwritten(
        tb, community, tmp_path):
    path = write_csv(tmp_path / "dup.csv", "code,name\nm1,居民1\nm2,Somebody Else\n"
                                           "n1,New\nn1,Other New\n")
    report = run_import(tb.store, community, path, member_plan(), skip_bad_rows=True)
    assert [(p.row, p.column) for p in report.problems] == [(3, "code"), (5, "code")]
    assert (report.added, report.unchanged) == (1, 1)
    names = {r[0]: r[1] for r in member_rows(tb, community)}
    assert names["m2"] == "居民2" and names["n1"] == "New"


def test_members_import_from_xlsx(tb, community, tmp_path):
    book = Workbook()
    book.active.append(["Code", "Name", "Roles"])
    book.active.append([1001, "赵六", "party_member"])
    book.save(tmp_path / "roster.xlsx")
    report = run_import(tb.store, community, tmp_path / "roster.xlsx", member_plan())
    assert report.ok and report.added == 1
    assert ("1001", "赵六", ["party_member"], None) in member_rows(tb, community)


# -- contributions -------------------------------------------------------------------------

RULEBOOK = """
[[rules]]
code = "study"
name_zh = "学习日"
name_en = "Study day"
basis = "per_occurrence"
rate = 2
eligible_roles = ["party_member"]

[[rules]]
code = "patrol"
name_zh = "巡逻"
name_en = "Patrol"
basis = "per_hour"
rate = 1
"""


@pytest.fixture
def rules(tb, community):
    tb.rules.install(community, loads(RULEBOOK))
    tb.members.add(community, "p1", "张三明", roles=["party_member"])
    return community


def earned(tb, community):
    with tb.store.read() as conn:
        return conn.execute(
            sa.select(members.c.code, earnings_monthly.c.rule, earnings_monthly.c.points,
                      earnings_monthly.c.contributions)
            .join(members, members.c.id == earnings_monthly.c.member_id)
            .order_by(members.c.code, earnings_monthly.c.rule)).all()


CONTRIBUTIONS = ("成员编号,规则,数量,日期,开始时间,结束时间,备注\n"
                 "p1,study,,2024-03-15,,,学习日\n"
                 "m1,patrol,1.5,2024-03-02,,,\n"
                 "m2,patrol,,,2024-03-02 08:00,2024-03-02 10:00,早班\n")


def test_contributions_import_from_a_gbk_csv_and_post_their_points(tb, rules, tmp_path):
    path = write_csv(tmp_path / "c.csv", CONTRIBUTIONS, "gbk")
    report = run_import(tb.store, rules, path, contribution_plan(rules, lang="zh"))
    assert report.ok and (report.rows, report.added, report.unchanged) == (3, 3, 0)
    # 1.5 hours of patrol at 1 point an hour: the rule rounds half up to 2 points.
    assert [tuple(r) for r in earned(tb, rules)] == [
        ("m1", "patrol", 2, 1), ("m2", "patrol", 2, 1), ("p1", "study", 2, 1)]


def test_reimporting_contributions_adds_nothing(tb, rules, tmp_path):
    path = write_csv(tmp_path / "c.csv", CONTRIBUTIONS)
    run_import(tb.store, rules, path, contribution_plan(rules))
    before = earned(tb, rules)
    again = run_import(tb.store, rules, path, contribution_plan(rules),
                       skip_bad_rows=True)
    assert again.ok and (again.added, again.unchanged) == (0, 3)
    assert earned(tb, rules) == before
    assert tb.verify(rules).ok


def test_bad_contribution_rows_write_nothing_and_each_is_named(tb, rules, tmp_path):
    path = write_csv(tmp_path / "bad.csv", (
        "member,rule,quantity,occurred_on\n"
        "p1,study,1,2024-03-15\n"       # fine
        "nobody,study,1,2024-03-15\n"   # unknown member
        "m1,study,1,2024-03-15\n"       # not a party member
        "m1,dance,1,2024-03-15\n"       # unknown rule
        "m1,patrol,x,2024-03-15\n"      # not a number
        "m1,patrol,1,2999-01-01\n"))    # in the future
    report = run_import(tb.store, rules, path, contribution_plan(rules))
    assert not report.committed and report.added == 0 and report.rejected == 5
    assert [(p.row, p.column) for p in report.problems] == [
        (6, "quantity"), (3, "member"), (4, "member"), (5, "rule"), (7, "occurred_on")]
    assert "nobody" in report.problems[1].message
    assert earned(tb, rules) == []


def test_skip_bad_rows_records_the_good_contributions(tb, rules, tmp_path):
    path = write_csv(tmp_path / "bad.csv", "member,rule,occurred_on\np1,study,2024-03-15\n"
                                           "nobody,study,2024-03-15\n")
    report = run_import(tb.store, rules, path, contribution_plan(rules),
                        skip_bad_rows=True)
    assert report.committed and (report.added, report.rejected) == (1, 1)
    assert [tuple(r) for r in earned(tb, rules)] == [("p1", "study", 2, 1)]


def test_a_key_column_tells_apart_rows_with_the_same_content(tb, rules, tmp_path):
    path = write_csv(tmp_path / "keys.csv", "key,member,rule,quantity,date\n"
                                            "a,m1,patrol,1,2024-03-02\n"
                                            "b,m1,patrol,1,2024-03-02\n"
                                            "b,m1,patrol,1,2024-03-02\n")
    report = run_import(tb.store, rules, path, contribution_plan(rules))
    assert (report.added, report.unchanged) == (2, 1)
    assert [tuple(r) for r in earned(tb, rules)] == [("m1", "patrol", 2, 2)]


def test_contributions_import_from_xlsx_with_typed_cells(tb, rules, tmp_path):
    book = Workbook()
    book.active.append(["Member", "Rule", "Quantity", "Date"])
    book.active.append(["p1", "study", 1, datetime(2024, 3, 15)])
    book.save(tmp_path / "c.xlsx")
    report = run_import(tb.store, rules, tmp_path / "c.xlsx",
                        contribution_plan(rules))
    assert report.ok and report.added == 1


def test_a_large_file_is_read_in_chunks_with_progress(tb, rules, tmp_path):
    lines = "".join(f"m{1 + i % 5},patrol,1,2024-03-{1 + i % 28:02d},,,n{i}\n"
                    for i in range(120))
    path = write_csv(tmp_path / "big.csv", "member,rule,quantity,date,start,end,note\n" + lines)
    seen = []
    report = run_import(tb.store, rules, path, contribution_plan(rules),
                        chunk_size=25, progress=lambda done, total: seen.append((done, total)))
    assert report.ok and report.added == 120
    assert seen[-1][0] == seen[-1][1] == path.stat().st_size
    assert len(seen) >= 120 // 25  # at least once a chunk


def test_an_all_or_nothing_contribution_import_is_one_transaction(tb, rules, tmp_path):
    # The last row passes every row check; only the write sees that its key was given
    # to the first row: the rows written before it must go too.
    path = write_csv(tmp_path / "clash.csv", "member,rule,quantity,date,key\n"
                     "m1,patrol,1,2024-03-01,k1\n"
                     "m2,patrol,1,2024-03-02,k2\n"
                     "m3,patrol,2,2024-03-03,k1\n")
    before = tb.verify().entries_checked
    report = run_import(tb.store, rules, path, contribution_plan(rules), chunk_size=1)
    assert not report.committed and report.added == 0
    assert [(p.row, "k1" in p.message) for p in report.problems] == [(4, True)]
    assert tb.verify().entries_checked == before
