"""Masking applies to every public output (both engines): the leaderboard, the monthly
CSV/XLSX and the poster show masked names, no member codes and no household (its
building instead); admins and clerks may ask ``mask=false`` for the files."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook


@pytest.fixture
def block(api):
    """张三明 lives in household 501室 of building 3号楼; 李四 in grid 一网格 itself."""
    bank = api.bank
    bank.rules.install("sjhy", "red_vest")
    bank.units.create("sjhy", "g1", "一网格", "grid")
    bank.units.create("sjhy", "b3", "3号楼", "building", parent="g1")
    bank.units.create("sjhy", "b3h501", "501室", "household", parent="b3")
    bank.members.add("sjhy", "p1", "张三明", roles=["volunteer"], unit="b3h501")
    bank.members.add("sjhy", "p2", "李四", roles=["volunteer"], unit="g1")
    for n, (member, knives) in enumerate([("p1", 5), ("p2", 3)]):
        bank.contributions.record("sjhy", member, "sharpening", key=f"s{n}",
                                  quantity=knives, occurred_on="2024-03-05")
    return api


def rows_of(response):
    assert response.status_code == 200, response.data[:300]
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_a_masked_leaderboard_shows_the_building_not_the_household(block):
    board = block.get("/reports/leaderboard?period=2024-03").get_json()
    assert [(x["member"], x["name"], x["unit"], x["unit_name"]) for x in board["lines"]] == [
        (None, "张*明", "b3", "3号楼"), (None, "李*", "g1", "一网格")]
    as_file = rows_of(block.get("/reports/leaderboard?period=2024-03&format=csv&lang=en"))
    assert as_file[1] == ["1", "", "张*明", "3号楼", "5"]
    office = block.get("/reports/leaderboard?period=2024-03&mask=false").get_json()
    assert (office["lines"][0]["member"], office["lines"][0]["unit"]) == ("p1", "b3h501")


def test_the_monthly_csv_and_xlsx_are_masked_unless_the_office_asks(block):
    masked = rows_of(block.get("/reports/monthly?month=2024-03&format=csv&lang=en"))
    assert masked[1][:4] == ["1", "", "张*明", "3号楼"]
    assert masked[2][:4] == ["2", "", "李*", "一网格"]
    assert "p1" not in str(masked) and "501" not in str(masked)
    full = rows_of(block.as_("clerk").get("/reports/monthly?month=2024-03&format=csv"
                                          "&mask=false"))
    assert full[1][:4] == ["1", "p1", "张三明", "501室"]
    xlsx = block.get("/reports/monthly?month=2024-03&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[1][1:4] == [None, "张*明", "3号楼"]
    office_json = block.get("/reports/monthly?month=2024-03").get_json()
    assert office_json["lines"][0]["member"] == "p1"  # the office's own screen


def test_the_poster_names_the_building_not_the_household(block):
    page = block.get("/reports/poster?month=2024-03").data.decode("utf-8")
    assert "张*明" in page and "3号楼" in page
    assert "501室" not in page and "张三明" not in page
