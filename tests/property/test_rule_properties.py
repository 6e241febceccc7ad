"""Properties of rule evaluation and recording, for any sequence of contributions. The
recording property runs on both engines, each example in a community of its own."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings

from tests.strategies import (
    claim_sequences,
    item_contribution_history,
    item_rates,
    rule_change_days,
    shufflers,
)
from timebank import Timebank
from timebank.domain.rulebook import rule
from timebank.domain.rules import evaluate, period_keys
from timebank.services.contributions import ContributionInput

START = date(2024, 1, 1)
_names = itertools.count()

capped_rule = rule(code="capped", basis="per_hour", rate=2, round_to=0.5,
                   caps={"day": 5, "week": 12, "month": 30, "year": 200},
                   multipliers=[{"factor": 2, "tags": ["blizzard"]}])
plain_rule = rule(code="plain", basis="per_hour", rate=3, round_to=0.25,
                  multipliers=[{"factor": 1.5, "tags": ["blizzard"]},
                               {"factor": 2, "weekdays": ["sun"]}])

def run_sequence(r, sequence):
    """Evaluate claims in order, keeping cap usage as the service does."""
    used: dict[tuple, int] = defaultdict(int)
    points = []
    for member, claim in sequence:
        keys = period_keys(claim.day)
        value = evaluate(r, claim, used={p: used[member, p, k] for p, k in keys.items()})
        for p, k in keys.items():
            used[member, p, k] += value.points
        points.append(value.points)
    return points


@settings(max_examples=150, deadline=None)
@given(claim_sequences(max_size=60))
def test_no_member_ever_earns_more_than_a_cap_in_any_period(sequence):
    points = run_sequence(capped_rule, sequence)
    totals: dict[tuple, int] = defaultdict(int)
    for (member, claim), earned in zip(sequence, points, strict=True):
        for period, key in period_keys(claim.day).items():
            totals[member, period, key] += earned
    for (_, period, _), total in totals.items():
        assert total <= getattr(capped_rule.caps, period)


@settings(max_examples=150, deadline=None)
@given(claim_sequences(max_size=40), shufflers())
def test_uncapped_evaluation_is_deterministic_and_independent_of_order(sequence, rnd):
    first = run_sequence(plain_rule, sequence)
    assert run_sequence(plain_rule, sequence) == first
    shuffled = list(enumerate(sequence))
    rnd.shuffle(shuffled)
    again = run_sequence(plain_rule, [item for _, item in shuffled])
    assert sorted(zip((i for i, _ in shuffled), again, strict=True)) == sorted(enumerate(first))


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(item_contribution_history(), rule_change_days(), item_rates())
def test_a_rule_change_never_alters_past_awards(tb: Timebank, history, change_day, new_rate):
    code = f"c{next(_names)}"  # a fresh community per example, in the test's database
    tb.communities.create(code, code)
    for m in range(1, 7):
        tb.members.add(code, f"m{m}", f"m{m}")
    tb.rules.put(code, "r", rule(code="r", basis="per_item", rate=2, caps={"day": 20}))
    items = [ContributionInput(f"m{m}", "r", q, START + timedelta(days=d), key=f"k{i}")
             for i, (m, d, q) in enumerate(history)]
    tb.contributions.record_many(code, items)
    before = [(c.id, c.points, c.entry_id) for c in tb.contributions.list(code)]
    statement_before = {m: tb.statements.statement(code, f"m{m}").lines
                        for m in range(1, 6)}
    tb.rules.put(code, "r", {"basis": "per_item", "rate": new_rate},
                 effective_from=START + timedelta(days=change_day))
    tb.contributions.record(code, "m6", "r", key="late", quantity=1,
                            occurred_on=START + timedelta(days=change_day - 1))
    after = [(c.id, c.points, c.entry_id) for c in tb.contributions.list(code)]
    assert after[:len(before)] == before
    assert after[-1][1] == 2  # valued by the version in force on its day...
    for m in range(1, 6):  # ...and nobody else's lines moved
        assert tb.statements.statement(code, f"m{m}").lines == statement_before[m]
    assert tb.verify(code).ok
