"""Dues on both engines: a contribution names the period it pays for, and its caps count
that period (issue 11.7); members behind on dues are not eligible for the rules that say
so, worked out from the records (issue 15.6)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from timebank.domain.rulebook import loads
from timebank.errors import NotEligible, ValidationError
from timebank.services.contributions import ContributionInput
from timebank.store.tables import contributions

BOOK = """
[community.dues]
rule = "dues"
unpaid_periods = 2
since = 2025-01-01

[[rules]]
code = "dues"
name_zh = "按时缴纳党费"
name_en = "Party dues paid on time"
basis = "per_period"
rate = 1
due_day = 10
late_rate = 0
max_quantity = 1
eligible_roles = ["party_member"]
caps = { month = 1 }

[[rules]]
code = "duty_shift"
name_zh = "党群服务中心值班"
name_en = "Duty shift"
basis = "per_hour"
rate = 1
requires_dues = true
caps = { day = 8 }

[[rules]]
code = "patrol"
name_zh = "巡逻"
name_en = "Patrol"
basis = "per_hour"
rate = 1
service = true
"""


@pytest.fixture
def party(tb, community):
    tb.rules.install(community, loads(BOOK))
    tb.members.update(community, "m1", roles=["party_member"])
    tb.members.update(community, "m2", roles=["party_member"])
    return community


def pay(tb, community, member, day, period=None, key=None):
    return tb.contributions.record(community, member, "dues", occurred_on=day, period=period,
                                   key=key or f"dues-{member}-{day}-{period}")


def test_april_dues_paid_in_march_count_for_april_not_march(tb, party):
    march = pay(tb, party, "m1", date(2025, 3, 5))
    april = pay(tb, party, "m1", date(2025, 3, 5), period="2025-04")
    assert (march.points, march.capped) == (1, False)
    assert (april.points, april.capped) == (1, False)  # was capped to 0 before
    assert tb.contributions.get(party, april.id).period == "2025-04"
    again = pay(tb, party, "m1", date(2025, 4, 3))  # April paid twice: the cap holds
    assert (again.points, again.capped) == (0, True)


def test_without_a_period_named_dues_count_for_the_month_they_are_paid_in(tb, party):
    first = pay(tb, party, "m1", date(2025, 3, 5))
    second = pay(tb, party, "m1", date(2025, 3, 8))
    assert (first.points, second.points, second.capped) == (1, 0, True)
    assert tb.contributions.get(party, first.id).period == "2025-03"


def test_dues_paid_in_december_for_january_hold_january_s_cap(tb, party):
    pay(tb, party, "m1", date(2024, 12, 5), period="2025-01")
    january = pay(tb, party, "m1", date(2025, 1, 6))
    assert (january.points, january.capped) == (0, True)


def test_a_period_paid_in_advance_is_read_by_the_bulk_path_too(tb, party):
    done = tb.contributions.record_many(party, [
        ContributionInput("m1", "dues", None, date(2025, 3, 5), period="2025-04", key="b1"),
        ContributionInput("m1", "dues", None, date(2025, 3, 5), key="b2"),
        ContributionInput("m1", "dues", None, date(2025, 3, 6), period="2025-04", key="b3")])
    assert done.points == 2
    rows = tb.contributions.list(party, member="m1")
    assert [(r.period, r.points) for r in rows] == [("2025-04", 1), ("2025-03", 1),
                                                     ("2025-04", 0)]


def test_a_batch_pays_the_period_it_names_for_every_member(tb, party):
    done = tb.contributions.record_batch(party, "dues", ["m1", "m2"], key="batch",
                                         occurred_on=date(2025, 3, 5), period="2025-04")
    assert [c.points for c in done.contributions] == [1, 1]
    assert {tb.contributions.get(party, c.id).period for c in done.contributions} == \
        {"2025-04"}


def test_a_period_on_a_rule_not_paid_per_period_is_refused_and_nothing_written(tb, party):
    with pytest.raises(ValidationError) as err:
        tb.contributions.record(party, "m1", "patrol", key="p", quantity=1,
                                occurred_on=date(2025, 3, 5), period="2025-04")
    assert err.value.details["field"] == "period"
    with tb.store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(contributions)
                            ).scalar_one() == 0


def test_a_member_behind_three_periods_with_a_limit_of_two_is_refused_then_pays(tb, party):
    pay(tb, party, "m1", date(2025, 1, 5))
    shift = {"quantity": 2, "occurred_on": date(2025, 4, 20)}
    with pytest.raises(NotEligible) as err:  # February, March, April unpaid
        tb.contributions.record(party, "m1", "duty_shift", key="s1", **shift)
    assert err.value.details["unpaid"] == ["2025-02", "2025-03", "2025-04"]
    assert "2025-02, 2025-03, 2025-04" in err.value.render("en")
    assert "2025-02" in err.value.render("zh")
    pay(tb, party, "m1", date(2025, 4, 20), period="2025-02")  # late: no points, paid
    pay(tb, party, "m1", date(2025, 4, 20), period="2025-03")
    done = tb.contributions.record(party, "m1", "duty_shift", key="s1", **shift)
    assert done.points == 2  # one month (April) unpaid: below the limit of two


def test_dues_paid_in_advance_count_for_the_month_paid_for_when_eligibility_is_read(
        tb, party):
    for month in ("2025-01", "2025-02", "2025-03", "2025-04"):
        pay(tb, party, "m1", date(2024, 12, 20), period=month)
    done = tb.contributions.record(party, "m1", "duty_shift", key="s1", quantity=1,
                                   occurred_on=date(2025, 5, 20))
    assert done.points == 1  # May unpaid: one period
    with pytest.raises(NotEligible):  # m2 paid nothing: January to May
        tb.contributions.record(party, "m2", "duty_shift", key="s2", quantity=1,
                                occurred_on=date(2025, 5, 20))


def test_a_month_is_not_owed_before_its_due_day(tb, party):
    pay(tb, party, "m1", date(2025, 1, 5))
    on_due_day = tb.contributions.record(party, "m1", "duty_shift", key="s1", quantity=1,
                                         occurred_on=date(2025, 3, 10))
    assert on_due_day.points == 1  # February unpaid, March due only after the 10th
    with pytest.raises(NotEligible):
        tb.contributions.record(party, "m1", "duty_shift", key="s2", quantity=1,
                                occurred_on=date(2025, 3, 11))


def test_a_member_the_dues_rule_is_not_open_to_owes_nothing(tb, party):
    done = tb.contributions.record(party, "m3", "duty_shift", key="s1", quantity=1,
                                   occurred_on=date(2025, 6, 20))
    assert done.points == 1


def test_payments_earlier_in_the_same_bulk_call_count_for_the_rows_after_them(tb, party):
    rows = [ContributionInput("m1", "dues", None, date(2025, 3, 20), period=p, key=p)
            for p in ("2025-01", "2025-02", "2025-03")]
    rows.append(ContributionInput("m1", "duty_shift", 1, date(2025, 3, 20), key="s"))
    assert tb.contributions.record_many(party, rows).recorded == 4
    with pytest.raises(NotEligible):
        tb.contributions.record_many(party, [
            ContributionInput("m2", "duty_shift", 1, date(2025, 3, 20), key="s2"),
            ContributionInput("m2", "dues", None, date(2025, 3, 20), period="2025-01",
                              key="late")])
    assert len(tb.contributions.list(party, member="m2")) == 0  # all or nothing


def test_a_reversed_payment_no_longer_pays_its_period(tb, party):
    ids = [pay(tb, party, "m1", date(2025, 3, 20), period=p).id
           for p in ("2025-01", "2025-02")]
    shift = {"quantity": 1, "occurred_on": date(2025, 3, 20)}
    assert tb.contributions.record(party, "m1", "duty_shift", key="s1", **shift).points
    tb.contributions.reverse(party, ids[0], actor="admin", reason="bounced", key="rev")
    with pytest.raises(NotEligible) as err:
        tb.contributions.record(party, "m1", "duty_shift", key="s2", **shift)
    assert err.value.details["unpaid"] == ["2025-01", "2025-03"]


def test_without_a_since_of_its_own_dues_are_counted_from_the_install_month(tb, community):
    tb.rules.install(community, loads(BOOK.replace("since = 2025-01-01\n", "")))
    tb.members.update(community, "m1", roles=["party_member"])
    stored = tb.communities.get(community).settings["dues"]
    assert stored["rule"] == "dues" and stored["unpaid_periods"] == 2
    assert stored["since"].endswith("-01")
    done = tb.contributions.record(community, "m1", "duty_shift", key="s1", quantity=1,
                                   occurred_on=date(2025, 6, 20))
    assert done.points == 1  # before the community kept its dues here: nothing owed


def test_a_rule_requiring_dues_is_refused_where_no_dues_are_set(tb, community):
    from timebank.domain.rulebook import rule

    shift = rule(code="shift", basis="per_hour", rate=1, requires_dues=True)
    with pytest.raises(ValidationError) as err:
        tb.rules.put(community, "shift", shift)
    assert err.value.details["field"] == "requires_dues"


def test_the_shipped_party_rulebook_keeps_dues_and_asks_for_them(tb, community):
    tb.rules.install(community, "party_member")
    settings = tb.communities.get(community).settings
    assert settings["dues"]["rule"] == "dues"
    assert tb.rules.get(community, "duty_shift").requires_dues
    assert not tb.rules.get(community, "dues").requires_dues


def _import(tb, community, tmp_path, text, **kwargs):
    from timebank.io.contribution_import import contribution_plan
    from timebank.io.importing import run_import

    path = tmp_path / "dues.csv"
    path.write_text(text, encoding="utf-8")
    return run_import(tb.store, community, path, contribution_plan(community, lang="en"),
                      **kwargs)


def test_an_imported_row_names_the_month_it_pays_for_in_a_period_column(tb, party, tmp_path):
    report = _import(tb, party, tmp_path, "成员编号,规则,日期,所属月份\n"
                     "m1,dues,2025-03-05,2025-03\n"
                     "m1,dues,2025-03-05,2025年4月\n"
                     "m2,dues,2025-03-05,\n")
    assert report.ok and report.added == 3
    rows = tb.contributions.list(party)
    assert [(r.member, r.period, r.points) for r in rows] == [
        ("m1", "2025-03", 1), ("m1", "2025-04", 1), ("m2", "2025-03", 1)]
    again = _import(tb, party, tmp_path, "成员编号,规则,日期,所属月份\n"
                    "m1,dues,2025-03-05,2025-04\n")
    assert (again.added, again.unchanged) == (0, 1)  # the same row, recognised


def test_a_bad_period_cell_is_named_with_its_row_and_nothing_is_written(tb, party, tmp_path):
    report = _import(tb, party, tmp_path, "member,rule,date,period\n"
                     "m1,dues,2025-03-05,2025-13\n"
                     "m1,patrol,2025-03-05,2025-04\n")
    assert not report.ok and report.added == 0
    assert [(p.row, p.column) for p in report.problems] == [(2, "period"), (3, "period")]
    assert tb.contributions.list(party) == []


def test_an_import_row_of_a_member_behind_on_dues_is_reported_not_written(
        tb, party, tmp_path):
    report = _import(tb, party, tmp_path, "member,rule,date,quantity\n"
                     "m1,duty_shift,2025-04-20,2\n", skip_bad_rows=True)
    assert not report.ok and report.added == 0
    assert "2025-01, 2025-02, 2025-03, 2025-04" in report.problems[0].message


def test_the_cli_records_dues_for_the_month_named_and_refuses_a_member_behind(
        tb, party, db_url):
    from click.testing import CliRunner

    from timebank.cli import main

    def run(*args):
        return CliRunner().invoke(main, ["--db", db_url, "--lang", "en", "contribution",
                                         "record", "--community", party, *args])
    paid = run("--member", "m1", "--rule", "dues", "--on", "2025-03-05",
               "--period", "2025-04")
    assert paid.exit_code == 0, paid.output
    assert [(c.period, c.points) for c in tb.contributions.list(party)] == [("2025-04", 1)]
    refused = run("--member", "m2", "--rule", "duty_shift", "--quantity", "1",
                  "--on", "2025-03-20")
    assert refused.exit_code != 0 and "Traceback" not in refused.output
    assert "2025-01, 2025-02, 2025-03" in refused.output
    assert len(tb.contributions.list(party)) == 1
