"""Expiry policies and the FIFO arithmetic, without a database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given

from tests.strategies import cutoff_days, earned_lots_and_debits
from timebank.domain.expiry import ExpiryPolicy, add_months, expiring, fifo_expired
from timebank.errors import RulebookError


def test_no_expiry_policy_means_points_never_expire() -> None:
    assert ExpiryPolicy.from_mapping({"policy": "never"}).cutoff(date(2030, 1, 1)) is None


def test_points_earned_are_good_for_n_months_through_the_same_day() -> None:
    pol = ExpiryPolicy.from_mapping({"policy": "months", "months": 12})
    assert pol.cutoff(date(2026, 1, 16)) == date(2025, 1, 16)
    assert ExpiryPolicy.from_mapping({"policy": "months", "months": 1}) \
        .cutoff(date(2025, 3, 31)) == date(2025, 2, 28)


def test_a_yearly_reset_expires_everything_earned_up_to_the_reset_day() -> None:
    pol = ExpiryPolicy.from_mapping({"policy": "yearly_reset", "reset_on": "12-31"})
    assert pol.cutoff(date(2025, 1, 1)) == date(2025, 1, 1)
    assert pol.cutoff(date(2025, 12, 31)) == date(2025, 1, 1)
    assert pol.cutoff(date(2026, 3, 1)) == date(2026, 1, 1)
    mid = ExpiryPolicy.from_mapping({"policy": "yearly_reset", "reset_on": "06-30"})
    assert mid.cutoff(date(2025, 7, 1)) == date(2025, 7, 1)
    assert mid.cutoff(date(2025, 6, 30)) == date(2024, 7, 1)


@pytest.mark.parametrize(("data", "field"), [
    ({"policy": "weekly"}, "policy"), ({"policy": "months"}, "months"),
    ({"policy": "months", "months": 0}, "months"),
    ({"policy": "yearly_reset", "reset_on": "02-29"}, "reset_on"),
    ({"policy": "yearly_reset", "reset_on": "12/31"}, "reset_on"),
    ({"policy": "never", "units": ["hours"]}, "units"),
])
def test_a_bad_expiry_policy_is_refused_naming_the_field(data: dict, field: str) -> None:
    with pytest.raises(RulebookError) as info:
        ExpiryPolicy.from_mapping(data, where="sjhy settings.expiry")
    assert info.value.details["field"] == field
    assert "sjhy settings.expiry" in str(info.value)


def test_months_are_added_and_clamped_to_the_end_of_month() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 3, 15), -15) == date(2022, 12, 15)


@given(earned_lots_and_debits(), cutoff_days())
def test_the_recent_credit_shortcut_equals_walking_the_lots_oldest_first(
        lots_and_debits: tuple[list[tuple[int, int]], int], cut: int) -> None:
    raw_lots, debits = lots_and_debits
    start = date(2025, 1, 1)
    dated = [(start + timedelta(days=d), a) for d, a in raw_lots]
    cutoff = start + timedelta(days=cut)
    recent = sum(a for d, a in dated if d >= cutoff)
    posted = sum(a for _, a in dated) - debits
    assert expiring(posted, 0, recent) == fifo_expired(dated, debits, cutoff)
