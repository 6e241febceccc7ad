"""Properties of dues (pure, no database): the due months agree with a day-by-day model,
a member is refused exactly when the model counts enough unpaid months, and however
payments name their months, no month's cap is ever passed."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from timebank.domain import dues, rulebook
from timebank.domain.contributions import Resolved
from timebank.domain.recording import value
from timebank.domain.rules import Claim
from timebank.errors import NotEligible

DUES = rulebook.rule(code="dues", basis="per_period", rate=1, due_day=10, late_rate=0,
                     max_quantity=1, caps={"month": 1})
SHIFT = rulebook.rule(code="shift", basis="per_hour", rate=1, requires_dues=True)
VERSIONS = {"dues": [(1, DUES)], "shift": [(2, SHIFT)]}
START = date(2024, 1, 1)

days = st.integers(0, 700).map(lambda n: START + timedelta(days=n))
months = st.integers(0, 23).map(lambda n: f"{2024 + n // 12}-{n % 12 + 1:02d}")


def model_due(since: date, day: date, due_day: int | None) -> list[str]:
    """Walk every day from ``since`` to the day before ``day``: a month is due once a
    day after its due day was reached."""
    found: list[str] = []
    current = since
    while current < day:
        last = due_day or ((current.replace(day=28) + timedelta(days=4)).replace(day=1)
                           - timedelta(days=1)).day
        key = f"{current:%Y-%m}"
        if current.day >= last and key not in found:
            found.append(key)
        current += timedelta(days=1)
    return found


@given(since=days, day=days, due_day=st.one_of(st.none(), st.integers(1, 28)))
def test_due_months_agree_with_a_day_by_day_walk(since, day, due_day):
    start = since.replace(day=1)
    assert dues.due_periods(start, day, due_day) == model_due(start, day, due_day)


@given(paid=st.sets(months), day=days, limit=st.integers(1, 6))
def test_a_member_is_refused_exactly_when_enough_due_months_are_unpaid(paid, day, limit):
    policy = dues.DuesPolicy("dues", limit, START)
    shift = Resolved(0, "m1", 1, (), 2, SHIFT, Claim(60, day),
                     datetime(day.year, day.month, day.day, tzinfo=UTC), None, None, "")
    missing = [m for m in model_due(START, day, 10) if m not in paid]
    try:
        dues.check(policy, [shift], VERSIONS, {1: set(paid)})
    except NotEligible as exc:
        assert len(missing) >= limit and exc.details["unpaid"] == missing
    else:
        assert len(missing) < limit


@given(st.lists(st.tuples(days, st.one_of(st.none(), months)), min_size=1, max_size=30))
def test_no_month_earns_more_than_its_cap_however_payments_name_it(payments):
    items = []
    for index, (day, period) in enumerate(payments):
        start = date.fromisoformat(period + "-01") if period else day.replace(day=1)
        items.append(Resolved(index, "m1", 1, (), 1, DUES, Claim(1, day, (), None, start),
                              datetime(day.year, day.month, day.day, tzinfo=UTC), None,
                              f"{start:%Y-%m}", ""))
    found = value(items, defaultdict(int), defaultdict(set))
    earned: dict[str, int] = defaultdict(int)
    for item, valued in zip(items, found, strict=True):
        earned[item.period] += valued.points
    assert all(points <= 1 for points in earned.values())
    first = {}
    for item, valued in zip(items, found, strict=True):
        first.setdefault(item.period, (item, valued))
    for item, valued in first.values():  # the first payment of a month, paid on time
        on_time = item.claim.day <= item.claim.period_start.replace(day=10)
        assert valued.points == (1 if on_time else 0)
