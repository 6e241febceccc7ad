"""The per-unit totals of a posted report: a building's report lists its households, and
posted, each household is shown as its building (both engines)."""

from __future__ import annotations

import pytest

from timebank import Timebank


@pytest.fixture
def block(tb: Timebank) -> str:
    tb.communities.create("sjhy", "世纪花园社区", rulebook="red_vest")
    tb.units.create("sjhy", "g1", "一网格", "grid")
    tb.units.create("sjhy", "b3", "3号楼", "building", parent="g1")
    tb.units.create("sjhy", "b3h501", "501室", "household", parent="b3")
    tb.units.create("sjhy", "b3h502", "502室", "household", parent="b3")
    tb.members.add("sjhy", "p1", "张三明", roles=["volunteer"], unit="b3h501")
    tb.members.add("sjhy", "p2", "李四", roles=["volunteer"], unit="b3h502")
    for key, member in (("s1", "p1"), ("s2", "p2")):
        tb.contributions.record("sjhy", member, "sharpening", key=key, quantity=4,
                                occurred_on="2024-03-05")
    return "sjhy"


def test_the_office_sees_a_buildings_totals_per_household(tb, block):
    report = tb.reports.monthly(block, "2024-03", "b3")
    assert [u.name for u in report.units] == ["501室", "502室"]


def test_a_posted_buildings_report_shows_no_household_in_its_unit_totals(tb, block):
    full = tb.reports.monthly(block, "2024-03", "b3")
    posted = tb.reports.monthly(block, "2024-03", "b3", mask=True)
    assert [(u.unit, u.name, u.members, u.total) for u in posted.units] == [
        ("b3", "3号楼", 2, full.total)]
    page = tb.reports.poster(posted)
    assert "3号楼" in page and "501室" not in page and "502室" not in page


def test_a_posted_households_report_is_headed_by_its_building(tb, block):
    posted = tb.reports.monthly(block, "2024-03", "b3h501", mask=True)
    assert (posted.unit, posted.unit_name) == ("b3", "3号楼")
    assert "501" not in repr(posted)
