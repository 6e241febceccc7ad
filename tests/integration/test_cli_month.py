"""A community office without an integrator runs its whole month from the command line
(issue 11, item 15), on both engines and in Chinese: set up, units, members, rules,
single records and an imported sheet, approval by a second person, gifts, a service day
with redemptions, the monthly report, keys listed and one revoked; the books verify."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main
from timebank.timeutil import local_date, utcnow


def test_a_whole_month_runs_from_the_command_line(db_url: str, tmp_path) -> None:
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(main, ["--db", db_url, *args], env={"COLUMNS": "200"})
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            result.exception
        assert result.exit_code == code, (args, result.output)
        return result.output

    today = local_date(utcnow(), "Asia/Shanghai")
    day, month = today.isoformat(), today.strftime("%Y-%m")

    assert "已创建数据库结构" in run("init")
    assert "已创建社区 sjhy" in run("community", "create", "sjhy", "--name", "世纪花园社区",
                                   "--rulebook", "red_vest")
    run("unit", "add", "g1", "--community", "sjhy", "--name", "一网格", "--kind", "grid")
    run("unit", "add", "b3", "--community", "sjhy", "--name", "3号楼", "--kind", "building",
        "--parent", "g1")
    assert "3号楼" in run("unit", "list", "--community", "sjhy")
    for code, name in (("m1", "张三明"), ("m2", "李四"), ("m3", "王芳")):
        assert f"已添加成员 {code}" in run("member", "add", code, "--community", "sjhy",
                                          "--name", name, "--unit", "b3", "--role",
                                          "volunteer")
    rules = run("rules", "list", "--community", "sjhy")
    assert "errand" in rules and "代买代办" in rules

    recorded = run("contribution", "record", "--community", "sjhy", "--member", "m1",
                   "--rule", "elder_care", "--quantity", "3", "--on", day,
                   "--recorded-by", "录入员")
    assert "待审核" in recorded and "6 积分" in recorded
    sheet = tmp_path / "三月.csv"
    sheet.write_text("member,rule,quantity,occurred_on\n"
                     f"m1,errand,1,{day}\nm2,errand,1,{day}\nm3,repair,2,{day}\n",
                     encoding="utf-8")
    imported = run("import", "contributions", str(sheet), "--community", "sjhy", "--actor",
                   "录入员")
    assert "待审核 3 条" in imported  # the import says how many wait for approval
    review = run("--lang", "en", "review", "--community", "sjhy")
    assert "4 pending listed" in review
    own = run("--lang", "en", "approve", "--community", "sjhy", "--from", day, "--to", day,
              "--approver", "录入员")
    assert "approved 0" in own  # four eyes: not the one who recorded them
    approved = run("--lang", "en", "approve", "--community", "sjhy", "--from", day, "--to",
                   day, "--approver", "审核员")
    assert "approved 4 (16 points), skipped 0." in approved

    run("gift", "add", "oil", "--community", "sjhy", "--name", "食用油", "--cost", "3",
        "--stock", "3")
    run("gift", "restock", "oil", "--community", "sjhy", "--quantity", "2", "--reason",
        "第一批")
    assert "食用油" in run("gift", "list", "--community", "sjhy")
    run("service-day", "create", "d1", "--community", "sjhy", "--name", "月末兑换日",
        "--day", day)
    redeemed = run("redeem", "--community", "sjhy", "--member", "m1", "--gift", "oil:2",
                   "--service-day", "d1")
    assert "已发放" in redeemed and "兑换后可用:2" in redeemed
    run("redeem", "--community", "sjhy", "--member", "m3", "--gift", "oil", "--service-day",
        "d1", "--hold")
    run("redemption", "fulfil", "2", "--community", "sjhy")
    assert "已发放" in run("redemption", "list", "--community", "sjhy", "--service-day", "d1")
    closed = run("service-day", "close", "d1", "--community", "sjhy")
    assert "已使用:9 积分" in closed and "账物相符" in closed

    report = run("--lang", "en", "report", "monthly", "--community", "sjhy", "--month", month)
    assert "m1" in report and "m3" in report and "张三明" in report

    made = run("--lang", "en", "keys", "create", "--role", "clerk", "--community", "sjhy",
               "--label", "窗口")
    token = made.strip().splitlines()[-1]
    listed = run("keys", "list", "--community", "sjhy")
    assert "窗口" in listed and token not in listed
    key_id = made.split("#", 1)[1].split()[0]
    run("keys", "revoke", key_id)
    assert "窗口" not in run("keys", "list", "--community", "sjhy")
    assert "窗口" in run("keys", "list", "--community", "sjhy", "--revoked")
    assert "ok:" in run("--lang", "en", "verify")

    bank = Timebank(db_url)
    try:
        balances = {m: bank.ledger.balance("sjhy", m)["points"].available
                    for m in ("m1", "m2", "m3")}
        assert balances == {"m1": 8 - 6, "m2": 2, "m3": 6 - 3}
        assert bank.gifts.get("sjhy", "oil").stock == 3 + 2 - 3
        assert [r.status for r in bank.redemptions.find("sjhy")] == ["fulfilled"] * 2
        with pytest.raises(Exception, match="unknown API key"):
            bank.keys.resolve(token)
    finally:
        bank.close()
