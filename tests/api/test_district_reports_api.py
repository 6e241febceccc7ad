"""District reports over HTTP: who may read them, masking across communities, CSV and
XLSX answers."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.api.conftest import Api
from timebank.domain.masking import mask_name
from timebank.domain.rulebook import loads

RULEBOOK = """
[rulebook]
name = "d"

[[rules]]
code = "clean"
name_zh = "清扫"
name_en = "Cleaning"
basis = "per_occurrence"
rate = 3
"""


def _district(api: Api) -> Api:
    """sjhy's m1 cleans twice (6 points) in March 2024; east's 张三明 e1 once (3)."""
    bank = api.bank
    bank.communities.create("east", "东社区")
    bank.communities.create("far", "远方社区")
    for community in ("sjhy", "east"):
        bank.rules.install(community, loads(RULEBOOK))
    bank.members.add("east", "e1", "张三明")
    bank.contributions.record("sjhy", "m1", "clean", key="k1", quantity=2,
                              occurred_on="2024-03-02", recorded_by="clerk")
    bank.contributions.record("east", "e1", "clean", key="k2", quantity=1,
                              occurred_on="2024-03-03", recorded_by="clerk")
    bank.districts.create("jd", "街道", ["sjhy", "east"], ["points"])
    api.tokens["east-clerk"] = bank.keys.create("clerk", community="east").token
    api.tokens["far-admin"] = bank.keys.create("admin", community="far").token
    api.tokens["member"] = bank.keys.create("member", community="sjhy", member="m1").token
    return api


def test_staff_of_a_district_community_read_the_district_month(api: Api) -> None:
    _district(api)
    for role in ("platform", "clerk", "admin"):
        got = api.as_(role).get("/districts/jd/reports/monthly?month=2024-03")
        assert got.status_code == 200, got.json
        assert {c["community"]: c["total"] for c in got.json["communities"]} == \
            {"sjhy": 6, "east": 3}
        assert (got.json["total"], got.json["rules"]) == (9, {"clean": 9})
    got = api.get("/districts/jd/reports/monthly?month=2024-03", key=api.tokens["east-clerk"])
    assert got.status_code == 200
    for outsider in ("far-admin", "member"):
        refused = api.get("/districts/jd/reports/monthly?month=2024-03",
                          key=api.tokens[outsider])
        assert (refused.status_code, refused.json["code"]) == (403, "forbidden")
    assert api.as_("platform").get("/districts/nowhere/reports/monthly?month=2024-03") \
        .status_code == 404
    bad = api.as_("platform").get("/districts/jd/reports/monthly?month=2024-13")
    assert (bad.status_code, bad.json["code"]) == (422, "validation_error")


def test_the_district_board_is_masked_and_only_the_platform_unmasks_it(api: Api) -> None:
    _district(api)
    board = api.as_("clerk").get("/districts/jd/reports/leaderboard?period=2024")
    assert board.status_code == 200, board.json
    assert [(x["community"], x["member"], x["total"]) for x in board.json["lines"]] == [
        ("sjhy", None, 6), ("east", None, 3)]
    assert board.json["lines"][1]["name"] == mask_name("张三明")
    refused = api.as_("clerk").get("/districts/jd/reports/leaderboard?period=2024&mask=false")
    assert refused.status_code == 403
    shown = api.as_("platform").get("/districts/jd/reports/leaderboard?period=2024&mask=false")
    assert [x["member"] for x in shown.json["lines"]] == ["m1", "e1"]
    assert shown.json["lines"][1]["name"] == "张三明"


def test_district_reports_answer_csv_and_xlsx(api: Api) -> None:
    _district(api)
    got = api.as_("platform").get("/districts/jd/reports/monthly?month=2024-03&format=csv"
                                  "&lang=en")
    assert got.status_code == 200
    assert got.headers["Content-Type"].startswith("text/csv")
    text = got.data.decode("utf-8-sig").splitlines()
    assert text[0] == "community,name,members,earners,clean,total,contributions"
    assert text[-1].startswith(",Total,")
    got = api.as_("clerk").get("/districts/jd/reports/leaderboard?period=2024-03&format=xlsx")
    sheet = load_workbook(io.BytesIO(got.data)).active
    assert [c.value for c in sheet[1]] == ["名次", "社区", "编号", "姓名", "积分"]
    assert sheet.cell(3, 4).value == mask_name("张三明")
    share = api.as_("clerk").get("/districts/jd/reports/participation?month=2024-03"
                                 "&rule=clean")
    assert share.status_code == 200, share.json
    assert (share.json["eligible"], share.json["participated"]) == (6, 2)  # m1-m5, e1
    assert api.as_("clerk").get("/districts/jd/reports/participation?month=2024-03"
                                "&rule=nowhere").status_code == 404
