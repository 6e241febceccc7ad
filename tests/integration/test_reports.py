"""Report figures against a small community computed by hand.

March 2024 (points): 张三明 p1 study 2 + clean 6 = 8; 赵六 p4 clean 3 + 3 = 6;
王五 p2 study 2 + clean 3 = 5 (a pending repair does not count); Li Wei p5 study 2 +
clean 3 = 5. Total 24: study 6, clean 18. April: p1 clean 3.
Units: g1 (b1: p1, p6; b2: p2), g2 (b3: p3, p4), team t1 (p1, p4); p5 has no unit.
"""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from timebank.domain.access import Actor
from timebank.domain.rulebook import loads
from timebank.errors import NotFound, UnknownRule, ValidationError
from timebank.store.tables import communities, member_teams, members, units

RULEBOOK = """
[rulebook]
name = "test"

[[rules]]
code = "study"
name_zh = "学习日"
name_en = "Study day"
basis = "per_occurrence"
rate = 2
eligible_roles = ["party_member"]
ineligible_tags = ["under_discipline"]

[[rules]]
code = "clean"
name_zh = "清扫"
name_en = "Cleaning"
basis = "per_occurrence"
rate = 3

[[rules]]
code = "repair"
name_zh = "维修"
name_en = "Repairs"
basis = "per_occurrence"
rate = 5
approval = true
"""


def join_team(tb, community, team, codes):
    def run(conn):
        cid = conn.execute(sa.select(communities.c.id)
                           .where(communities.c.code == community)).scalar_one()
        tid = conn.execute(sa.select(units.c.id).where(units.c.community_id == cid,
                                                       units.c.code == team)).scalar_one()
        ids = conn.execute(sa.select(members.c.id).where(
            members.c.community_id == cid, members.c.code.in_(codes))).scalars().all()
        conn.execute(member_teams.insert(), [{"member_id": m, "unit_id": tid} for m in ids])
    tb.store.write(run)


@pytest.fixture
def town(tb, community):
    tb.rules.install(community, loads(RULEBOOK))
    tb.units.create(community, "g1", "一网格", "grid")
    tb.units.create(community, "g2", "二网格", "grid")
    tb.units.create(community, "b1", "1号楼", "building", "g1")
    tb.units.create(community, "b2", "2号楼", "building", "g1")
    tb.units.create(community, "b3", "3号楼", "building", "g2")
    tb.units.create(community, "t1", "巡逻队", "team")
    party = ["party_member"]
    tb.members.add(community, "p1", "张三明", roles=party, unit="b1")
    tb.members.add(community, "p2", "王五", roles=party, unit="b2")
    tb.members.add(community, "p3", "李四", roles=party, unit="b3", tags=["under_discipline"])
    tb.members.add(community, "p4", "赵六", unit="b3")
    tb.members.add(community, "p5", "Li Wei", roles=party)
    tb.members.add(community, "p6", "孙七", roles=party, unit="b1")
    join_team(tb, community, "t1", ["p1", "p4"])
    for n, (member, rule, quantity, day) in enumerate([
            ("p1", "study", 1, "2024-03-15"), ("p1", "clean", 2, "2024-03-02"),
            ("p2", "study", 1, "2024-03-15"), ("p2", "clean", 1, "2024-03-20"),
            ("p4", "clean", 1, "2024-03-05"), ("p4", "clean", 1, "2024-03-25"),
            ("p5", "study", 1, "2024-03-15"), ("p5", "clean", 1, "2024-03-01"),
            ("p2", "repair", 1, "2024-03-07"), ("p1", "clean", 1, "2024-04-01")]):
        tb.contributions.record(community, member, rule, key=f"k{n}", quantity=quantity,
                                occurred_on=day, recorded_by="clerk")
    return community


def test_the_monthly_report_gives_points_by_rule_total_and_rank(tb, town):
    report = tb.reports.monthly(town, month="2024-03")
    assert [(x.member, x.by_rule, x.total, x.rank) for x in report.lines] == [
        ("p1", {"clean": 6, "study": 2}, 8, 1),
        ("p4", {"clean": 6}, 6, 2),
        ("p2", {"clean": 3, "study": 2}, 5, 3),
        ("p5", {"clean": 3, "study": 2}, 5, 3),
    ]
    assert [(r.code, r.name_zh, r.total) for r in report.rules] == [
        ("clean", "清扫", 18), ("study", "学习日", 6)]
    assert report.total == 24
    assert report.community_name == "世纪花园社区"
    assert (report.first, report.last) == ("2024-03-01", "2024-03-31")


def test_unit_totals_add_up_the_units_right_below_the_scope(tb, town):
    report = tb.reports.monthly(town, month="2024-03")
    assert [(u.unit, u.members, u.total) for u in report.units] == [
        ("g1", 2, 13), ("g2", 1, 6), (None, 1, 5)]
    grid = tb.reports.monthly(town, month="2024-03", unit="g1")
    assert [x.member for x in grid.lines] == ["p1", "p2"]
    assert [(u.unit, u.members, u.total) for u in grid.units] == [("b1", 1, 8), ("b2", 1, 5)]


