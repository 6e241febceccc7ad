"""Exports: the ledger (entries with postings), statements and reports, as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from timebank.io.exports import export_ledger
from timebank.io.writers import write_csv, write_xlsx


def awards(tb, community):
    tb.ledger.award(community, "m1", 5, key="a1", reason="扫雪", actor="clerk")
    tb.ledger.award(community, "m2", 3, key="a2", reason="巡逻", actor="clerk")
    tb.ledger.spend(community, "m1", 2, key="s1", reason="兑换肥皂", actor="desk")


def test_the_ledger_exports_every_posting_with_its_entry(tb, community, tmp_path):
    awards(tb, community)
    rows = export_ledger(tb.store, community, tmp_path / "ledger.csv", lang="en")
    assert rows == 6
    with open(tmp_path / "ledger.csv", encoding="utf-8-sig", newline="") as src:
        lines = list(csv.DictReader(src))
    assert [(r["seq"], r["kind"], r["account"], r["amount"], r["balance_after"])
            for r in lines] == [
        ("1", "award", "system:issuance", "-5", "-5"), ("1", "award", "m1", "5", "5"),
        ("2", "award", "system:issuance", "-3", "-8"), ("2", "award", "m2", "3", "3"),
        ("3", "spend", "m1", "-2", "3"), ("3", "spend", "system:redemption", "2", "2")]
    assert lines[1]["name"] == "居民1" and lines[1]["reason"] == "扫雪"
    assert sum(int(r["amount"]) for r in lines) == 0


def test_the_ledger_exports_as_xlsx_with_chinese_headers(tb, community, tmp_path):
    awards(tb, community)
    export_ledger(tb.store, community, tmp_path / "ledger.xlsx", "xlsx")
    rows = list(load_workbook(tmp_path / "ledger.xlsx").active.iter_rows(values_only=True))
    assert rows[0][:5] == ("分录号", "序号", "发生时间", "记账时间", "类型")
    assert len(rows) == 7


def test_a_ledger_export_can_be_limited_to_local_days(tb, community, tmp_path):
    awards(tb, community)
    buffer = io.BytesIO()
    assert export_ledger(tb.store, community, buffer, since=date(2000, 1, 1),
                         until=date(2000, 1, 31)) == 0
    assert buffer.getvalue().decode("utf-8-sig").count("\n") == 1  # the header only


def test_a_statement_exports_line_by_line(tb, community, tmp_path):
    awards(tb, community)
    statement = tb.statements.statement(community, "m1")
    table = tb.reports.statement_table(statement, lang="en")
    assert write_csv(table, tmp_path / "m1.csv", lang="en") == 2
    text = (tmp_path / "m1.csv").read_text(encoding="utf-8-sig").splitlines()
    assert text[0].startswith("entry,at,occurred_at,kind,amount,unit,balance_after")
    assert [line.split(",")[3:7] for line in text[1:]] == [
        ["award", "5", "points", "5"], ["spend", "-2", "points", "3"]]
    write_xlsx(tb.reports.statement_table(statement), tmp_path / "m1.xlsx")
    assert load_workbook(tmp_path / "m1.xlsx").active.max_row == 3
