"""The reports over HTTP (SQLite and PostgreSQL) against a small community done by hand.

March 2024 (points): 张三明 p1 study 2 + clean 6 = 8 (2 contributions); 赵六 p3 clean 6;
王五 p2 study 2. Total 16: clean 12, study 4. April: 王五 clean 9, so 2024 has 王五 11,
张三明 8, 赵六 6. Units: g1 (p1, p3), g2 (p2, p4). Study is for party members: p1, p2
and p4 (孙七, who did nothing) are eligible, two of them took part.
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.api.conftest import Api
from timebank.domain.rulebook import loads

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

[[rules]]
code = "clean"
name_zh = "清扫"
name_en = "Cleaning"
basis = "per_occurrence"
rate = 3
"""
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def town(api: Api) -> Api:
    bank, community = api.bank, "sjhy"
    bank.rules.install(community, loads(RULEBOOK))
    bank.units.create(community, "g1", "一网格", "grid")
    bank.units.create(community, "g2", "二网格", "grid")
    party = ["party_member"]
    bank.members.add(community, "p1", "张三明", roles=party, unit="g1")
    bank.members.add(community, "p2", "王五", roles=party, unit="g2")
    bank.members.add(community, "p3", "赵六", unit="g1")
    bank.members.add(community, "p4", "孙七", roles=party, unit="g2")
    for n, (member, rule, quantity, day) in enumerate([
            ("p1", "study", 1, "2024-03-15"), ("p1", "clean", 2, "2024-03-02"),
            ("p3", "clean", 2, "2024-03-09"), ("p2", "study", 1, "2024-03-15"),
            ("p2", "clean", 3, "2024-04-06")]):
        bank.contributions.record(community, member, rule, key=f"r{n}", quantity=quantity,
                                  occurred_on=day, recorded_by="clerk")
    return api


def test_the_monthly_report_gives_each_member_points_by_rule_total_and_rank(
        town: Api) -> None:
    response = town.as_("clerk").get("/reports/monthly?month=2024-03")
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert [(x["member"], x["name"], x["by_rule"], x["total"], x["rank"],
             x["contributions"]) for x in report["lines"]] == [
        ("p1", "张三明", {"clean": 6, "study": 2}, 8, 1, 2),
        ("p3", "赵六", {"clean": 6}, 6, 2, 1),
        ("p2", "王五", {"study": 2}, 2, 3, 1)]
    assert [(r["code"], r["name_zh"], r["total"]) for r in report["rules"]] == [
        ("clean", "清扫", 12), ("study", "学习日", 4)]
    assert [(u["unit"], u["members"], u["total"]) for u in report["units"]] == [
        ("g1", 2, 14), ("g2", 1, 2)]
    assert (report["total"], report["first"], report["last"]) == (
        16, "2024-03-01", "2024-03-31")


def test_the_monthly_report_of_a_unit_covers_only_the_members_under_it(town: Api) -> None:
    report = town.get("/reports/monthly?month=2024-03&unit=g1").get_json()
    assert [(x["member"], x["rank"]) for x in report["lines"]] == [("p1", 1), ("p3", 2)]
    assert (report["unit"], report["unit_name"], report["total"]) == ("g1", "一网格", 14)


def test_the_leaderboard_masks_names_and_hides_codes_by_default(town: Api) -> None:
    board = town.get("/reports/leaderboard?period=2024&limit=2").get_json()
    assert board["masked"] is True
    assert [(x["rank"], x["member"], x["name"], x["total"]) for x in board["lines"]] == [
        (1, None, "王*", 11), (2, None, "张*明", 8)]


@pytest.mark.parametrize("role", ["admin", "clerk"])
def test_the_office_asking_mask_false_sees_real_names_and_codes(town: Api,
                                                                role: str) -> None:
    board = town.as_(role).get("/reports/leaderboard?period=2024-03&mask=false").get_json()
    assert board["masked"] is False
    assert [(x["rank"], x["member"], x["name"], x["unit"]) for x in board["lines"]] == [
        (1, "p1", "张三明", "g1"), (2, "p3", "赵六", "g1"), (3, "p2", "王五", "g2")]


def test_participation_is_the_share_of_eligible_members_who_took_part(town: Api) -> None:
    share = town.as_("clerk").get("/reports/participation?month=2024-03&rule=study")
    assert share.status_code == 200, share.get_json()
    body = share.get_json()
    assert (body["eligible"], body["participated"], body["percent"], body["met"]) == (
        3, 2, "66.7%", False)
    assert body["rate"] == pytest.approx(2 / 3) and body["target"] == 0.9
    assert [(u["unit"], u["eligible"], u["participated"]) for u in body["units"]] == [
        ("g1", 1, 1), ("g2", 2, 1)]
    lower = town.get("/reports/participation?month=2024-03&rule=study&target=0.5")
    assert lower.get_json()["met"] is True


