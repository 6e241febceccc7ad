"""Tamper evidence: ``verify`` finds rows edited behind the library's back."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from timebank.cli import main


@pytest.fixture
def books(tb, community):
    """Three entries: award 10 to m1 (1), transfer 3 to m2 (2), award 7 to m3 (3)."""
    ids = [tb.ledger.award(community, "m1", 10, key="a").entry_id,
           tb.ledger.transfer(community, "m1", "m2", 3, key="t").entry_id,
           tb.ledger.award(community, "m3", 7, key="b").entry_id]
    assert tb.verify().ok
    return ids


def tamper(tb, statement: str, **params) -> None:
    with tb.store.engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def test_an_edited_posting_amount_is_found_and_the_entry_named(tb, books):
    tamper(tb, "UPDATE postings SET amount = amount + 100 WHERE entry_id = :e AND amount > 0",
           e=books[1])
    report = tb.verify()
    assert not report.ok
    assert report.first_bad_entry == books[1]
    assert any("hash" in p.what for p in report.problems)


def test_an_edited_reason_breaks_the_chain_at_that_entry(tb, books):
    tamper(tb, "UPDATE entries SET reason = 'invented' WHERE id = :e", e=books[0])
    assert tb.verify().first_bad_entry == books[0]


def test_a_balance_edited_by_hand_is_found(tb, books):
    tamper(tb, "UPDATE accounts SET posted = posted + 500 WHERE member_id IS NOT NULL")
    report = tb.verify()
    assert not report.ok
    assert any("stored posted" in p.what for p in report.problems)


def test_a_deleted_entry_is_found(tb, books):
    tamper(tb, "DELETE FROM postings WHERE entry_id = :e", e=books[2])
    tamper(tb, "DELETE FROM entries WHERE id = :e", e=books[2])
    assert not tb.verify().ok


def test_a_recomputed_hash_does_not_hide_an_edit_from_the_balances(tb, books):
    # Even if someone rewrote the amounts consistently, the stored balances disagree.
    tamper(tb, "UPDATE postings SET amount = amount * 2 WHERE entry_id = :e", e=books[2])
    problems = tb.verify().problems
    assert any(p.account_id is not None for p in problems)


def test_the_cli_exits_non_zero_and_names_the_first_bad_entry(tb, books):
    url = tb.store.url
    runner = CliRunner()
    ok = runner.invoke(main, ["--db", url, "--lang", "en", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "3 entries checked" in ok.output
    tamper(tb, "UPDATE postings SET amount = amount - 1 WHERE entry_id = :e AND amount > 0",
           e=books[0])
    bad = runner.invoke(main, ["verify", "--community", "sjhy", "--db", url, "--lang", "zh"])
    assert bad.exit_code == 1
    assert f"第一条异常分录:{books[0]}" in bad.output


def test_verify_never_reports_a_problem_while_awards_are_being_written(tb, community):
    # Issue 10: on PostgreSQL verify read the head and the entries in separate snapshots
    # and saw "13 entries found, head says 12" while writes were in flight.
    writers, awards, checks = 2, 200, 20
    done = threading.Event()
    errors: list[BaseException] = []

    def write(w: int) -> None:
        try:
            for i in range(awards):
                if done.is_set():
                    return
                tb.ledger.award(community, f"m{w + 1}", 1, key=f"w{w}-{i}")
        except BaseException as exc:  # reported by the assertions below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    try:
        reports = [tb.verify(community) for _ in range(checks)]
    finally:
        done.set()
        for t in threads:
            t.join()
    assert not errors
    assert [r.problems for r in reports if not r.ok] == []
    assert tb.verify().ok
