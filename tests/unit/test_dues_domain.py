"""The pure parts of dues (no database): which months are due and unpaid, the check of a
batch in order, the caps of a payment for another month, and the rulebook's
``[community.dues]`` table and ``requires_dues`` flag checked at load."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

import pytest

from timebank.domain import dues, rulebook
from timebank.domain.contributions import Resolved
from timebank.domain.recording import cap_window, counted_days, value
from timebank.domain.rules import Claim, counted_on
from timebank.errors import NotEligible, RulebookError

DUES = rulebook.rule(code="dues", basis="per_period", rate=1, due_day=10, late_rate=0,
                     max_quantity=1, eligible_roles=["party_member"], caps={"month": 1})
SHIFT = rulebook.rule(code="shift", basis="per_hour", rate=1, requires_dues=True)
OPEN = rulebook.rule(code="open", basis="per_hour", rate=1)
VERSIONS = {"dues": [(1, DUES)], "shift": [(2, SHIFT)], "open": [(3, OPEN)]}
POLICY = dues.DuesPolicy("dues", 2, date(2025, 1, 1))
PARTY = ("party_member",)


def item(index, rule, day, *, member=1, roles=PARTY, period=None):
    start = date.fromisoformat(period + "-01") if period else (
        day.replace(day=1) if rule.basis == "per_period" else None)
    return Resolved(index, f"m{member}", member, roles, 1, rule,
                    Claim(60 if rule.timed else 1, day, (), None, start),
                    datetime(day.year, day.month, day.day, tzinfo=UTC), None,
                    f"{start:%Y-%m}" if start else None, "")


def test_a_month_is_due_once_its_due_day_has_passed():
    assert dues.due_periods(date(2025, 1, 1), date(2025, 3, 10), 10) == ["2025-01",
                                                                          "2025-02"]
    assert dues.due_periods(date(2025, 1, 1), date(2025, 3, 11), 10) == [
        "2025-01", "2025-02", "2025-03"]


def test_without_a_due_day_a_month_is_due_after_its_last_day():
    assert dues.due_periods(date(2024, 12, 1), date(2025, 2, 28), None) == ["2024-12",
                                                                             "2025-01"]
    assert dues.due_periods(date(2024, 12, 1), date(2025, 3, 1), None)[-1] == "2025-02"


def test_nothing_is_due_before_the_first_month_counted():
    assert dues.due_periods(date(2025, 6, 1), date(2025, 5, 31), 10) == []


def test_unpaid_months_are_the_due_ones_not_paid():
    assert dues.unpaid(date(2025, 1, 1), date(2025, 4, 20), 10, {"2025-01", "2025-03"}) == \
        ["2025-02", "2025-04"]


def test_a_member_with_as_many_unpaid_months_as_the_limit_is_refused_naming_them():
    with pytest.raises(NotEligible) as err:
        dues.check(POLICY, [item(0, SHIFT, date(2025, 3, 20))], VERSIONS,
                   {1: {"2025-01"}})
    assert err.value.details["unpaid"] == ["2025-02", "2025-03"]
    assert err.value.details["dues"] == "dues" and err.value.details["field"] == "member"
    assert "2025-02, 2025-03" in err.value.render("en")


def test_one_unpaid_month_below_a_limit_of_two_is_eligible():
    dues.check(POLICY, [item(0, SHIFT, date(2025, 3, 20))], VERSIONS,
               {1: {"2025-01", "2025-02"}})


def test_a_payment_earlier_in_the_batch_counts_for_the_items_after_it():
    dues.check(POLICY, [item(0, DUES, date(2025, 3, 20), period="2025-02"),
                        item(1, SHIFT, date(2025, 3, 20))], VERSIONS, {1: {"2025-01"}})
    with pytest.raises(NotEligible):
        dues.check(POLICY, [item(0, SHIFT, date(2025, 3, 20)),
                            item(1, DUES, date(2025, 3, 20), period="2025-02")],
                   VERSIONS, {1: {"2025-01"}})


def test_a_payment_of_one_member_pays_nothing_for_another():
    with pytest.raises(NotEligible):
        dues.check(POLICY, [item(0, DUES, date(2025, 3, 20), member=2, period="2025-02"),
                            item(1, SHIFT, date(2025, 3, 20))], VERSIONS, {1: {"2025-01"}})


def test_rules_without_the_flag_and_members_who_owe_no_dues_are_never_refused():
    dues.check(POLICY, [item(0, OPEN, date(2025, 6, 20)),
                        item(1, SHIFT, date(2025, 6, 20), roles=("resident",))],
               VERSIONS, {})


def test_the_policy_is_read_back_from_the_settings_an_install_stores():
    stored = {"rule": "dues", "unpaid_periods": 3, "since": "2025-02-01"}
    assert dues.DuesPolicy.from_settings(stored) == dues.DuesPolicy("dues", 3,
                                                                     date(2025, 2, 1))
    assert dues.DuesPolicy.from_settings(None) is None
    assert dues.DuesPolicy.from_settings({"rule": "dues", "unpaid_periods": 3}) is None


def test_a_payment_for_another_month_counts_that_month_s_caps():
    assert counted_on(date(2025, 3, 5), date(2025, 4, 1)) == date(2025, 4, 1)
    assert counted_on(date(2025, 3, 5), date(2025, 3, 1)) == date(2025, 3, 5)
    assert counted_on(date(2025, 3, 5), None) == date(2025, 3, 5)
    assert counted_days([(1, "dues", date(2025, 3, 5), "2025-04", 1),
                         (1, "dues", date(2025, 3, 6), "2025-03", 1),
                         (1, "dues", date(2025, 3, 7), None, 1)]) == [
        (1, "dues", date(2025, 4, 1), 1), (1, "dues", date(2025, 3, 6), 1),
        (1, "dues", date(2025, 3, 7), 1)]


def test_april_dues_paid_in_march_are_not_capped_by_march_s_payment():
    march = item(0, DUES, date(2025, 3, 5))
    april = item(1, DUES, date(2025, 3, 5), period="2025-04")
    twice = item(2, DUES, date(2025, 4, 2))
    found = value([march, april, twice], defaultdict(int), defaultdict(set))
    assert [(v.points, v.capped) for v in found] == [(1, False), (1, False), (0, True)]
    assert cap_window([april])[1] >= date(2025, 4, 1)


BOOK = """
[community.dues]
rule = "dues"
unpaid_periods = 2

