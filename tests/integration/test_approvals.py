"""Approving in bulk, on both engines: a month of paper records imported by one clerk and
approved in one act by another, each contribution checked as a single approval is, the
books equal to those of single approvals, and a replay approving nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from timebank.domain.access import Actor
from timebank.errors import (
    IdempotencyConflict,
    InvalidState,
    NotFound,
    UnknownImport,
    ValidationError,
)
from timebank.io.contribution_import import contribution_plan
from timebank.io.importing import run_import
from timebank.store.tables import earnings_monthly, entries, members
from timebank.timeutil import local_date, utcnow


@pytest.fixture
def red(tb, community):
    tb.rules.install(community, "red_vest")
    return community


def today(tb, community):
    return local_date(utcnow(), tb.communities.get(community).timezone)


def sheet(tb, community):
    """Nine errands of the last fortnight (2 points each) and one from 40 days ago,
    which is flagged ``late``: a month's paper sheet."""
    day = today(tb, community)
    rows = [(f"m{1 + i % 5}", day - timedelta(days=1 + i)) for i in range(9)]
    rows.insert(3, ("m3", day - timedelta(days=40)))
    return rows


def import_sheet(tb, community, tmp_path, rows, actor="clerk-A", name="sheet.csv"):
    path = tmp_path / name
    path.write_text("member,rule,quantity,occurred_on,key\n" + "".join(
        f"{m},errand,1,{d},{name}-{i}\n" for i, (m, d) in enumerate(rows)), encoding="utf-8")
    return run_import(tb.store, community, path, contribution_plan(community, actor=actor))


def books(tb, community):
    """Every member's balances, monthly totals and statement amounts: what must agree."""
    with tb.store.read() as conn:
        totals = sorted(conn.execute(
            sa.select(members.c.code, earnings_monthly.c.rule, earnings_monthly.c.month,
                      earnings_monthly.c.points, earnings_monthly.c.contributions)
            .join(members, members.c.id == earnings_monthly.c.member_id)
            .where(members.c.code.like("m%"),
                   earnings_monthly.c.community_id == members.c.community_id,
                   members.c.community_id == sa.select(sa.text("id")).select_from(
                       sa.text("communities")).where(sa.text("code = :c"))
                   .scalar_subquery()), {"c": community}).all())
    balances = {}
    for i in range(1, 6):
        found = tb.ledger.balance(community, f"m{i}")
        balances[f"m{i}"] = {u: (b.posted, b.lifetime_earned) for u, b in found.items()}
    lines = {f"m{i}": [(line.amount, line.balance_after) for line in
                       tb.statements.statement(community, f"m{i}").lines]
             for i in range(1, 6)}
    return balances, totals, lines


def entry_count(tb):
    with tb.store.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(entries)).scalar_one()


def test_an_import_is_remembered_with_what_it_left_pending_and_flagged(tb, red, tmp_path):
    report = import_sheet(tb, red, tmp_path, sheet(tb, red))
    assert report.ok and report.import_id is not None
    assert (report.rows, report.added, report.pending, report.flagged) == (10, 10, 10, 1)
    summary = tb.approvals.import_summary(red, report.import_id)
    assert (summary.kind, summary.actor, summary.rows, summary.added, summary.pending,
            summary.flagged, summary.still_pending) == ("contributions", "clerk-A", 10, 10,
                                                         10, 1, 10)
    linked = tb.contributions.list(red, import_=report.import_id)
    assert len(linked) == 10 and {c.recorded_by for c in linked} == {"clerk-A"}
    flagged = tb.contributions.list(red, status="pending", import_=report.import_id,
                                    flagged=True)
    assert [f.kind for c in flagged for f in c.flags] == ["late"]


def test_an_import_with_bad_rows_is_remembered_with_the_rows_it_skipped(tb, red, tmp_path):
    rows = sheet(tb, red)
    rows[5] = ("nobody", rows[5][1])
    report = import_sheet(tb, red, tmp_path, rows)
    assert not report.committed and report.rejected == 1
    summary = tb.approvals.import_summary(red, report.import_id)
    assert (summary.committed, summary.added, summary.rejected) == (False, 0, 1)
    assert "nobody" in summary.problems[0]["message"]


def test_worked_example_clerk_b_approves_clerk_a_s_sheet_in_one_act(tb, red, tmp_path):
    """Nine imported by clerk A (one flagged late) and one B entered at the desk: B
    approves the ten in one act; eight pass, the flagged one and B's own are skipped."""
    report = import_sheet(tb, red, tmp_path, [r for i, r in enumerate(sheet(tb, red))
                                              if i != 9])
    own = tb.contributions.record(red, "m2", "errand", key="desk-1", quantity=1,
                                  occurred_on=today(tb, red), recorded_by="clerk-B")
    imported = [c.id for c in tb.contributions.list(red, import_=report.import_id)]
    late = tb.contributions.list(red, import_=report.import_id, flagged=True)[0].id
    ids = [*imported, own.id]
    assert len(ids) == 10

    done = tb.approvals.approve_many(red, approver=Actor("clerk-B"), key="bulk-1", ids=ids)
    assert done.approved == 8 and done.points == 16
    assert [(s.id, s.reason) for s in done.skipped] == sorted(
        [(late, "flagged"), (own.id, "self_approval")])
    assert "late" in next(s.detail for s in done.skipped if s.id == late)
    approved = tb.contributions.list(red, status="approved")
    assert len(approved) == 8 and {c.decided_by for c in approved} == {"clerk-B"}

    written = entry_count(tb)
    assert tb.approvals.approve_many(red, approver=Actor("clerk-B"), key="bulk-1", ids=ids) == done
    again = tb.approvals.approve_many(red, approver=Actor("clerk-B"), key="bulk-2", ids=ids)
    assert again.approved == 0 and entry_count(tb) == written
    assert {s.reason for s in again.skipped} == {"not_pending", "flagged", "self_approval"}
    with pytest.raises(IdempotencyConflict):
        tb.approvals.approve_many(red, approver=Actor("clerk-B"), key="bulk-1", ids=ids[:3])
    assert tb.verify(red).ok
    assert tb.approvals.import_summary(red, report.import_id).still_pending == 1

    # The same records approved one at a time, in time order, in a twin community.
    tb.communities.create("twin", "twin")
    for i in range(1, 6):
        tb.members.add("twin", f"m{i}", f"居民{i}")
    tb.rules.install("twin", "red_vest")
    twin = import_sheet(tb, "twin", tmp_path, [r for i, r in enumerate(sheet(tb, red))
                                               if i != 9], name="twin.csv")
    tb.contributions.record("twin", "m2", "errand", key="desk-1", quantity=1,
                            occurred_on=today(tb, red), recorded_by="clerk-B")
    singles = sorted(tb.contributions.list("twin", import_=twin.import_id, flagged=False),
                     key=lambda c: (c.started_at, c.id))
    for c in singles:
        tb.contributions.approve("twin", c.id, approver=Actor("clerk-B"), key=f"one-{c.id}")
    assert books(tb, red) == books(tb, "twin")


