"""The ``district`` commands: positions and a settlement, from the worked example."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from timebank import Timebank
from timebank.cli import main
from timebank.domain.masking import mask_name
from timebank.domain.rulebook import loads

CLEAN = """
[rulebook]
name = "clean"

[[rules]]
code = "clean"
name_zh = "清扫"
name_en = "Cleaning"
basis = "per_occurrence"
rate = 3
"""


def test_the_cli_shows_positions_and_settles_them_to_zero(tb: Timebank, db_url: str) -> None:
    for code in ("east", "west"):
        tb.communities.create(code, code)
        tb.members.add(code, "m", "m")
        tb.ledger.award(code, "m", 50, key="seed")
        tb.gifts.create(code, "soap", name="肥皂", cost=10, stock=5)
    tb.districts.create("jd", "街道", ["east", "west"], ["points"])
    tb.redemptions.redeem("west", "east:m", [("soap", 2)], key="r1")
    runner = CliRunner()
    shown = runner.invoke(main, ["--db", db_url, "--lang", "en", "district", "positions", "jd"])
    assert shown.exit_code == 0, shown.output
    assert "-20" in shown.output
    done = runner.invoke(main, ["--db", db_url, "district", "settle", "jd"])
    assert done.exit_code == 0, done.output
    assert "结算至" in done.output
    assert all(p.total == 0 for p in tb.districts.positions("jd"))
    checked = runner.invoke(main, ["--db", db_url, "verify"])
    assert checked.exit_code == 0, checked.output


def test_the_cli_records_a_partners_volunteer_who_is_paid_at_home(
        tb: Timebank, db_url: str) -> None:
    for code in ("east", "west"):
        tb.communities.create(code, code)
        tb.members.add(code, "m", "m")
        tb.ledger.award(code, "m", 100, unit="minutes", key="seed")
    tb.districts.create("jd", "街道", ["east", "west"], ["minutes"])
    runner = CliRunner()

    def run(*args: str) -> str:
        done = runner.invoke(main, ["--db", db_url, "--lang", "en", *args])
        assert done.exit_code == 0, done.output
        return done.output

    run("request", "post", "--community", "west", "--member", "m", "--title", "买菜",
        "--category", "errands", "--minutes", "60", "--key", "p1")
    request_id = str(tb.requests.find("west")[0].id)
    assert "east:m" in run("request", "claim", "--community", "west", request_id,
                           "--member", "east:m")
    assert "45 minutes paid" in run("request", "confirm", "--community", "west", request_id,
                                    "--minutes", "45", "--key", "c1")
    assert tb.ledger.balance("east", "m")["minutes"].posted == 145
    assert tb.ledger.balance("west", "m")["minutes"].posted == 55
    refused = runner.invoke(main, ["--db", db_url, "request", "claim", "--community", "west",
                                   request_id, "--member", "far:m"])
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    assert "45" in run("district", "positions", "jd")
    assert runner.invoke(main, ["--db", db_url, "verify"]).exit_code == 0


def test_the_cli_prints_the_district_reports_as_tables_and_files(
        tb: Timebank, db_url: str, tmp_path: Path) -> None:
    for code in ("east", "west"):
        tb.communities.create(code, code)
        tb.rules.install(code, loads(CLEAN))
    tb.members.add("east", "e1", "张三明")
    tb.members.add("west", "w1", "赵六")
    tb.contributions.record("east", "e1", "clean", key="k1", quantity=2,
                            occurred_on="2024-03-02", recorded_by="clerk")
    tb.contributions.record("west", "w1", "clean", key="k2", quantity=1,
                            occurred_on="2024-03-05", recorded_by="clerk")
    tb.districts.create("jd", "街道", ["east", "west"], ["points"])
    runner = CliRunner()

    def run(*args: str) -> str:
        done = runner.invoke(main, ["--db", db_url, "--lang", "en", "district", "report",
                                    *args])
        assert done.exit_code == 0, done.output
        return done.output

    shown = run("monthly", "jd", "--month", "2024-03")
    assert "east" in shown and "Total" in shown and "9" in shown
    text = run("monthly", "jd", "--month", "2024-03", "--format", "csv")
    assert text.splitlines()[-1].lstrip("\ufeff") == ",Total,2,2,9,9,2"
    board = run("leaderboard", "jd", "--period", "2024", "--format", "csv")
    assert "张三明" not in board and mask_name("张三明") in board
    assert "张三明" in run("leaderboard", "jd", "--period", "2024", "--no-mask")
    sheet = tmp_path / "share.xlsx"
    run("participation", "jd", "--month", "2024-03", "--rule", "clean", "-o", str(sheet))
    assert load_workbook(sheet).active.cell(4, 4).value == "100.0%"
    refused = runner.invoke(main, ["--db", db_url, "district", "report", "monthly", "nowhere",
                                   "--month", "2024-03"])
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    bad = runner.invoke(main, ["--db", db_url, "district", "report", "monthly", "jd",
                               "--month", "2024-13"])
    assert bad.exit_code != 0 and "Traceback" not in bad.output
