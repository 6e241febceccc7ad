"""Listing honour hours (荣誉时长) on both engines: from the library, filtered by status,
participant, rule and activity days, paged; and from the CLI (list, propose, approve)."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from timebank.cli import main
from timebank.domain.rulebook import loads
from timebank.errors import UnknownMember, ValidationError

SERVICE = """
[[rules]]
code = "patrol"
basis = "per_hour"
rate = 1
service = true

[[rules]]
code = "snow_clearing"
basis = "per_hour"
rate = 3
service = true

[[rules]]
code = "errand"
basis = "per_occurrence"
rate = 1
"""


def served(tb, member, rule, hours, day):
    """Approved service: these rules need no approval."""
    tb.contributions.record("cc", member, rule, key=f"{member}-{rule}-{day}",
                            quantity=hours, occurred_on=day, recorded_by="clerk-a")


@pytest.fixture
def honoured(tb):
    tb.communities.create("cc", "世纪花园社区", rulebook=loads(SERVICE))
    for code, name in (("m1", "张三明"), ("m2", "李四"), ("m3", "王五")):
        tb.members.add("cc", code, name)
    for member in ("m1", "m2"):
        served(tb, member, "patrol", 3, "2025-03-01")
    served(tb, "m3", "snow_clearing", 2, "2025-04-02")
    first = tb.certificates.propose_honour("cc", date(2025, 3, 1), "patrol", ["m1", "m2"],
                                           30, "组织者加时", actor="clerk-a")
    tb.certificates.approve_honour("cc", first.id, approver="clerk-b")
    second = tb.certificates.propose_honour("cc", date(2025, 4, 2), "snow_clearing",
                                            ["m3"], 20, "暴雪", actor="clerk-a")
    return first.id, second.id


def test_every_honour_is_listed_by_id_with_its_participants(tb, honoured):
    found = tb.certificates.honours("cc")
    assert [(h.id, h.status, h.members, h.minutes) for h in found] == [
        (honoured[0], "approved", ("m1", "m2"), 30), (honoured[1], "pending", ("m3",), 20)]
    assert found[0].approved_by == "clerk-b" and found[1].approved_by is None


def test_honours_are_filtered_by_status_participant_rule_and_activity_days(tb, honoured):
    def ids(**kwargs):
        return [h.id for h in tb.certificates.honours("cc", **kwargs)]
    assert ids(status="pending") == [honoured[1]]
    assert ids(status="approved") == [honoured[0]]
    assert ids(member="m2") == [honoured[0]]
    assert ids(member="m3", status="approved") == []
    assert ids(rule="snow_clearing") == [honoured[1]]
    assert ids(from_=date(2025, 4, 1), to=date(2025, 4, 30)) == [honoured[1]]
    assert ids(to=date(2025, 3, 31)) == [honoured[0]]
    assert ids(after=honoured[0], limit=1) == [honoured[1]]


def test_a_bad_filter_is_a_clear_error(tb, honoured):
    with pytest.raises(UnknownMember):
        tb.certificates.honours("cc", member="ghost")
    with pytest.raises(ValidationError) as err:
        tb.certificates.honours("cc", status="lost")
    assert err.value.details["field"] == "status"
    with pytest.raises(ValidationError):
        tb.certificates.honours("cc", from_=date(2025, 4, 1), to=date(2025, 3, 1))


def test_the_cli_proposes_approves_and_lists_honours(tb, honoured, db_url):
    def run(*args):
        return CliRunner().invoke(main, ["--db", db_url, "--lang", "en", *args])
    listed = run("honour", "list", "--community", "cc", "--status", "pending")
    assert listed.exit_code == 0, listed.output
    assert "暴雪" in listed.output and "组织者加时" not in listed.output
    made = run("honour", "propose", "--community", "cc", "--on", "2025-03-01",
               "--rule", "patrol", "--member", "m1", "--minutes", "10",
               "--reason", "带队", "--by", "clerk-a")
    assert made.exit_code == 0, made.output
    assert "pending approval" in made.output
    again = run("honour", "propose", "--community", "cc", "--on", "2025-03-01",
                "--rule", "patrol", "--member", "m1", "--minutes", "10",
                "--reason", "带队", "--by", "clerk-a")
    assert again.exit_code == 0 and len(tb.certificates.honours("cc")) == 3  # a replay
    new_id = tb.certificates.honours("cc")[-1].id
    approved = run("honour", "approve", "--community", "cc", str(new_id), "--by", "clerk-b")
    assert approved.exit_code == 0 and "approved" in approved.output
    mine = run("honour", "list", "--community", "cc", "--member", "m1", "--lang", "zh")
    assert mine.exit_code == 0 and "m1" in mine.output and "参与者" in mine.output
    too_much = run("honour", "propose", "--community", "cc", "--on", "2025-03-01",
                   "--rule", "patrol", "--member", "m1", "--minutes", "900",
                   "--reason", "太多", "--by", "clerk-a")
    assert too_much.exit_code != 0 and "Traceback" not in too_much.output
    assert len(tb.certificates.honours("cc")) == 3
    none = run("honour", "list", "--community", "cc", "--rule", "errand")
    assert none.exit_code == 0 and "no honour hours match" in none.output