def test_a_report_as_csv_is_a_utf8_file_with_a_row_per_member_and_a_total(
        town: Api) -> None:
    response = town.get("/reports/monthly?month=2024-03&format=csv&mask=false")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == CSV
    assert response.headers["Content-Disposition"] == \
        'attachment; filename=sjhy-monthly-2024-03.csv'
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["名次", "编号", "姓名", "所属单元", "清扫", "学习日", "合计", "次数"]
    assert rows[1:] == [["1", "p1", "张三明", "一网格", "6", "2", "8", "2"],
                        ["2", "p3", "赵六", "一网格", "6", "0", "6", "1"],
                        ["3", "p2", "王五", "二网格", "0", "2", "2", "1"],
                        ["", "", "合计", "", "12", "4", "16", "4"]]


def test_a_leaderboard_as_csv_keeps_names_masked(town: Api) -> None:
    response = town.get("/reports/leaderboard?period=2024&format=csv&lang=en")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows == [["rank", "member", "name", "unit", "total"],
                    ["1", "", "王*", "二网格", "11"], ["2", "", "张*明", "一网格", "8"],
                    ["3", "", "赵*", "一网格", "6"]]


def test_a_report_as_xlsx_is_a_workbook_openpyxl_opens(town: Api) -> None:
    response = town.get("/reports/participation?month=2024-03&rule=study&format=xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XLSX
    assert "filename=sjhy-participation-study-2024-03.xlsx" in \
        response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["单元", "名称", "应参加人数", "参加人数", "参与率"]
    assert rows[1:] == [["g1", "一网格", 1, 1, "100.0%"], ["g2", "二网格", 2, 1, "50.0%"],
                        [None, "合计", 3, 2, "66.7%"]]


@pytest.mark.parametrize("role", ["member", "kiosk"])
@pytest.mark.parametrize("path", [
    "/reports/monthly?month=2024-03", "/reports/leaderboard?period=2024&mask=false",
    "/reports/participation?month=2024-03&rule=study"])
def test_member_and_kiosk_keys_may_not_read_reports(town: Api, role: str,
                                                    path: str) -> None:
    response = town.as_(role).get(path)
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"
    assert response.get_json()["code"] == "forbidden"


def test_a_platform_key_reads_the_reports_of_the_community_it_names(town: Api) -> None:
    platform = town.as_("platform")
    assert platform.get("/reports/monthly?month=2024-03").status_code == 422
    named = platform.get("/reports/monthly?month=2024-03",
                         headers={"X-Timebank-Community": "sjhy"})
    assert named.status_code == 200 and named.get_json()["total"] == 16


@pytest.mark.parametrize("path, field", [
    ("/reports/monthly", "month"),
    ("/reports/monthly?month=2024-13", "month"),
    ("/reports/monthly?month=March", "month"),
    ("/reports/monthly?month=2024", "month"),
    ("/reports/monthly?month=1900-01", "month"),
    ("/reports/monthly?month=2024-03&format=pdf", "format"),
    ("/reports/monthly?month=2024-03&ledger_unit=hours", "ledger_unit"),
    ("/reports/monthly?month=2024-03&unit=", "unit"),
    ("/reports/leaderboard?period=2024-3", "period"),
    ("/reports/leaderboard?period=2024&limit=0", "limit"),
    ("/reports/leaderboard?period=2024&limit=1001", "limit"),
    ("/reports/leaderboard?period=2024&limit=ten", "limit"),
    ("/reports/leaderboard?period=2024&mask=perhaps", "mask"),
    ("/reports/participation?month=2024-03", "rule"),
    ("/reports/participation?month=2024&rule=study", "month"),
    ("/reports/participation?month=2024-03&rule=study&target=2", "target"),
])
def test_a_bad_query_value_is_a_validation_problem_naming_the_field(
        town: Api, path: str, field: str) -> None:
    response = town.get(path)
    assert response.status_code == 422, response.get_json()
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "validation_error" and field in body["errors"]


@pytest.mark.parametrize("path, field", [
    ("/reports/participation?month=2024-03&rule=nope", "rule"),
    ("/reports/monthly?month=2024-03&unit=nowhere", "unit"),
    ("/reports/leaderboard?period=2024&unit=nowhere", "unit"),
])
def test_an_unknown_rule_or_unit_is_not_found(town: Api, path: str, field: str) -> None:
    response = town.get(path)
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.get_json()["field"] == field
