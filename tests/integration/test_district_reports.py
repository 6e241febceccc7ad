"""District reports over three communities, worked by hand (both engines).

March 2024, points. east (rulebook: study 2 for party members, clean 3): 张三明 e1 study 1
+ clean ×2 = 8; 王五 e2 clean 3; 李四 e3 nothing. west (same rulebook): 赵六 w1 study 2;
孙七 w2 clean ×3 = 9. north (clean only): 周八 n1 clean 3, and clean 3 more in April.
Per community: east 11 (clean 9, study 2; 2 earners, 3 contributions), west 11 (clean 9,
study 2; 2, 2), north 3 (clean 3; 1, 1). District: 25 (clean 21, study 4), 6 members,
5 earners, 6 contributions. Study participation: east 1 of 3, west 1 of 1, north has no
such rule: 2 of 4.
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from timebank import Timebank
from timebank.domain.masking import mask_name
from timebank.domain.rulebook import loads
from timebank.errors import NotFound, UnknownRule, ValidationError

BOTH = """
[rulebook]
name = "both"

[[rules]]
code = "study"
name_zh = "学习日"
name_en = "Study day"
basis = "per_occurrence"
rate = 2
eligible_roles = ["party_member"]

[[rules]]
code = "clean"
name_zh = "清扫"
name_en = "Cleaning"
basis = "per_occurrence"
rate = 3
"""
CLEAN = BOTH[:BOTH.index("[[rules]]")] + BOTH[BOTH.index("[[rules]]\ncode = \"clean\""):]
PARTY = ["party_member"]


@pytest.fixture
def district(tb: Timebank) -> str:
    for code, book in (("east", BOTH), ("west", BOTH), ("north", CLEAN)):
        tb.communities.create(code, f"{code}社区")
        tb.rules.install(code, loads(book))
    for community, member, name, roles in (
            ("east", "e1", "张三明", PARTY), ("east", "e2", "王五", PARTY),
            ("east", "e3", "李四", PARTY), ("west", "w1", "赵六", PARTY),
            ("west", "w2", "孙七", []), ("north", "n1", "周八", [])):
        tb.members.add(community, member, name, roles=roles)
    for n, (community, member, rule, quantity, day) in enumerate([
            ("east", "e1", "study", 1, "2024-03-15"), ("east", "e1", "clean", 2, "2024-03-02"),
            ("east", "e2", "clean", 1, "2024-03-20"), ("west", "w1", "study", 1, "2024-03-15"),
            ("west", "w2", "clean", 3, "2024-03-09"), ("north", "n1", "clean", 1, "2024-03-31"),
            ("north", "n1", "clean", 1, "2024-04-01")]):
        tb.contributions.record(community, member, rule, key=f"k{n}", quantity=quantity,
                                occurred_on=day, recorded_by="clerk")
    tb.districts.create("jd", "街道", ["east", "west", "north"], ["points"])
    return "jd"


def test_the_district_month_adds_up_each_community_and_the_whole(
        tb: Timebank, district: str) -> None:
    report = tb.districts.monthly(district, "2024-03")
    assert [(c.community, c.members, c.earners, c.contributions, c.total, dict(c.by_rule))
            for c in report.communities] == [
        ("east", 3, 2, 3, 11, {"clean": 9, "study": 2}),
        ("west", 2, 2, 2, 11, {"clean": 9, "study": 2}),
        ("north", 1, 1, 1, 3, {"clean": 3})]
    assert (report.members, report.earners, report.contributions, report.total) == \
        (6, 5, 6, 25)
    assert dict(report.rules) == {"clean": 21, "study": 4}
    assert (report.first, report.last, report.name) == ("2024-03-01", "2024-03-31", "街道")
    assert tb.districts.monthly(district, "2024-04").total == 3
    assert tb.districts.period(district, "2024-Q1").total == 25
    assert tb.districts.period(district, "2024").total == 28
    assert tb.districts.monthly(district, "2024-03", ledger_unit="minutes").total == 0


def test_the_district_leaderboard_ranks_across_communities_with_names_masked(
        tb: Timebank, district: str) -> None:
    board = tb.districts.leaderboard(district, "2024-03", limit=4)
    assert [(x.rank, x.community, x.member, x.name, x.total) for x in board.lines] == [
        (1, "west", None, mask_name("孙七"), 9), (2, "east", None, mask_name("张三明"), 8),
        (3, "east", None, mask_name("王五"), 3), (3, "north", None, mask_name("周八"), 3)]
    assert all(x.name not in ("孙七", "张三明", "王五", "周八") for x in board.lines)
    shown = tb.districts.leaderboard(district, "2024", limit=2, mask=False)
    assert [(x.member, x.name, x.total) for x in shown.lines] == [
        ("w2", "孙七", 9), ("e1", "张三明", 8)]
    with pytest.raises(ValidationError):
        tb.districts.leaderboard(district, "2024", limit=0)


def test_district_participation_adds_up_the_communities_that_have_the_rule(
        tb: Timebank, district: str) -> None:
    share = tb.districts.participation(district, "2024-03", "study")
    assert [(p.community, p.eligible, p.participated) for p in share.communities] == [
        ("east", 3, 1), ("west", 1, 1)]
    assert share.without_rule == ("north",)
    assert (share.eligible, share.participated, share.rate, share.met) == (4, 2, 0.5, False)
    clean = tb.districts.participation(district, "2024-03", "clean", target=0.5)
    assert (clean.eligible, clean.participated, clean.met) == (6, 4, True)  # e1 e2 w2 n1
    with pytest.raises(UnknownRule):
        tb.districts.participation(district, "2024-03", "nowhere")


def test_district_reports_come_as_csv_and_xlsx_in_both_languages(
        tb: Timebank, district: str) -> None:
    report = tb.districts.monthly(district, "2024-03")
    text = tb.reports.to_csv(report, "en").decode("utf-8-sig")
    assert text.splitlines()[0].split(",") == [
        "community", "name", "members", "earners", "clean", "study", "total",
        "contributions"]
    assert text.splitlines()[-1].split(",") == ["", "Total", "6", "5", "21", "4", "25", "6"]
    assert "合计" in tb.reports.to_csv(report, "zh").decode("utf-8-sig")
    board = tb.districts.leaderboard(district, "2024-03")
    sheet = load_workbook(io.BytesIO(tb.reports.to_xlsx(board, "zh"))).active
    assert [c.value for c in sheet[1]] == ["名次", "社区", "编号", "姓名", "积分"]
    assert sheet.cell(2, 4).value == mask_name("孙七")
    share = tb.districts.participation(district, "2024-03", "study")
    rows = tb.reports.to_csv(share, "en").decode("utf-8-sig").splitlines()
    assert rows[-1] == "Total,4,2,50.0%"


def test_an_unknown_district_or_a_bad_month_is_refused(tb: Timebank, district: str) -> None:
    with pytest.raises(NotFound):
        tb.districts.monthly("nowhere", "2024-03")
    with pytest.raises(ValidationError):
        tb.districts.monthly(district, "2024-13")
    with pytest.raises(ValidationError):
        tb.districts.monthly(district, "2024")  # a month, not a year


def test_district_reports_read_the_running_totals_never_the_history(
        tb: Timebank, district: str) -> None:
    import sqlalchemy as sa

    seen: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement.lower())

    sa.event.listen(tb.store.engine, "before_cursor_execute", record)
    try:
        tb.districts.monthly(district, "2024-03")
        tb.districts.leaderboard(district, "2024")
    finally:
        sa.event.remove(tb.store.engine, "before_cursor_execute", record)
    read = {m.group(2) for s in seen
            for m in re.finditer(r'\b(from|join)\s+"?([a-z_]+)', s)}
    assert "earnings_monthly" in read
    assert not read & {"postings", "entries", "contributions"}, read
