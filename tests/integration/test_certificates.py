"""Service records and certificates (志愿服务记录证明), worked by hand, on both engines.

The example: in March 2025 张三明 (m1) of a red-vest community
- patrols 2.5 h on 03-01 (150 min), approved;
- cares for an elder 1.75 h on 03-05, credited in half hours rounded down: 90 min;
- clears snow 3 h on 03-10 (180 min), approved;
- and also: sharpens 5 knives (not service), has a patrol still pending and one rejected,
  a patrol on 04-01 (outside the period) and a 100-point adjustment (never hours).
Service minutes for March: 150 + 90 + 180 = 420 (7 hours).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from timebank.cli import main
from timebank.domain.access import Actor
from timebank.domain.ledger import GENESIS_HASH, Entry, Posting
from timebank.errors import (
    HonourExceedsService,
    InvalidState,
    NoServiceInPeriod,
    SelfApproval,
    UnknownCertificate,
    ValidationError,
)

MARCH = (date(2025, 3, 1), date(2025, 3, 31))


def served(tb, member, rule, hours, day, *, approve=True):
    done = tb.contributions.record("cc", member, rule, key=f"{member}-{rule}-{day}-{hours}",
                                   quantity=hours, occurred_on=day, recorded_by="clerk-a")
    if approve:
        tb.contributions.approve("cc", done.id, approver=Actor("clerk-b"), key=None)
    return done.id


@pytest.fixture
def march(tb):
    tb.communities.create("cc", "世纪花园社区", rulebook="red_vest")
    tb.communities.update_settings("cc", {"issuer": {
        "name": "世纪花园社区居民委员会", "person_in_charge": "王主任", "contact": "010-1234"}})
    tb.members.add("cc", "m1", "张三明", phone="13800000001")
    tb.members.add("cc", "m2", "李四")
    ids = {"patrol": served(tb, "m1", "patrol", 2.5, "2025-03-01"),
           "care": served(tb, "m1", "elder_care", 1.75, "2025-03-05"),
           "snow": served(tb, "m1", "snow_clearing", 3, "2025-03-10")}
    tb.contributions.record("cc", "m1", "sharpening", key="knives", quantity=5,
                            occurred_on="2025-03-11", recorded_by="clerk-a")
    served(tb, "m1", "patrol", 2, "2025-03-12", approve=False)
    rejected = served(tb, "m1", "patrol", 1, "2025-03-13", approve=False)
    tb.contributions.reject("cc", rejected, approver=Actor("clerk-b"), reason="无记录", key=None)
    served(tb, "m1", "patrol", 3, "2025-04-01")
    served(tb, "m2", "patrol", 1, "2025-03-01")
    tb.ledger.award("cc", "m1", 100, key="adj", reason="gift")
    return ids


def test_hours_on_a_certificate_are_the_sum_of_the_counted_contributions(tb, march):
    cert = tb.certificates.issue("cc", "m1", *MARCH, purpose="升学", actor="clerk-a")
    assert cert.service_minutes == 420
    assert [(a.day.isoformat(), a.rule, a.minutes) for a in cert.activities] == [
        ("2025-03-01", "patrol", 150), ("2025-03-05", "elder_care", 90),
        ("2025-03-10", "snow_clearing", 180)]
    assert {a.recorded_by for a in cert.activities} == {"clerk-a"}
    assert {a.approved_by for a in cert.activities} == {"clerk-b"}
    assert cert.honour_minutes == 0 and cert.name == "张三明"
    assert cert.issuer.name == "世纪花园社区居民委员会" and cert.issuer.handler == "clerk-a"
    assert cert.number.startswith("cc-") and len(cert.digest) == 64
    assert tb.certificates.show(cert.number) == cert


def test_certificate_numbers_are_unique_and_a_replay_issues_nothing_new(tb, march):
    first = tb.certificates.issue("cc", "m1", *MARCH, key="k1")
    assert tb.certificates.issue("cc", "m1", *MARCH, key="k1") == first
    second = tb.certificates.issue("cc", "m1", *MARCH)
    assert second.number != first.number
    assert int(second.number.rsplit("-", 1)[1]) == int(first.number.rsplit("-", 1)[1]) + 1


def test_honour_hours_are_separate_and_need_a_second_person(tb, march):
    honour = tb.certificates.propose_honour("cc", date(2025, 3, 1), "patrol", ["m1"], 60,
                                            "暴雪中坚持巡逻", actor="clerk-a")
    assert honour.status == "pending"
    with pytest.raises(SelfApproval):
        tb.certificates.approve_honour("cc", honour.id, approver="clerk-a")
    assert tb.certificates.issue("cc", "m1", *MARCH).honour_minutes == 0  # not yet
    tb.certificates.approve_honour("cc", honour.id, approver="clerk-b")
    with pytest.raises(InvalidState):
        tb.certificates.approve_honour("cc", honour.id, approver="clerk-c")
    cert = tb.certificates.issue("cc", "m1", *MARCH)
    assert (cert.service_minutes, cert.honour_minutes) == (420, 60)
    assert [(h.day, h.minutes, h.approved_by) for h in cert.honours] == [
        (date(2025, 3, 1), 60, "clerk-b")]


def test_honour_hours_never_exceed_the_activity_length(tb, march):
    # m1 patrolled 150 approved minutes on 03-01: 100 + 60 honour minutes is too many.
    tb.certificates.propose_honour("cc", date(2025, 3, 1), "patrol", ["m1"], 100, "表彰",
                                   actor="clerk-a")
    with pytest.raises(HonourExceedsService) as caught:
        tb.certificates.propose_honour("cc", date(2025, 3, 1), "patrol", ["m1", "m2"], 60,
                                       "再表彰", actor="clerk-a")
    assert caught.value.details["member"] == "m1"
    assert caught.value.details["service_minutes"] == 150
    # Nothing was written: 50 more still fit for m1, and m2's 60 minutes are free.
    tb.certificates.propose_honour("cc", date(2025, 3, 1), "patrol", ["m1", "m2"], 50,
                                   "再表彰", actor="clerk-a")
    with pytest.raises(HonourExceedsService):  # the pending patrol of 03-12 is no service
        tb.certificates.propose_honour("cc", date(2025, 3, 12), "patrol", ["m1"], 1, "x",
                                       actor="clerk-a")
    with pytest.raises(ValidationError, match="not volunteer service"):
        tb.certificates.propose_honour("cc", date(2025, 3, 11), "sharpening", ["m1"], 10,
                                       "x", actor="clerk-a")


def test_a_reversed_service_blocks_the_approval_of_its_honour(tb, march):
    honour = tb.certificates.propose_honour("cc", date(2025, 3, 10), "snow_clearing",
                                            ["m1"], 30, "x", actor="clerk-a")
    tb.contributions.reverse("cc", march["snow"], actor="admin", reason="录错", key="rv")
    with pytest.raises(HonourExceedsService):
        tb.certificates.approve_honour("cc", honour.id, approver="clerk-b")


def test_a_certificate_verifies_publicly_and_reports_changed_after_a_reversal(tb, march):
    cert = tb.certificates.issue("cc", "m1", *MARCH)
    check = tb.certificates.public(cert.number)
    assert (check.status, check.name_masked, check.service_minutes) == ("valid", "张*明", 420)
    tb.contributions.reverse("cc", march["care"], actor="admin", reason="重复", key="rv")
    assert tb.certificates.public(cert.number).status == "changed"
    reissued = tb.certificates.issue("cc", "m1", *MARCH)
    assert reissued.service_minutes == 330
    assert tb.certificates.public(reissued.number).status == "valid"


def test_a_revoked_certificate_answers_revoked_and_is_revoked_once(tb, march):
    cert = tb.certificates.issue("cc", "m1", *MARCH)
    revoked = tb.certificates.revoke(cert.number, reason="信息有误", actor="admin")
    assert revoked.status == "revoked" and revoked.digest == cert.digest
    assert tb.certificates.public(cert.number).status == "revoked"
    with pytest.raises(InvalidState):
        tb.certificates.revoke(cert.number, reason="again", actor="admin")


def test_bad_requests_get_their_specific_error_and_write_nothing(tb, march):
    with pytest.raises(NoServiceInPeriod, match="zero hours"):
        tb.certificates.issue("cc", "m1", date(2025, 5, 1), date(2025, 5, 31))
    with pytest.raises(NoServiceInPeriod):  # only sharpening and pending on those days
        tb.certificates.issue("cc", "m1", date(2025, 3, 11), date(2025, 3, 13))
    tomorrow = date.today() + timedelta(days=2)
    with pytest.raises(ValidationError, match="future"):
        tb.certificates.issue("cc", "m1", date(2025, 3, 1), tomorrow)
    for number in ("cc-2025-99999", "other-2025-00001", "nonsense"):
        with pytest.raises(UnknownCertificate):
            tb.certificates.public(number)
    first = tb.certificates.issue("cc", "m1", *MARCH)
    assert first.number.endswith("-00001")  # the refused ones took no number


def _rewrite_chain(tb, community: str) -> None:
    """An insider rewrites history consistently: edit the first entry's reason and
    recompute every hash after it, and the head, so the chain walk still passes."""
    with tb.store.engine.begin() as conn:
        cid = conn.execute(sa.text("SELECT id FROM communities WHERE code = :c"),
                           {"c": community}).scalar()
        conn.execute(sa.text("UPDATE entries SET reason = 'rewritten' WHERE community_id = :c "
                             "AND seq = 1"), {"c": cid})
        rows = conn.execute(sa.text(
            "SELECT id, seq, kind, reason, actor, occurred_at, recorded_at, reverses_id, meta "
            "FROM entries WHERE community_id = :c ORDER BY seq"), {"c": cid}).all()
        prev = GENESIS_HASH
        for row in rows:
            legs = tuple(Posting(a, u, m) for a, u, m in conn.execute(sa.text(
                "SELECT p.account_id, a.unit, p.amount FROM postings p JOIN accounts a ON "
                "a.id = p.account_id WHERE p.entry_id = :e ORDER BY p.id"), {"e": row.id}))
            meta = row.meta if isinstance(row.meta, dict) else json.loads(row.meta)
            when = [datetime.fromisoformat(v) if isinstance(v, str) else v
                    for v in (row.occurred_at, row.recorded_at)]
            prev = Entry(community, row.seq, row.kind, legs, row.reason, row.actor, *when,
                         row.reverses_id, meta).digest(prev)
            conn.execute(sa.text("UPDATE entries SET hash = :h WHERE id = :i"),
                         {"h": prev, "i": row.id})
        conn.execute(sa.text("UPDATE communities SET head_hash = :h WHERE id = :c"),
                     {"h": prev, "c": cid})


def test_a_rewritten_chain_passes_the_walk_but_fails_verify_anchor(tb, march, db_url,
                                                                   tmp_path):
    runner = CliRunner()
    anchored = runner.invoke(main, ["--db", db_url, "anchor"])
    assert anchored.exit_code == 0, anchored.output
    file = tmp_path / "anchors.jsonl"
    file.write_text(anchored.output, encoding="utf-8")
    assert '"community": "cc"' in anchored.output
    ok = runner.invoke(main, ["--db", db_url, "verify", "--anchor", str(file)])
    assert ok.exit_code == 0, ok.output
    tb.ledger.award("cc", "m2", 5, key="later")  # the chain grows: still extends the anchor
    assert runner.invoke(main, ["--db", db_url, "verify", "--anchor", str(file)]).exit_code == 0
    _rewrite_chain(tb, "cc")
    assert tb.verify().ok  # the walk alone is fooled...
    caught = runner.invoke(main, ["--db", db_url, "--lang", "en", "verify", "--anchor",
                                  str(file)])
    assert caught.exit_code == 1  # ...the anchor is not
    assert "rewritten" in caught.output


def test_the_certificate_cli_issues_shows_and_revokes(tb, march, db_url, tmp_path):
    runner = CliRunner()
    issued = runner.invoke(main, ["--db", db_url, "--lang", "en", "certificate", "issue",
                                  "--community", "cc", "m1", "--from", "2025-03-01",
                                  "--to", "2025-03-31", "--by", "clerk-a"])
    assert issued.exit_code == 0, issued.output
    assert "Service minutes: 420" in issued.output
    number = issued.output.split("Number: ")[1].split()[0]
    page = tmp_path / "c.html"
    shown = runner.invoke(main, ["--db", db_url, "certificate", "show", number, "--html",
                                 str(page)])
    assert shown.exit_code == 0 and "<svg" in page.read_text(encoding="utf-8")
    assert "志愿服务记录证明" in page.read_text(encoding="utf-8")
    revoked = runner.invoke(main, ["--db", db_url, "--lang", "en", "certificate", "revoke",
                                   number, "--reason", "wrong"])
    assert revoked.exit_code == 0 and "Status: revoked" in revoked.output
    refused = runner.invoke(main, ["--db", db_url, "certificate", "issue", "--community",
                                   "cc", "m1", "--from", "2025-05-01", "--to", "2025-05-02"])
    assert refused.exit_code == 2
