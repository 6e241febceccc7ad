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