def test_approving_an_import_by_its_id_skips_the_flagged_unless_asked(tb, red, tmp_path):
    report = import_sheet(tb, red, tmp_path, sheet(tb, red))
    done = tb.approvals.approve_many(red, approver=Actor("clerk-B"), key="b1",
                                     import_id=report.import_id)
    assert done.approved == 9 and [s.reason for s in done.skipped] == ["flagged"]
    rest = tb.approvals.approve_many(red, approver=Actor("clerk-B"), key="b2",
                                     import_id=report.import_id, include_flagged=True)
    assert rest.approved == 1 and rest.skipped == ()
    assert tb.ledger.balance(red, "m3")["points"].posted == 6
    assert tb.approvals.import_summary(red, report.import_id).still_pending == 0


def test_filters_by_rule_days_unit_and_recorder(tb, red, tmp_path):
    report = import_sheet(tb, red, tmp_path, sheet(tb, red))
    tb.units.create(red, "g1", "第一网格", kind="grid")
    tb.members.update(red, "m1", unit="g1")
    day = today(tb, red)
    by_unit = tb.approvals.approve_many(red, approver=Actor("B"), key="u", unit="g1")
    assert by_unit.approved == 2  # m1's two errands
    by_days = tb.approvals.approve_many(red, approver=Actor("B"), key="d",
                                        from_=day - timedelta(days=3), to=day)
    assert by_days.approved == 2  # m2 and m3 (m1's day-1 errand is approved already)
    nothing = tb.approvals.approve_many(red, approver=Actor("B"), key="r", rule="patrol")
    assert (nothing.approved, nothing.skipped) == (0, ())
    rest = tb.approvals.approve_many(red, approver=Actor("B"), key="w", recorded_by="clerk-A",
                                     import_id=report.import_id)
    assert rest.approved == 5 and len(rest.skipped) == 1


def test_an_approver_who_recorded_them_all_approves_nothing(tb, red, tmp_path):
    report = import_sheet(tb, red, tmp_path, sheet(tb, red))
    done = tb.approvals.approve_many(red, approver=Actor("clerk-A"), key="self",
                                     import_id=report.import_id, include_flagged=True)
    assert done.approved == 0 and len(done.skipped) == 10
    assert {s.reason for s in done.skipped} == {"self_approval"}
    assert entry_count(tb) == 0


def test_bad_input_gets_the_specific_error_and_writes_nothing(tb, red, tmp_path):
    import_sheet(tb, red, tmp_path, sheet(tb, red))
    with pytest.raises(UnknownImport):
        tb.approvals.approve_many(red, approver=Actor("B"), key="x", import_id=999)
    with pytest.raises(UnknownImport):
        tb.approvals.import_summary(red, 999)
    with pytest.raises(NotFound):
        tb.approvals.approve_many(red, approver=Actor("B"), key="x", unit="nowhere")
    with pytest.raises(ValidationError, match="100000"):
        tb.approvals.approve_many(red, approver=Actor("B"), key="x", ids=range(1, 100_002))
    with pytest.raises(ValidationError):
        tb.approvals.approve_many(red, approver=Actor("B"), key="x", ids=[1], rule="errand")
    unknown = tb.approvals.approve_many(red, approver=Actor("B"), key="y", ids=[10**9])
    assert [(s.id, s.reason) for s in unknown.skipped] == [(10**9, "unknown")]
    assert tb.contributions.list(red, status="approved") == []


def test_a_row_decided_meanwhile_fails_the_chunk_and_leaves_the_others_pending(
        tb, red, tmp_path):
    """The decisions' write is guarded (still pending): a row decided by someone else
    after the approval read it fails the act; the transaction keeps nothing."""
    report = import_sheet(tb, red, tmp_path, sheet(tb, red)[:4])
    ids = [c.id for c in tb.contributions.list(red, import_=report.import_id)]
    tb.contributions.approve(red, ids[1], approver=Actor("clerk-C"), key="single")
    with pytest.raises(InvalidState) as refused:
        tb.store.transact(red, lambda uow: uow.approvals.approve(
            [(cid, None) for cid in ids], "clerk-B"))
    assert refused.value.details["state"] == "changed"
    assert {c.id: c.status for c in tb.contributions.list(red, import_=report.import_id)} \
        == {cid: "approved" if cid == ids[1] else "pending" for cid in ids}
