"""`timebank request ...` and `timebank offer ...` at the community office."""

from __future__ import annotations

from datetime import date

from click.testing import CliRunner

from timebank.cli import main


def test_the_office_posts_a_request_records_the_volunteer_and_confirms(tb, community):
    tb.ledger.award(community, "m1", 120, unit="minutes", key="seed")
    url = tb.store.url
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, [*args, "--db", url, "--community", community,
                                      "--lang", "en"])
        assert result.exit_code == 0, result.output
        return result.output

    assert "request #1 posted, 60 minutes held (payer m1)" in run(
        "request", "post", "--member", "m1", "--title", "买菜", "--category", "errands",
        "--minutes", "60", "--key", "p1", "--needed-on", "2030-01-01")
    assert "offer #1 (m2, errands): listed" in run(
        "offer", "add", "--member", "m2", "--category", "errands", "--text", "代买")
    assert "m2#1" in run("request", "list", "--status", "open")
    assert "claimed" in run("request", "claim", "1", "--member", "m2")
    assert "45 minutes paid, 15 released" in run("request", "confirm", "1", "--minutes",
                                                 "45", "--key", "c1")
    assert "confirmed" in run("request", "show", "1")
    assert "助餐" in run("request", "categories")
    assert tb.ledger.balance(community, "m2")["minutes"].posted == 45
    bad = runner.invoke(main, ["request", "claim", "1", "--member", "m3", "--db", url,
                               "--community", community])
    assert bad.exit_code == 2 and "invalid_state" in bad.output


def test_the_expire_command_also_closes_requests_past_their_date(tb, community):
    tb.ledger.award(community, "m1", 120, unit="minutes", key="seed")
    old = tb.requests.post(community, "m1", "送餐", "meals", 30, key="p1",
                           needed_on=date(2024, 12, 31))
    later = tb.requests.post(community, "m1", "送餐", "meals", 30, key="p2",
                             needed_on=date(2025, 1, 2))
    runner = CliRunner()
    args = ["--db", tb.store.url, "expire", "--as-of", "2025-01-01", "--community", community]

    dry = runner.invoke(main, [*args, "--dry-run", "--lang", "en"])
    assert dry.exit_code == 0, dry.output
    assert f"{community}: 1 open request(s) past their date would expire" in dry.output
    assert tb.requests.get(community, old.id).status == "open"

    real = runner.invoke(main, [*args, "--lang", "en"])
    assert real.exit_code == 0, real.output
    assert f"{community}: 1 open request(s) past their date expired" in real.output
    assert tb.requests.get(community, old.id).status == "expired"
    assert tb.requests.get(community, later.id).status == "open"
    assert tb.ledger.balance(community, "m1")["minutes"].held == 30

    again = runner.invoke(main, [*args, "--lang", "zh"])
    assert again.exit_code == 0, again.output
    assert f"{community}: 0 个过期未完成的互助需求已关闭" in again.output
