"""The community worker's commands: import, report, export, member — on a real SQLite
file and, when ``TIMEBANK_TEST_POSTGRES_URL`` is set, a PostgreSQL schema of its own
(passed with ``--db``), with clear messages and exit codes and no tracebacks."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from timebank import Timebank
from timebank.cli import main
from timebank.domain.rulebook import loads

RULEBOOK = """
[[rules]]
code = "study"
name_zh = "学习日"
name_en = "Study day"
basis = "per_occurrence"
rate = 2
eligible_roles = ["party_member"]
"""


@pytest.fixture
def db(migrated_url: str) -> str:
    """The URL of a migrated database (on each engine) with community ``sjhy``, its
    study rule and unit b1."""
    bank = Timebank(migrated_url)
    bank.communities.create("sjhy", "世纪花园社区")
    bank.rules.install("sjhy", loads(RULEBOOK))
    bank.units.create("sjhy", "b1", "1号楼", "grid")
    bank.close()
    return migrated_url


def run(db, *args, input=None):
    result = CliRunner().invoke(main, ["--db", db, *args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


ROSTER = "编号,姓名,身份,单元\np1,张三明,党员,b1\np2,王五,党员,b1\np3,李四,居民,\n"
STUDY = "成员编号,规则,日期\np1,study,2024-03-15\np2,study,2024-03-15\n"


def load(db, tmp_path):
    (tmp_path / "roster.csv").write_bytes(ROSTER.encode("gbk"))
    (tmp_path / "study.csv").write_text(STUDY, encoding="utf-8-sig")
    assert run(db, "import", "members", str(tmp_path / "roster.csv"), "--community",
               "sjhy").exit_code == 0
    assert run(db, "import", "contributions", str(tmp_path / "study.csv"), "--community",
               "sjhy").exit_code == 0


def test_importing_members_and_contributions_reports_counts_in_chinese(db, tmp_path):
    (tmp_path / "roster.csv").write_bytes(ROSTER.encode("gbk"))
    result = run(db, "import", "members", str(tmp_path / "roster.csv"), "--community", "sjhy",
                 "--lang", "zh")
    assert result.exit_code == 0
    assert "读取 3 行,新增 3 条" in result.output
    again = run(db, "import", "members", str(tmp_path / "roster.csv"), "--community", "sjhy",
                "--lang", "en")
    assert "0 added, 3 already present" in again.output


def test_a_file_with_bad_rows_exits_1_and_names_row_and_column(db, tmp_path):
    load(db, tmp_path)
    (tmp_path / "bad.csv").write_text("member,rule,date\np1,study,2024-04-15\n"
                                      "p9,study,2024-04-15\np3,study,2024-04-15\n")
    result = run(db, "import", "contributions", str(tmp_path / "bad.csv"), "--community",
                 "sjhy", "--lang", "en")
    assert result.exit_code == 1
    assert "nothing imported: 2 bad rows" in result.output
    assert "row 3 [member]: unknown member 'p9'" in result.output
    assert "row 4 [member]" in result.output
    skipped = run(db, "import", "contributions", str(tmp_path / "bad.csv"), "--community",
                  "sjhy", "--lang", "en", "--skip-bad-rows")
    assert skipped.exit_code == 1 and "1 added" in skipped.output


def test_a_missing_column_or_unknown_community_fails_cleanly(db, tmp_path):
    (tmp_path / "nocode.csv").write_text("name\nA\n")
    result = run(db, "import", "members", str(tmp_path / "nocode.csv"), "--community",
                 "sjhy", "--lang", "en")
    assert result.exit_code == 1 and "header row" in result.output
    assert "code / 编号" in result.output
    result = run(db, "import", "members", str(tmp_path / "nocode.csv"), "--community", "zz")
    assert result.exit_code == 2 and "找不到社区 “zz”" in result.output  # zh-CN by default
    result = run(db, "import", "members", str(tmp_path / "none.csv"), "--community", "sjhy")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_the_monthly_report_shows_writes_csv_xlsx_and_the_poster(db, tmp_path):
    load(db, tmp_path)
    shown = run(db, "report", "monthly", "--community", "sjhy", "--month", "2024-03",
                "--lang", "en")
    assert shown.exit_code == 0 and "张三明" in shown.output
    csv = run(db, "report", "monthly", "--community", "sjhy", "--month", "2024-03",
              "--format", "csv", "--lang", "zh")
    assert csv.output.lstrip("\ufeff").splitlines()[:2] == [
        "名次,编号,姓名,所属单元,学习日,合计,次数", "1,p1,张三明,1号楼,2,2,1"]
    out = tmp_path / "march.xlsx"
    assert run(db, "report", "monthly", "--community", "sjhy", "--month", "2024-03",
               "--output", str(out)).exit_code == 0
    assert load_workbook(out).active.max_row == 4  # header, two members, total
    poster = tmp_path / "poster.html"
    result = run(db, "report", "monthly", "--community", "sjhy", "--month", "2024-03",
                 "--format", "html", "--output", str(poster), "--paper", "A3")
    assert result.exit_code == 0
    assert "张*明" in poster.read_text(encoding="utf-8")


def test_a_bad_month_is_a_clear_error(db):
    result = run(db, "report", "monthly", "--community", "sjhy", "--month", "March")
    english = run(db, "--lang", "en", "report", "monthly", "--community", "sjhy", "--month",
                  "March")
    assert result.exit_code == english.exit_code == 2
    assert "month 必须是 YYYY-MM" in result.output and "must be" not in result.output
    assert "month must be YYYY-MM" in english.output


def test_leaderboard_and_participation_commands(db, tmp_path):
    load(db, tmp_path)
    board = run(db, "report", "leaderboard", "--community", "sjhy", "--period", "2024")
    assert board.exit_code == 0 and "张*明" in board.output and "张三明" not in board.output
    share = run(db, "report", "participation", "--community", "sjhy", "--month", "2024-03",
                "--rule", "study", "--lang", "en")
    assert share.exit_code == 0
    assert "2 of 2 eligible members took part, 100.0% (meets 90%)" in share.output


def test_exports_of_ledger_statement_and_report(db, tmp_path):
    load(db, tmp_path)
    ledger = tmp_path / "ledger.csv"
    result = run(db, "export", "ledger", "--community", "sjhy", "-o", str(ledger))
    assert result.exit_code == 0
    lines = ledger.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + 4  # two awards, two postings each
    statement = tmp_path / "p1.xlsx"
    assert run(db, "export", "statement", "p1", "--community", "sjhy",
               "-o", str(statement)).exit_code == 0
    assert load_workbook(statement).active.max_row == 2
    report = tmp_path / "board.csv"
    assert run(db, "export", "report", "leaderboard", "--community", "sjhy", "--period",
               "2024-03", "-o", str(report)).exit_code == 0
    assert "张*明" in report.read_text(encoding="utf-8-sig")


def test_members_are_added_and_looked_up_at_the_desk(db):
    added = run(db, "member", "add", "d1", "--community", "sjhy", "--name", "赵六",
                "--card", "C-001", "--role", "volunteer", "--unit", "b1", "--lang", "zh")
    assert added.exit_code == 0 and "已添加成员 d1" in added.output
    shown = run(db, "member", "show", "--card", "C-001", "--community", "sjhy",
                "--lang", "en")
    assert shown.exit_code == 0
    assert "name: 赵六" in shown.output and "roles: volunteer" in shown.output
    twice = run(db, "member", "add", "d1", "--community", "sjhy", "--name", "X")
    assert twice.exit_code == 2 and "成员 “d1” 已存在" in twice.output
