"""Bulk approval keeps the books a clerk would get approving one by one: for any set of
pending contributions, approving them in one act gives the same balances, monthly totals
and statements as approving the same contributions singly in time order (both engines).
Each example works in two communities of its own in the same database."""

from __future__ import annotations

import itertools
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import pending_sheets
from timebank import Timebank
from timebank.domain.access import Actor
from timebank.timeutil import local_date, utcnow

SETTINGS = settings(max_examples=15, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
_names = itertools.count()


def fresh(tb: Timebank, sheet: list[tuple[int, str, int, str, bool]]) -> tuple[str, list[int]]:
    code = f"a{next(_names)}"
    tb.communities.create(code, code)
    for i in range(1, 4):
        tb.members.add(code, f"m{i}", f"m{i}")
    tb.rules.install(code, "red_vest")
    today = local_date(utcnow(), "Asia/Shanghai")
    ids = [tb.contributions.record(
        code, f"m{m}", rule, key=f"r{i}", quantity=1, occurred_on=today - timedelta(days=ago),
        recorded_by=who).id for i, (m, rule, ago, who, _) in enumerate(sheet)]
    return code, ids


def books(tb: Timebank, code: str) -> tuple[object, ...]:
    result = []
    for i in range(1, 4):
        member = f"m{i}"
        balance = {u: (b.posted, b.lifetime_earned)
                   for u, b in tb.ledger.balance(code, member).items()}
        lines = [(line.amount, line.balance_after, line.contribution is not None)
                 for line in tb.statements.statement(code, member).lines]
        result.append((member, balance, lines))
    months = {f"{(local_date(utcnow(), 'Asia/Shanghai') - timedelta(days=d)):%Y-%m}"
              for d in range(0, 46)}
    result.append(sorted((m, line.member, line.total, line.contributions,
                          sorted(line.by_rule.items())) for m in months
                         for line in tb.reports.monthly(code, m).lines))
    return tuple(result)


@SETTINGS
@given(pending_sheets(), st.booleans())
def test_bulk_approval_books_equal_single_approvals_in_time_order(
        tb: Timebank, sheet: list[tuple[int, str, int, str, bool]],
        include_flagged: bool) -> None:
    bulk, bulk_ids = fresh(tb, sheet)
    named = [cid for cid, row in zip(bulk_ids, sheet, strict=True) if row[4]]
    done = tb.approvals.approve_many(bulk, approver=Actor("B"), key="bulk", ids=named,
                                     include_flagged=include_flagged)

    single, single_ids = fresh(tb, sheet)
    chosen = {cid for cid, row in zip(single_ids, sheet, strict=True) if row[4]}
    approved = 0
    for c in sorted(tb.contributions.list(single, ids=sorted(chosen), limit=100),
                    key=lambda c: (c.started_at, c.id)):
        if c.recorded_by == "B" or (c.flags and not include_flagged):
            continue
        tb.contributions.approve(single, c.id, approver=Actor("B"), key=f"one{c.id}")
        approved += 1

    assert done.approved == approved
    assert len(done.skipped) == len(named) - approved
    assert books(tb, bulk) == books(tb, single)
    assert tb.verify(bulk).ok
