"""The exchange in the monthly report and on the poster (issue 14, item 6): minutes given
and received per member, from running totals kept as requests are paid, and who helped."""

from __future__ import annotations

import pytest
from alembic import command

from timebank.store import migrations
from timebank.timeutil import local_date, utcnow


@pytest.fixture
def month(tb, community) -> str:
    """This month in the community's zone: a payment counts in the month it is made."""
    tb.rules.install(community, "time_bank")
    for member, minutes in (("m1", 300), ("m2", 60)):
        tb.ledger.award(community, member, minutes, unit="minutes", key=f"s-{member}")
    return local_date(utcnow(), "Asia/Shanghai").strftime("%Y-%m")


def _paid(tb, requester, volunteers, estimate, minutes, key):
    r = tb.requests.post("sjhy", requester, "陪诊", "clinic", estimate, key=f"p{key}",
                         max_volunteers=len(volunteers))
    for volunteer in volunteers:
        tb.requests.claim("sjhy", r.id, volunteer)
    return tb.requests.confirm("sjhy", r.id, minutes, key=f"c{key}")


def test_the_monthly_report_counts_minutes_given_and_received_by_hand(tb, month):
    _paid(tb, "m1", ["m2"], 60, 45, 1)            # m2 gives 45 to m1
    _paid(tb, "m1", ["m2", "m3"], 90, 90, 2)      # 90 shared 45 / 45
    _paid(tb, "m2", ["m4"], 30, 31, 3)            # m4 gives 31 to m2 (above the estimate)
    cancelled = tb.requests.post("sjhy", "m1", "买菜", "errands", 20, key="p4")
    tb.requests.cancel("sjhy", cancelled.id, "不需要了", key="x4")

    report = tb.reports.monthly("sjhy", month, ledger_unit="minutes")
    lines = {line.member: (line.minutes_given, line.minutes_received)
             for line in report.lines}
    assert lines == {"m2": (90, 31), "m3": (45, 0), "m4": (31, 0)}
    assert (report.exchange.given, report.exchange.received) == (166, 166)
    assert (report.exchange.services, report.exchange.helpers) == (4, 3)
    assert report.exchange.members == 5 and report.exchange.rate == 0.6
    # m1 only received: not listed (the poster lists who gave), still counted in total.
    assert "m1" not in lines


def test_a_settled_dispute_counts_the_settled_minutes_and_zero_counts_nothing(tb, month):
    r = tb.requests.post("sjhy", "m1", "修理", "repairs", 60, key="p1")
    tb.requests.claim("sjhy", r.id, "m2")
    tb.requests.dispute("sjhy", r.id, "没修好")
    tb.requests.settle("sjhy", r.id, 20, "修了一半", key="s1")
    z = tb.requests.post("sjhy", "m1", "修理", "repairs", 60, key="p2")
    tb.requests.claim("sjhy", z.id, "m3")
    tb.requests.dispute("sjhy", z.id, "没来")
    tb.requests.settle("sjhy", z.id, 0, "未服务", key="s2")
    report = tb.reports.monthly("sjhy", month, ledger_unit="minutes")
    assert (report.exchange.given, report.exchange.received,
            report.exchange.services) == (20, 20, 1)
    assert [line.member for line in report.lines] == ["m2"]


def test_a_replayed_confirmation_is_counted_once(tb, month):
    first = _paid(tb, "m1", ["m2"], 60, 60, 1)
    again = tb.requests.confirm("sjhy", first.id, 60, key="c1")
    assert again == first
    report = tb.reports.monthly("sjhy", month, ledger_unit="minutes")
    assert report.exchange.given == 60


def test_the_poster_and_the_table_show_the_exchange_columns(tb, month):
    _paid(tb, "m1", ["m2"], 60, 45, 1)
    report = tb.reports.monthly("sjhy", month, ledger_unit="minutes")
    poster = tb.reports.poster(report)
    assert "服务他人(分钟)" in poster and "获得服务(分钟)" in poster
    assert "互助:1 人为邻里服务 45 分钟(共 1 次),参与率 20.0%" in poster
    english = tb.reports.poster(report, lang="en")
    assert "Exchange: 1 members gave 45 minutes to neighbours" in english
    table = tb.reports.table(report)
    names = [zh for _, zh in table.headers]
    assert names[-2:] == ["服务他人(分钟)", "获得服务(分钟)"]
    assert list(table.rows[-1][-2:]) == [45, 45]


def test_a_month_without_exchange_keeps_the_table_and_poster_as_they_were(tb, month):
    tb.ledger.award("sjhy", "m5", 5, key="a5")
    report = tb.reports.monthly("sjhy", month)
    assert report.exchange.given == 0
    assert "服务他人" not in tb.reports.poster(report)
    assert "服务他人(分钟)" not in [zh for _, zh in tb.reports.table(report).headers]


def test_the_migration_fills_the_totals_from_the_requests_already_paid(tb, month):
    _paid(tb, "m1", ["m2", "m3"], 61, 61, 1)
    _paid(tb, "m2", ["m4"], 30, 30, 2)
    live = tb.reports.monthly("sjhy", month, ledger_unit="minutes")
    command.downgrade(migrations.config(tb.store.engine), "0009")  # before the totals
    tb.init()
    filled = tb.reports.monthly("sjhy", month, ledger_unit="minutes")
    assert filled.exchange == live.exchange and filled.lines == live.lines
    assert {line.member: line.minutes_given for line in filled.lines} == \
        {"m2": 31, "m3": 30, "m4": 30}
