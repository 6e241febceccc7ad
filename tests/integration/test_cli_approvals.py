"""``timebank import`` ends with the import's id and what it left pending; ``timebank
review`` lists it with the flags; ``timebank approve`` approves it in one act (both
engines)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from timebank import Timebank
from timebank.cli import main
from timebank.timeutil import local_date, utcnow


@pytest.fixture
def db(migrated_url: str) -> str:
    bank = Timebank(migrated_url)
    bank.communities.create("sjhy", "世纪花园社区")
    for i in range(1, 4):
        bank.members.add("sjhy", f"m{i}", f"居民{i}")
    bank.rules.install("sjhy", "red_vest")
    bank.close()
    return migrated_url


def run(db, *args):
    result = CliRunner().invoke(main, ["--db", db, "--lang", "en", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


def test_import_review_and_approve_a_sheet_from_the_command_line(db, tmp_path):
    day = local_date(utcnow(), "Asia/Shanghai")
    path = tmp_path / "sheet.csv"
    path.write_text("member,rule,quantity,occurred_on\n" + "".join(
        f"m{1 + i % 3},errand,1,{day - timedelta(days=40 if i == 0 else 1 + i)}\n"
        for i in range(5)), encoding="utf-8")
    imported = run(db, "import", "contributions", str(path), "--community", "sjhy",
                   "--actor", "clerk-A")
    assert imported.exit_code == 0, imported.output
    assert "import #1: 5 rows, 5 added" in imported.output
    assert "5 pending approval, 1 flagged" in imported.output

    review = run(db, "review", "--community", "sjhy", "--import", "1", "--flagged")
    assert review.exit_code == 0 and "FLAGS: late" in review.output
    assert "1 pending listed" in review.output

    mine = run(db, "approve", "--community", "sjhy", "--import", "1", "--approver",
               "clerk-A")
    assert mine.exit_code == 0 and "approved 0" in mine.output
    assert "recorded by the approver: 5" in mine.output  # checked before the flags

    done = run(db, "approve", "--community", "sjhy", "--import", "1", "--approver",
               "clerk-B")
    assert done.exit_code == 0 and "approved 4 (8 points), skipped 1" in done.output

    missing = run(db, "approve", "--community", "sjhy", "--import", "9", "--approver", "B")
    assert missing.exit_code != 0 and "unknown import 9" in missing.output
    bare = run(db, "approve", "--community", "sjhy", "--approver", "B")
    assert bare.exit_code == 2