def test_a_team_report_covers_its_members_wherever_they_live(tb, town):
    team = tb.reports.monthly(town, month="2024-03", unit="t1")
    assert [(x.member, x.total, x.rank) for x in team.lines] == [("p1", 8, 1), ("p4", 6, 2)]


def test_an_approved_contribution_counts_in_its_month(tb, town):
    pending = [c for c in tb.contributions.list(town, status="pending")]
    tb.contributions.approve(town, pending[0].id, approver=Actor("admin"), key="approve-1")
    report = tb.reports.monthly(town, month="2024-03")
    assert [(x.member, x.total, x.rank) for x in report.lines][:2] == [("p2", 10, 1),
                                                                      ("p1", 8, 2)]


def test_quarter_and_year_reports_add_up_their_months(tb, town):
    assert tb.reports.period(town, "2024-Q1").total == 24
    year = tb.reports.period(town, "2024")
    assert (year.lines[0].member, year.lines[0].total, year.total) == ("p1", 11, 27)
    assert tb.reports.period(town, "2024-Q2").total == 3


def test_the_leaderboard_masks_names_and_hides_codes_for_posting(tb, town):
    board = tb.reports.leaderboard(town, period="2024", limit=2)
    assert [(x.rank, x.member, x.name, x.total) for x in board.lines] == [
        (1, None, "张*明", 11), (2, None, "赵*", 6)]
    open_board = tb.reports.leaderboard(town, period="2024-03", mask=False, limit=20)
    assert [(x.rank, x.member, x.name) for x in open_board.lines] == [
        (1, "p1", "张三明"), (2, "p4", "赵六"), (3, "p2", "王五"), (3, "p5", "Li Wei")]


def test_participation_counts_eligible_members_who_took_part(tb, town):
    share = tb.reports.participation(town, month="2024-03", rule="study")
    # eligible: p1 p2 p5 p6 (p3 is under discipline, p4 not a party member)
    assert (share.eligible, share.participated, share.percent, share.met) == (
        4, 3, "75.0%", False)
    assert [(u.unit, u.eligible, u.participated) for u in share.units] == [
        ("g1", 3, 2), ("g2", 0, 0), (None, 1, 1)]
    grid = tb.reports.participation(town, month="2024-03", rule="study", unit="g1")
    assert (grid.eligible, grid.participated) == (3, 2)
    assert tb.reports.participation(town, month="2024-04", rule="study").participated == 0


def test_bad_report_arguments_are_refused_with_the_field_named(tb, town):
    with pytest.raises(ValidationError) as bad:
        tb.reports.monthly(town, month="2024-13")
    assert bad.value.details["field"] == "month"
    with pytest.raises(ValidationError):
        tb.reports.monthly(town, month="2024")
    with pytest.raises(NotFound):
        tb.reports.monthly(town, month="2024-03", unit="nowhere")
    with pytest.raises(UnknownRule):
        tb.reports.participation(town, month="2024-03", rule="nothing")
    with pytest.raises(ValidationError) as bad:
        tb.reports.leaderboard(town, period="2024", limit=0)
    assert bad.value.details["field"] == "limit"


def test_an_empty_month_is_an_empty_report(tb, town):
    report = tb.reports.monthly(town, month="2023-01")
    assert (report.lines, report.total) == ((), 0)


def test_every_report_exports_as_csv_and_xlsx(tb, town):
    report = tb.reports.monthly(town, month="2024-03")
    text = tb.reports.to_csv(report).decode("utf-8-sig").splitlines()
    assert text[0] == "名次,编号,姓名,所属单元,清扫,学习日,合计,次数"
    assert text[1] == "1,p1,张三明,1号楼,6,2,8,2"
    assert text[-1] == ",,合计,,18,6,24,8"
    sheet = load_workbook(io.BytesIO(tb.reports.to_xlsx(report, lang="en"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("rank", "member", "name", "unit", "Cleaning", "Study day", "total",
                       "contributions")
    assert rows[1] == (1, "p1", "张三明", "1号楼", 6, 2, 8, 2)
    board = tb.reports.to_csv(tb.reports.leaderboard(town, period="2024"))
    assert "张*明" in board.decode("utf-8-sig") and "p1" not in board.decode("utf-8-sig")
    share = tb.reports.to_csv(tb.reports.participation(town, month="2024-03", rule="study"))
    assert share.decode("utf-8-sig").splitlines()[-1] == ",合计,4,3,75.0%"


def test_the_poster_prints_masked_names_in_chinese_by_default(tb, town):
    report = tb.reports.monthly(town, month="2024-03")
    html = tb.reports.poster(report)
    assert "2024年3月积分公示" in html and "世纪花园社区" in html
    assert "张*明" in html and "张三明" not in html
    assert "size: A4 portrait" in html
    english = tb.reports.poster(report, lang="en", paper="A3", limit=2)
    assert "Points for 2024-03" in english and "size: A3" in english
    assert "2 more members" in english
    with pytest.raises(ValidationError):
        tb.reports.poster(report, paper="Letter")