[[rules]]
code = "dues"
basis = "per_period"
rate = 1
due_day = 10

[[rules]]
code = "shift"
basis = "per_hour"
rate = 1
requires_dues = true
"""


def test_a_rulebook_with_dues_loads_and_keeps_the_setting_as_plain_data():
    book = rulebook.loads(BOOK.replace('unpaid_periods = 2', 'unpaid_periods = 2\n'
                                                             'since = 2025-02-15'))
    assert book.community["dues"] == {"rule": "dues", "unpaid_periods": 2,
                                      "since": "2025-02-01"}
    assert book.get("shift").requires_dues and not book.get("dues").requires_dues
    assert rulebook.loads(BOOK).community["dues"]["since"] is None


@pytest.mark.parametrize(("change", "field"), [
    (("rule = \"dues\"", "rule = \"shift\""), "community.dues.rule"),
    (("rule = \"dues\"", "rule = \"nope\""), "community.dues.rule"),
    (("unpaid_periods = 2", "unpaid_periods = 0"), "community.dues.unpaid_periods"),
    (("unpaid_periods = 2", "unpaid_periods = true"), "community.dues.unpaid_periods"),
    (("unpaid_periods = 2", "unpaid_periods = 2\nsince = \"soon\""), "community.dues.since"),
    (("unpaid_periods = 2", "unpaid_periods = 2\nevery = 3"), "community.dues.every"),
    (("[community.dues]\nrule = \"dues\"\nunpaid_periods = 2\n", ""), "requires_dues"),
    (("requires_dues = true", "requires_dues = \"yes\""), "requires_dues"),
])
def test_a_bad_dues_setting_fails_the_load_naming_the_field(change, field):
    with pytest.raises(RulebookError) as err:
        rulebook.loads(BOOK.replace(*change), origin="book.toml")
    assert err.value.details["field"] == field
    assert "book.toml" in str(err.value)


def test_the_dues_rule_itself_cannot_require_dues():
    text = BOOK.replace("due_day = 10", "due_day = 10\nrequires_dues = true")
    with pytest.raises(RulebookError) as err:
        rulebook.loads(text)
    assert err.value.details["field"] == "community.dues.rule"


def test_requires_dues_survives_the_plain_form_and_is_left_out_when_false():
    assert rulebook.to_dict(SHIFT)["requires_dues"] is True
    assert "requires_dues" not in rulebook.to_dict(OPEN)
    assert rulebook.rule(**rulebook.to_dict(SHIFT)) == SHIFT
