"""Tier policies and a member's tier over time, without a database."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from timebank.domain.tiers import Award, Earnings, TierPolicy, history, tier_at
from timebank.errors import RulebookError

LEVELS = [
    {"code": "bronze", "name_zh": "铜牌", "name_en": "Bronze", "threshold": 100,
     "benefits": ["温馨家政"]},
    {"code": "silver", "name_zh": "银牌", "name_en": "Silver", "threshold": 300},
    {"code": "gold", "name_zh": "金牌", "name_en": "Gold", "threshold": 600},
]
T0 = datetime(2025, 1, 10, 2, 0)


def policy(**extra: object) -> TierPolicy:
    return TierPolicy.from_mapping({"levels": LEVELS, **extra})


def changes(pol: TierPolicy, awards: list[Award], until: datetime) -> list[tuple[int, str | None]]:
    found = history(pol, Earnings(pol, awards), until)
    return [((c.at - T0).days, c.tier) for c in found]


def test_a_policy_reads_levels_with_names_benefits_and_defaults() -> None:
    pol = policy()
    assert [t.code for t in pol.levels] == ["bronze", "silver", "gold"]
    assert pol.levels[0].benefits == ("温馨家政",)
    assert (pol.basis, pol.demotion, pol.unit) == ("lifetime", "never", "points")


@pytest.mark.parametrize(("data", "field"), [
    ({"levels": []}, "levels"),
    ({"levels": LEVELS, "basis": "weekly"}, "basis"),
    ({"levels": LEVELS, "demotion": "sometimes"}, "demotion"),
    ({"levels": LEVELS, "window_days": 0}, "window_days"),
    ({"levels": [LEVELS[1], LEVELS[0]]}, "threshold"),
    ({"levels": [{**LEVELS[0], "code": ""}]}, "code"),
    ({"levels": [LEVELS[0], {**LEVELS[1], "code": "bronze"}]}, "code"),
    ({"levels": [{**LEVELS[0], "threshold": -1}]}, "threshold"),
    ({"levels": LEVELS, "unit": "hours"}, "unit"),
])
def test_a_bad_tier_policy_is_refused_naming_the_place_and_field(data: dict, field: str) -> None:
    with pytest.raises(RulebookError) as info:
        TierPolicy.from_mapping(data, where="rulebook.toml [tiers]")
    assert info.value.details["field"] == field
    assert "rulebook.toml [tiers]" in str(info.value)


def test_the_tier_for_earned_points_is_the_highest_threshold_reached() -> None:
    pol = policy()
    assert pol.tier_for(99) is None
    assert pol.tier_for(100).code == "bronze"
    assert pol.tier_for(599).code == "silver"
    assert pol.tier_for(10_000).code == "gold"
    assert pol.next_after(None).code == "bronze"
    assert pol.next_after(pol.levels[-1]) is None


def test_lifetime_tiers_only_rise_as_awards_come_in() -> None:
    pol = policy()
    awards = [Award(T0, 150), Award(T0 + timedelta(days=5), 200)]
    assert changes(pol, awards, T0 + timedelta(days=1000)) == [(0, "bronze"), (5, "silver")]


def test_a_window_tier_falls_automatically_when_awards_leave_the_window() -> None:
    pol = policy(basis="window", window_days=30, demotion="automatic")
    awards = [Award(T0, 350)]
    assert changes(pol, awards, T0 + timedelta(days=100)) == [(0, "silver"), (30, None)]


def test_a_window_tier_with_demotion_never_keeps_the_best_tier_reached() -> None:
    pol = policy(basis="window", window_days=30, demotion="never")
    found = history(pol, Earnings(pol, [Award(T0, 350)]), T0 + timedelta(days=100))
    assert [c.tier for c in found] == ["silver"]
    assert tier_at(pol, found, T0 + timedelta(days=99)).code == "silver"


def test_a_grace_period_delays_a_fall_and_a_recovery_within_it_cancels_it() -> None:
    pol = policy(basis="window", window_days=30, demotion="grace", grace_days=10)
    fell = changes(pol, [Award(T0, 350)], T0 + timedelta(days=100))
    assert fell == [(0, "silver"), (40, None)]
    recovered = [Award(T0, 350), Award(T0 + timedelta(days=35), 300)]
    assert changes(pol, recovered, T0 + timedelta(days=60)) == [(0, "silver")]


def test_a_calendar_year_tier_starts_again_each_year() -> None:
    pol = policy(basis="calendar_year", demotion="automatic")

    def year_start(t: datetime) -> datetime:
        return datetime(t.year, 1, 1)

    earnings = Earnings(pol, [Award(T0, 150)], year_start)
    found = history(pol, earnings, datetime(2026, 6, 1), [datetime(2026, 1, 1)])
    assert [(c.at, c.tier) for c in found] == [(T0, "bronze"), (datetime(2026, 1, 1), None)]
    assert earnings.at(datetime(2025, 12, 31)) == 150
    assert earnings.at(datetime(2026, 1, 2)) == 0


def test_spending_is_not_an_award_so_it_cannot_change_the_history() -> None:
    pol = policy(basis="window", window_days=30, demotion="automatic")
    # the tier function sees awards only: a member's spends never enter it
    assert tier_at(pol, history(pol, Earnings(pol, [Award(T0, 120)]), T0), T0).code == "bronze"
