"""The ``district`` commands: positions and a settlement, from the worked example."""

from __future__ import annotations

from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main


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
